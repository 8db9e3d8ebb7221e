/**
 * A time window over the store's series buffers (oldest point first, at most
 * 600 each). Shaped for speed: the window's edges are found by binary
 * search and the points between them are one `slice`, or the buffer itself
 * when the whole buffer is inside, so a redraw copies nothing it does not draw.
 */
import { countAtOrBefore, countBefore } from '../../lib/sorted-search.ts';
import type { ChartPoint } from '../../protocol/mesh.ts';

export const WINDOW_CHOICES_MS = [60_000, 5 * 60_000, 10 * 60_000] as const;
export type WindowMs = (typeof WINDOW_CHOICES_MS)[number];
export const DEFAULT_WINDOW_MS: WindowMs = 5 * 60_000;

const NO_POINTS: readonly ChartPoint[] = [];

const pointTime = (point: ChartPoint) => point.t;

/** The first index whose `t` is ≥ `t` (`points.length` when none is). */
export const firstAtOrAfter = (points: readonly ChartPoint[], t: number): number => countBefore(points, t, pointTime);

/** The first index whose `t` is > `t`. */
const firstAfter = (points: readonly ChartPoint[], t: number): number => countAtOrBefore(points, t, pointTime);

/** The points with `t` in [start, end]; the same array when all of them are. */
export function sliceWindow(points: readonly ChartPoint[] | undefined, start: number, end: number): readonly ChartPoint[] {
  if (!points || points.length === 0 || !(start <= end)) return NO_POINTS;
  const from = firstAtOrAfter(points, start);
  const to = firstAfter(points, end);
  if (from >= to) return NO_POINTS;
  if (from === 0 && to === points.length) return points;
  return points.slice(from, to);
}

/** The index of the newest point with `t` ≤ `end`, or -1. */
export function lastIndexAtOrBefore(points: readonly ChartPoint[] | undefined, end: number): number {
  if (!points || points.length === 0) return -1;
  return firstAfter(points, end) - 1;
}

/**
 * The median spacing of the `sample` points before index `last` (inclusive):
 * how often the series reports, so a pause of three of its intervals reads
 * as "stopped".
 */
export function medianInterval(points: readonly ChartPoint[], last = points.length - 1, sample = 16): number | null {
  const end = Math.min(last, points.length - 1);
  const count = Math.min(end, sample);
  if (count < 1) return null;
  const gaps: number[] = [];
  for (let i = end - count + 1; i <= end; i++) gaps.push(points[i]!.t - points[i - 1]!.t);
  gaps.sort((a, b) => a - b);
  const mid = gaps.length >> 1;
  return gaps.length % 2 === 1 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
}

/**
 * How far past the clock a point may be stamped and still end the live
 * window: publishers' clocks drift a little; a series stamped in
 * microseconds (t ≈ 1.7e15) or in the wrong year is not a little ahead, and
 * must not move every panel's window to where no other series has points.
 */
export const FUTURE_TOLERANCE_MS = 5_000;

interface EndCache {
  charts: object;
  /** The newest t of all, whatever the clock says. */
  newest: number | null;
  /** The last bound asked for, and the newest t at or before it. */
  notAfter: number;
  capped: number | null;
}
let endCache: EndCache | null = null;

function newestAtOrBefore(charts: Readonly<Record<string, readonly ChartPoint[]>>, notAfter: number): number | null {
  let newest: number | null = null;
  for (const name of Object.keys(charts)) {
    const points = charts[name];
    if (!points || points.length === 0) continue;
    const last = points[points.length - 1]!.t;
    const t = last <= notAfter ? last : points[lastIndexAtOrBefore(points, notAfter)]?.t;
    if (t !== undefined && (newest === null || t > newest)) newest = t;
  }
  return newest;
}

/**
 * The newest `t` across every series, not after `notAfter`: where a live
 * window ends. Every panel asks on every store change, so the answer is kept
 * per `charts` object (the store replaces it when any point arrives, never
 * otherwise) and per bound; only when some series is stamped past the bound
 * is the record read again, and callers round the bound to a second so that
 * happens once a second at most.
 */
export function newestPointTime(
  charts: Readonly<Record<string, readonly ChartPoint[]>>,
  notAfter = Number.POSITIVE_INFINITY,
): number | null {
  if (endCache === null || endCache.charts !== charts) {
    const newest = newestAtOrBefore(charts, Number.POSITIVE_INFINITY);
    endCache = { charts, newest, notAfter: Number.POSITIVE_INFINITY, capped: newest };
  }
  if (endCache.newest === null || endCache.newest <= notAfter) return endCache.newest;
  if (endCache.notAfter !== notAfter) {
    endCache.notAfter = notAfter;
    endCache.capped = newestAtOrBefore(charts, notAfter);
  }
  return endCache.capped;
}
