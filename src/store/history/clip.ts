/**
 * Charts and logs at a moment: their points and lines carry their own time
 * (the publisher's for a point, the gateway's for a line), and the store
 * holds the newest of them (600 points a series, 1,000 lines a node), so
 * the moment's view is the prefix of what is still held up to it. Clipped arrays are cached per source array, and a clip that
 * comes out the same as before keeps its identity, so a series that gains
 * points after the moment does not re-render a paused chart.
 */
import { countAtOrBefore } from '../../lib/sorted-search.ts';
import type { ChartPoint } from '../../protocol/mesh.ts';
import { emptyRecord, type Dict } from '../records.ts';
import type { StoredLogLine } from '../types.ts';

/** How many leading items of `items` (oldest first) have `timeOf(item) <= moment`. */
export const countUpTo = countAtOrBefore;

const pointTime = (point: ChartPoint) => point.t;
const lineTime = (line: StoredLogLine) => line.ts;

interface Clipped<T> {
  source: readonly T[];
  moment: number;
  result: T[];
}

/** Clips every array of a record to the items at or before a moment, reusing what it clipped before. */
export class RecordClipper<T> {
  private readonly cache = new Map<string, Clipped<T>>();
  private lastSource: Dict<T[]> | null = null;
  private lastMoment = Number.NaN;
  private lastResult: Dict<T[]> | null = null;

  constructor(private readonly timeOf: (item: T) => number) {}

  clip(source: Dict<T[]>, moment: number): Dict<T[]> {
    if (source === this.lastSource && moment === this.lastMoment && this.lastResult) return this.lastResult;
    const result = emptyRecord<T[]>();
    let same = this.lastResult !== null;
    const seen = new Set<string>();
    for (const key of Object.keys(source)) {
      seen.add(key);
      const items = source[key]!;
      const clipped = this.clipOne(key, items, moment);
      result[key] = clipped;
      if (same && this.lastResult![key] !== clipped) same = false;
    }
    for (const key of this.cache.keys()) if (!seen.has(key)) this.cache.delete(key);
    if (same && Object.keys(this.lastResult!).length !== seen.size) same = false;
    this.lastSource = source;
    this.lastMoment = moment;
    if (!same) this.lastResult = result;
    return this.lastResult!;
  }

  private clipOne(key: string, items: T[], moment: number): T[] {
    const previous = this.cache.get(key);
    if (previous && previous.source === items && previous.moment === moment) return previous.result;
    const count = countUpTo(items, moment, this.timeOf);
    let result: T[];
    if (count === items.length) result = items;
    else if (previous && sameItems(previous.result, items, count)) result = previous.result;
    else result = items.slice(0, count);
    this.cache.set(key, { source: items, moment, result });
    return result;
  }
}

/** Whether `held` is exactly the first `count` items of `items` (compared at the ends: items never change in place). */
function sameItems<T>(held: readonly T[], items: readonly T[], count: number): boolean {
  return held.length === count && (count === 0 || (held[0] === items[0] && held[count - 1] === items[count - 1]));
}

export const clipCharts = () => new RecordClipper<ChartPoint>(pointTime);
export const clipLogs = () => new RecordClipper<StoredLogLine>(lineTime);
