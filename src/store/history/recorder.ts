/**
 * What the client records so any moment of the last ten minutes can be shown
 * again, exactly as the live view had it.
 *
 * The store is immutable: a node, an edge or a progress run is a new object
 * whenever it changes, and an unchanged one keeps its identity. So a moment
 * is recorded as the entries whose identity changed since the previous
 * moment (one reference each, no copy), and a moment is rebuilt by applying
 * those changes, oldest first, to the state the recording starts from. The
 * feed's events array is kept by reference per moment too (a few KiB each).
 *
 * Charts and logs are not recorded here: their points and lines carry their
 * own time and the store already holds ten minutes of them, so a moment
 * clips them (see `clip.ts`).
 *
 * Memory is bounded by a budget of recorded changes. Past it, the older half
 * of the moments is thinned (two neighbours become one, the later one), so
 * old history gets coarser before any of it is lost; the span and the
 * coarsest step held are reported, so the timeline can say what it holds.
 */
import { emptyRecord, type Dict } from '../records.ts';
import type { RealtimeData } from '../types.ts';

/** The parts of the state a moment rebuilds from recorded changes. */
export const RECORDED_KEYS = ['nodes', 'edges', 'progress', 'statusHistory', 'seriesByNode'] as const;
export type RecordedKey = (typeof RECORDED_KEYS)[number];

export type RecordedState = Pick<RealtimeData, RecordedKey | 'topologyVersion' | 'events'>;

/** Marks an entry that was removed at a moment. */
const GONE: unique symbol = Symbol('gone');
type Change = unknown;
type Changes = Map<string, Change>;

interface Moment {
  at: number;
  /** Per recorded collection, the entries that changed since the previous moment; absent when none did. */
  changes: Partial<Record<RecordedKey, Changes>>;
  topologyVersion: number;
  events: RealtimeData['events'];
  /** Recorded changes held by this moment (what the budget counts). */
  size: number;
}

export interface RecorderOptions {
  /** How far back moments are kept, in ms. */
  spanMs: number;
  /** Recorded changes held at most, across all moments; past it older moments are thinned. */
  budget: number;
}

export const DEFAULT_RECORDER_OPTIONS: RecorderOptions = { spanMs: 10 * 60_000, budget: 400_000 };

export interface RecordedSpan {
  from: number;
  to: number;
  /** The widest gap between neighbouring moments held (0 with one moment). */
  stepMs: number;
  moments: number;
}

export class HistoryRecorder {
  private readonly options: RecorderOptions;
  /** The state at `base.at`: mutable copies, never handed out. */
  private base: (Record<RecordedKey, Dict<unknown>> & { at: number; topologyVersion: number; events: RealtimeData['events'] }) | null = null;
  private readonly moments: Moment[] = [];
  /** The collections as last recorded, to diff the next moment against. */
  private last: RecordedState | null = null;
  private held = 0;
  /** The last rebuilt moment, so showing it again (or a neighbour) is cheap. */
  private cached: { index: number; state: RecordedState } | null = null;

  constructor(options: Partial<RecorderOptions> = {}) {
    this.options = { ...DEFAULT_RECORDER_OPTIONS, ...options };
  }

  /** Records `state` as it is at `at` (ms). Moments must come in order; one at or before the newest replaces nothing and is ignored. */
  record(state: RecordedState, at: number): void {
    const newest = this.moments.at(-1)?.at ?? this.base?.at;
    if (newest !== undefined && at <= newest) return;
    if (this.base === null || this.last === null) {
      this.base = { at, topologyVersion: state.topologyVersion, events: state.events, ...copyCollections(state) };
      this.last = pick(state);
      return;
    }
    const changes: Moment['changes'] = {};
    let size = 0;
    for (const key of RECORDED_KEYS) {
      const before = this.last[key] as Dict<unknown>;
      const after = state[key] as Dict<unknown>;
      if (before === after) continue;
      const delta = diff(before, after);
      if (delta.size > 0) {
        changes[key] = delta;
        size += delta.size;
      }
    }
    this.moments.push({ at, changes, topologyVersion: state.topologyVersion, events: state.events, size });
    this.held += size;
    this.last = pick(state);
    this.forgetBefore(at - this.options.spanMs);
    if (this.held > this.options.budget) this.thin();
  }

  /** The span of moments held, or null before the first. */
  span(): RecordedSpan | null {
    if (this.base === null) return null;
    let stepMs = 0;
    let previous = this.base.at;
    for (const moment of this.moments) {
      stepMs = Math.max(stepMs, moment.at - previous);
      previous = moment.at;
    }
    return { from: this.base.at, to: previous, stepMs, moments: this.moments.length + 1 };
  }

  /** The recorded moments held, oldest first. */
  momentTimes(): number[] {
    return this.base === null ? [] : [this.base.at, ...this.moments.map((moment) => moment.at)];
  }

  /** Recorded changes held, for tests and the budget. */
  heldChanges(): number {
    return this.held;
  }

  /**
   * The recorded state at `moment`: as the newest recorded moment at or
   * before it had it. Null when `moment` is before the recording (or nothing
   * is recorded). The collections returned are new objects, shared by later
   * calls for the same recorded moment.
   */
  stateAt(moment: number): RecordedState | null {
    const base = this.base;
    if (base === null || !(moment >= base.at)) return null;
    const index = this.indexAt(moment);
    if (this.cached?.index === index) return this.cached.state;
    // Forward from the cached moment when it is earlier, else from the base.
    const from = this.cached !== null && this.cached.index < index ? this.cached : null;
    const collections = copyCollections(from?.state ?? base);
    for (let i = (from?.index ?? -1) + 1; i <= index; i++) applyChanges(collections, this.moments[i]!.changes);
    const reached = index >= 0 ? this.moments[index]! : base;
    const state: RecordedState = { ...collections, topologyVersion: reached.topologyVersion, events: reached.events } as RecordedState;
    this.cached = { index, state };
    return state;
  }

  /** Index of the newest moment at or before `moment`; -1 for the base. */
  private indexAt(moment: number): number {
    let low = 0;
    let high = this.moments.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (this.moments[mid]!.at <= moment) {
        found = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    return found;
  }

  /** Folds moments older than `cutoff` into the base; the newest moment is always kept. */
  private forgetBefore(cutoff: number): void {
    const base = this.base!;
    let dropped = 0;
    while (dropped < this.moments.length - 1 && this.moments[dropped]!.at < cutoff) {
      const moment = this.moments[dropped]!;
      applyChanges(base, moment.changes);
      base.at = moment.at;
      base.topologyVersion = moment.topologyVersion;
      base.events = moment.events;
      this.held -= moment.size;
      dropped++;
    }
    if (dropped > 0) {
      this.moments.splice(0, dropped);
      this.cached = null;
    }
  }

  /** Merges neighbouring pairs in the older half until the budget holds (or one moment is left to thin). */
  private thin(): void {
    while (this.held > this.options.budget && this.moments.length > 2) {
      const olderHalf = Math.max(2, this.moments.length >> 1);
      const kept: Moment[] = [];
      for (let i = 0; i < olderHalf; i += 2) {
        const earlier = this.moments[i]!;
        const later = this.moments[i + 1];
        if (later === undefined || i + 1 >= olderHalf) {
          kept.push(earlier);
          continue;
        }
        kept.push(this.merge(earlier, later));
      }
      this.moments.splice(0, olderHalf, ...kept);
      this.cached = null;
      if (olderHalf <= 2 && this.held > this.options.budget) {
        // Nothing left to pair in the older half: fold the oldest into the base.
        this.forgetBefore(this.moments[1]!.at);
      }
    }
  }

  /** One moment with the state at `later` and the changes of both. */
  private merge(earlier: Moment, later: Moment): Moment {
    const changes: Moment['changes'] = {};
    let size = 0;
    for (const key of RECORDED_KEYS) {
      const first = earlier.changes[key];
      const second = later.changes[key];
      if (!first && !second) continue;
      const merged = new Map(first);
      if (second) for (const [id, value] of second) merged.set(id, value);
      changes[key] = merged;
      size += merged.size;
    }
    this.held += size - earlier.size - later.size;
    return { at: later.at, changes, topologyVersion: later.topologyVersion, events: later.events, size };
  }
}

function pick(state: RecordedState): RecordedState {
  return {
    nodes: state.nodes,
    edges: state.edges,
    progress: state.progress,
    statusHistory: state.statusHistory,
    seriesByNode: state.seriesByNode,
    topologyVersion: state.topologyVersion,
    events: state.events,
  };
}

function copyCollections(state: Record<RecordedKey, Readonly<Dict<unknown>>>): Record<RecordedKey, Dict<unknown>> {
  const copies = {} as Record<RecordedKey, Dict<unknown>>;
  for (const key of RECORDED_KEYS) {
    const copy = emptyRecord<unknown>();
    const source = state[key] as Dict<unknown>;
    for (const id of Object.keys(source)) copy[id] = source[id];
    copies[key] = copy;
  }
  return copies;
}

function diff(before: Dict<unknown>, after: Dict<unknown>): Changes {
  const changes: Changes = new Map();
  for (const id of Object.keys(after)) {
    const value = after[id];
    if (before[id] !== value || !(id in before)) changes.set(id, value);
  }
  for (const id of Object.keys(before)) if (!(id in after)) changes.set(id, GONE);
  return changes;
}

function applyChanges(collections: Record<RecordedKey, Dict<unknown>>, changes: Moment['changes']): void {
  for (const key of RECORDED_KEYS) {
    const delta = changes[key];
    if (!delta) continue;
    const target = collections[key];
    for (const [id, value] of delta) {
      if (value === GONE) delete target[id];
      else target[id] = value;
    }
  }
}
