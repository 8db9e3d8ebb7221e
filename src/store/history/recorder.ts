/**
 * What the client records so any moment of the last ten minutes can be shown
 * again, exactly as the live view had it.
 *
 * The store is immutable: a node, an edge or a progress run is a new object
 * whenever it changes, and an unchanged one keeps its identity. So a moment
 * is recorded as the entries whose identity changed since the previous
 * moment (one reference each, no copy), and a moment is rebuilt by applying
 * those changes, oldest first, to the state the recording starts from. The
 * feed's events array is kept by reference per moment too: its slots, and
 * the events only it (not the moment before) holds, count toward the budget.
 *
 * Charts and logs are not recorded here: their points and lines carry their
 * own time and the store already holds the newest of them (for a series
 * with a point a second, ten minutes), so a moment clips what is still held
 * (see `clip.ts`).
 *
 * Most changes are an edge's stats and nothing else (thousands a second at
 * 10,000 messages a second); those are kept as three numbers, not as the
 * edge object: a third of the memory. Memory is bounded by a budget of
 * estimated bytes (32 MiB by default: for a 200-node mesh at 10,000
 * messages a second, about 140 of them events, ten minutes in steps of
 * 4 s, the newest by the second; the events alone are some 28 KiB a
 * second). Past it, moments in the older half are merged with their
 * neighbours, the finest pair first, so old history gets evenly coarser before
 * any of it is lost. Merging frees bytes only where neighbours changed the
 * same entries: when a sweep of the older half frees (nearly) nothing (new
 * ids every second, or one moment larger than the budget), the oldest
 * moments are folded into the base instead, so the oldest history is lost
 * rather than merged again and again. The span and the coarsest step held
 * are reported, so the timeline can say what it holds.
 */
import type { EdgeStats, MeshEdge } from '../../protocol/mesh.ts';
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

/** Edges whose stats alone changed: ids, and their stats packed three numbers each. */
interface StatsChanges {
  ids: string[];
  values: Float64Array;
}

interface Moment {
  at: number;
  /** Per recorded collection, the entries that changed since the previous moment; absent when none did. */
  changes: Partial<Record<RecordedKey, Changes>>;
  /** Edges whose stats alone changed (not also in `changes.edges`). */
  stats: StatsChanges | null;
  topologyVersion: number;
  events: RealtimeData['events'];
  /** Whether `events` is this moment's own array (it differs from the previous moment's), so counts in its size. */
  ownsEvents: boolean;
  /** How many of `events` the previous moment's array lacks: the events only this moment keeps alive (0 unless it owns its array). */
  newEvents: number;
  /** Estimated bytes this moment holds (what the budget counts). */
  size: number;
}

/** Rough retained sizes, for the budget: a changed object with its map entry, a packed stats change, an events array slot, an event. */
const CHANGE_BYTES = 300;
const STATS_BYTES = 64;
const EVENT_SLOT_BYTES = 8;
const EVENT_BYTES = 200;

/** A sweep of merges that freed less than this share of the bytes it merged freed (nearly) nothing: merging does not pay. */
const MERGE_PAYS_SHARE = 1 / 16;

export interface RecorderOptions {
  /** How far back moments are kept, in ms. */
  spanMs: number;
  /** Estimated bytes held at most, across all moments; past it older moments are thinned. */
  budgetBytes: number;
}

export const DEFAULT_RECORDER_OPTIONS: RecorderOptions = { spanMs: 10 * 60_000, budgetBytes: 32 * 2 ** 20 };

/** What thinning has done since the recorder was made, for diagnostics and tests. */
export interface ThinningCounts {
  /** Pairs of neighbouring moments merged into one. */
  merged: number;
  /** Moments folded into the base to stay within the budget (not those that aged out of the span). */
  folded: number;
}

export interface RecordedSpan {
  from: number;
  to: number;
  /** The widest gap between neighbouring moments held (0 with one moment). */
  stepMs: number;
  moments: number;
}

/** A full state at a recorded moment: moments after it are applied to a copy of it. */
interface Checkpoint {
  at: number;
  collections: Record<RecordedKey, Readonly<Dict<unknown>>>;
  /** Estimated bytes it keeps alive. */
  size: number;
}

/** A checkpoint is taken once the changes recorded since the last one hold this many times its own size. */
const CHECKPOINT_EVERY = 4;
/** Estimated bytes per entry a checkpoint keeps (its key slot and the object, which the moments hold only as numbers). */
const CHECKPOINT_ENTRY_BYTES = 140;
/** Merges one record may make; past them it waits for the next record (or folds, far over the budget). */
const MERGES_PER_RECORD = 3;
/** How far over the budget the recording may run while merging catches up over the next records. */
export const OVER_BUDGET_SLACK = 1.25;

/**
 * Checkpoints kept at most, outside the budget (which is for history: a
 * large mesh's checkpoints would otherwise leave it no room). Past it, the
 * one whose neighbours are closest goes.
 */
const MAX_CHECKPOINTS = 16;

export class HistoryRecorder {
  private readonly options: RecorderOptions;
  /** The state at `base.at`: mutable copies, never handed out. */
  private base: (Record<RecordedKey, Dict<unknown>> & { at: number; topologyVersion: number; events: RealtimeData['events'] }) | null = null;
  private readonly moments: Moment[] = [];
  /**
   * States kept whole at some moments, oldest first, so showing a moment
   * applies at most a few seconds of changes. The live store's collections
   * are immutable, so a checkpoint is the recorded state's own references.
   * Changes are whole values, so a checkpoint stays right when the moments
   * around it are merged.
   */
  private readonly checkpoints: Checkpoint[] = [];
  private sinceCheckpoint = 0;
  /** The collections as last recorded, to diff the next moment against. */
  private last: RecordedState | null = null;
  private held = 0;
  /** Merges in the current sweep: a sweep is as many merges as the older half holds moments. */
  private thinAt = 0;
  /** Bytes the current sweep has merged (both moments' sizes) and freed, to tell whether merging pays. */
  private sweepMerged = 0;
  private sweepFreed = 0;
  /** Moments still to fold into the base, past the budget, before merging is tried again (after a sweep that freed nearly nothing). */
  private foldFirst = 0;
  private readonly counts: ThinningCounts = { merged: 0, folded: 0 };
  /** The last rebuilt moment, so showing it again (or a later one) is cheap. */
  private cached: { at: number; state: RecordedState } | null = null;

  constructor(options: Partial<RecorderOptions> = {}) {
    this.options = { ...DEFAULT_RECORDER_OPTIONS, ...options };
  }

  /** Records `state` as it is at `at` (ms). Moments must come in order; one at or before the newest is ignored. */
  record(state: RecordedState, at: number): void {
    const newest = this.moments.at(-1)?.at ?? this.base?.at;
    if (newest !== undefined && at <= newest) return;
    if (this.base === null || this.last === null) {
      this.base = { at, topologyVersion: state.topologyVersion, events: state.events, ...copyCollections(state) };
      this.last = pick(state);
      return;
    }
    const changes: Moment['changes'] = {};
    let stats: StatsChanges | null = null;
    for (const key of RECORDED_KEYS) {
      const before = this.last[key] as Dict<unknown>;
      const after = state[key] as Dict<unknown>;
      if (before === after) continue;
      if (key === 'edges') {
        const split = diffEdges(before as Dict<MeshEdge>, after as Dict<MeshEdge>);
        if (split.changes.size > 0) changes.edges = split.changes;
        if (split.stats.ids.length > 0) stats = split.stats;
        continue;
      }
      const delta = diff(before, after);
      if (delta.size > 0) changes[key] = delta;
    }
    const ownsEvents = state.events !== this.last.events;
    const newEvents = ownsEvents ? countNewEvents(this.last.events, state.events) : 0;
    const moment: Moment = { at, changes, stats, topologyVersion: state.topologyVersion, events: state.events, ownsEvents, newEvents, size: 0 };
    moment.size = sizeOf(moment);
    this.moments.push(moment);
    this.held += moment.size;
    this.last = pick(state);
    this.sinceCheckpoint += moment.size;
    this.checkpointIfDue(state, at);
    this.forgetBefore(at - this.options.spanMs);
    this.thin();
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

  /** Estimated bytes the moments hold (what the budget counts). */
  heldBytes(): number {
    return this.held;
  }

  /** How many merges and early folds thinning has done. */
  thinningCounts(): ThinningCounts {
    return { ...this.counts };
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
    const reached = index >= 0 ? this.moments[index]! : base;
    if (this.cached?.at === reached.at) return this.cached.state;
    // Start from the latest full state at or before the moment: the last one shown, a checkpoint, or the base.
    let start: { at: number; collections: Readonly<Record<RecordedKey, Readonly<Dict<unknown>>>> } = { at: base.at, collections: base };
    const checkpoint = this.checkpointAtOrBefore(reached.at);
    if (checkpoint && checkpoint.at > start.at) start = checkpoint;
    if (this.cached && this.cached.at <= reached.at && this.cached.at > start.at) start = { at: this.cached.at, collections: this.cached.state };
    const collections = copyCollections(start.collections);
    for (let i = this.indexAt(start.at) + 1; i <= index; i++) applyMoment(collections, this.moments[i]!);
    const state: RecordedState = { ...collections, topologyVersion: reached.topologyVersion, events: reached.events } as RecordedState;
    this.cached = { at: reached.at, state };
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

  private checkpointAtOrBefore(at: number): Checkpoint | undefined {
    for (let i = this.checkpoints.length - 1; i >= 0; i--) if (this.checkpoints[i]!.at <= at) return this.checkpoints[i];
    return undefined;
  }

  private checkpointIfDue(state: RecordedState, at: number): void {
    let entries = 0;
    for (const key of RECORDED_KEYS) entries += Object.keys(state[key]).length;
    const size = entries * CHECKPOINT_ENTRY_BYTES;
    if (this.sinceCheckpoint < size * CHECKPOINT_EVERY) return;
    this.checkpoints.push({ at, collections: pick(state), size });
    this.sinceCheckpoint = 0;
    if (this.checkpoints.length <= MAX_CHECKPOINTS) return;
    let drop = 1;
    for (let i = 2; i < this.checkpoints.length - 1; i++) {
      const gap = this.checkpoints[i + 1]!.at - this.checkpoints[i - 1]!.at;
      if (gap < this.checkpoints[drop + 1]!.at - this.checkpoints[drop - 1]!.at) drop = i;
    }
    this.checkpoints.splice(drop, 1);
  }

  /** Folds moments older than `cutoff` into the base; the newest moment is always kept. */
  private forgetBefore(cutoff: number): void {
    let count = 0;
    while (count < this.moments.length - 1 && this.moments[count]!.at < cutoff) count++;
    this.fold(count);
  }

  /** Folds the oldest `count` moments into the base (the newest moment is always kept). */
  private fold(count: number): void {
    const base = this.base!;
    const dropped = Math.min(count, this.moments.length - 1);
    if (dropped <= 0) return;
    for (let i = 0; i < dropped; i++) {
      const moment = this.moments[i]!;
      applyMoment(base, moment);
      base.at = moment.at;
      base.topologyVersion = moment.topologyVersion;
      base.events = moment.events;
      this.held -= moment.size;
    }
    this.moments.splice(0, dropped);

    while (this.checkpoints.length > 0 && this.checkpoints[0]!.at <= base.at) this.checkpoints.shift();
    if (this.cached && this.cached.at < base.at) this.cached = null;
  }

  /**
   * Merges neighbouring moments in the older half, the finest pair first,
   * until the budget holds: a merge or two per recorded moment once the
   * recording is full, never a pass over all of it.
   *
   * Merging frees only what both moments changed, so it can fail to pay:
   * with new ids every second, or one moment larger than the budget, every
   * merge keeps all it merged, and merging on would squash the recording
   * into two moments while copying ever larger maps, each second. So one
   * record merges at most a few pairs (the budget may run a quarter over
   * while merging catches up), and a whole sweep that freed nearly nothing turns thinning to folding the
   * oldest moments into the base until as many moments as were held have
   * gone; then merging is tried again. Either way the recording stays within a quarter over the budget (unless
   * the newest moment alone is larger).
   */
  private thin(): void {
    // A few merges per record: each copies two moments' changes (thousands
    // of entries on a large mesh), and a record is one task of the page.
    // Over the budget by more than a quarter, the oldest moments are folded.
    let mergesLeft = MERGES_PER_RECORD;
    while (this.held > this.options.budgetBytes && this.moments.length > 1) {
      if (mergesLeft === 0 && this.foldFirst === 0 && this.held <= this.options.budgetBytes * OVER_BUDGET_SLACK) break;
      if (this.foldFirst > 0 || mergesLeft === 0 || this.moments.length <= 2) {
        this.fold(1);
        this.counts.folded++;
        if (this.foldFirst > 0) this.foldFirst--;
        continue;
      }
      const olderHalf = Math.max(2, this.moments.length >> 1);
      if (this.thinAt + 1 >= olderHalf) {
        this.endSweep();
        if (this.foldFirst > 0) continue;
      }
      const at = this.finestPair(olderHalf);
      const earlier = this.moments[at]!;
      const later = this.moments[at + 1]!;
      const before = earlier.size + later.size;
      const previousEvents = at > 0 ? this.moments[at - 1]!.events : this.base!.events;
      const merged = this.merge(earlier, later, previousEvents);
      this.moments.splice(at, 2, merged);
      if (this.cached?.at === earlier.at) this.cached = null;
      this.thinAt++;
      this.sweepMerged += before;
      this.sweepFreed += before - merged.size;
      this.counts.merged++;
      mergesLeft--;
    }
  }

  /**
   * The pair among the first `limit` moments whose merge would cover the
   * least time: merging the finest pair first coarsens the older half evenly
   * (ten minutes in 5-second steps, say) instead of making its oldest end
   * one long step.
   */
  private finestPair(limit: number): number {
    let best = 0;
    let bestSpan = Number.POSITIVE_INFINITY;
    for (let i = 0; i + 1 < limit; i++) {
      const from = i > 0 ? this.moments[i - 1]!.at : this.base!.at;
      const span = this.moments[i + 1]!.at - from;
      if (span < bestSpan) {
        bestSpan = span;
        best = i;
      }
    }
    return best;
  }

  /** Ends a sweep (as many merges as the older half holds moments), and folds for a while instead when it freed nearly nothing. */
  private endSweep(): void {
    if (this.sweepMerged > 0 && this.sweepFreed < this.sweepMerged * MERGE_PAYS_SHARE) this.foldFirst = this.moments.length;
    this.thinAt = 0;
    this.sweepMerged = 0;
    this.sweepFreed = 0;
  }

  /** One moment with the state at `later` and the changes of both; `previousEvents` is the events array of the moment before `earlier`. */
  private merge(earlier: Moment, later: Moment, previousEvents: RealtimeData['events']): Moment {
    const changes: Moment['changes'] = {};
    for (const key of RECORDED_KEYS) {
      if (key === 'edges') continue;
      const first = earlier.changes[key];
      const second = later.changes[key];
      if (!first && !second) continue;
      const merged = new Map(first);
      if (second) for (const [id, value] of second) merged.set(id, value);
      changes[key] = merged;
    }
    // Edges: the earlier moment's, then the later one's on top. A later stats
    // change to an edge the earlier moment replaced becomes that edge with the new stats.
    const edges: Changes = new Map(earlier.changes.edges);
    const stats = new Map<string, number>();
    const packed: number[] = [];
    const putStats = (id: string, values: Float64Array, at: number) => {
      const held = edges.get(id);
      if (held !== undefined && held !== GONE) {
        edges.set(id, withStats(held as MeshEdge, values, at));
        return;
      }
      const slot = stats.get(id);
      if (slot === undefined) {
        stats.set(id, packed.length);
        packed.push(values[at]!, values[at + 1]!, values[at + 2]!);
      } else {
        packed[slot] = values[at]!;
        packed[slot + 1] = values[at + 1]!;
        packed[slot + 2] = values[at + 2]!;
      }
    };
    if (earlier.stats) earlier.stats.ids.forEach((id, i) => putStats(id, earlier.stats!.values, i * 3));
    if (later.stats) later.stats.ids.forEach((id, i) => putStats(id, later.stats!.values, i * 3));
    if (later.changes.edges) {
      for (const [id, value] of later.changes.edges) {
        edges.set(id, value);
        stats.delete(id);
      }
    }
    if (edges.size > 0) changes.edges = edges;
    let packedStats: StatsChanges | null = null;
    if (stats.size > 0) {
      const ids = [...stats.keys()];
      const values = new Float64Array(ids.length * 3);
      ids.forEach((id, i) => {
        const slot = stats.get(id)!;
        values[i * 3] = packed[slot]!;
        values[i * 3 + 1] = packed[slot + 1]!;
        values[i * 3 + 2] = packed[slot + 2]!;
      });
      packedStats = { ids, values };
    }
    const moment: Moment = {
      at: later.at,
      changes,
      stats: packedStats,
      topologyVersion: later.topologyVersion,
      events: later.events,
      ownsEvents: later.events !== previousEvents,
      newEvents: later.events !== previousEvents ? countNewEvents(previousEvents, later.events) : 0,
      size: 0,
    };
    moment.size = sizeOf(moment);
    this.held += moment.size - earlier.size - later.size;
    return moment;
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

function copyCollections(state: Readonly<Record<RecordedKey, Readonly<Dict<unknown>>>>): Record<RecordedKey, Dict<unknown>> {
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

/** Edge changes split into those of the stats alone (packed) and the rest. */
function diffEdges(before: Dict<MeshEdge>, after: Dict<MeshEdge>): { changes: Changes; stats: StatsChanges } {
  const changes: Changes = new Map();
  const ids: string[] = [];
  const packed: number[] = [];
  for (const id of Object.keys(after)) {
    const value = after[id]!;
    const previous = before[id];
    if (previous === value) continue;
    if (previous !== undefined && value.stats !== undefined && sameExceptStats(previous, value)) {
      ids.push(id);
      packed.push(value.stats.rps, value.stats.errorRate, value.stats.p95Ms);
    } else changes.set(id, value);
  }
  for (const id of Object.keys(before)) if (!(id in after)) changes.set(id, GONE);
  return { changes, stats: { ids, values: Float64Array.from(packed) } };
}

/**
 * Whether `after` is `before` with other stats: every other field the same,
 * and present in both or in neither (the edge is rebuilt from `before`, so a
 * field only `before` has would outlive its removal).
 */
function sameExceptStats(before: MeshEdge, after: MeshEdge): boolean {
  const was = before as unknown as Record<string, unknown>;
  const is = after as unknown as Record<string, unknown>;
  let fields = 0;
  for (const key of Object.keys(is)) {
    if (key === 'stats') continue;
    if (!Object.hasOwn(was, key) || was[key] !== is[key]) return false;
    fields++;
  }
  for (const key of Object.keys(was)) if (key !== 'stats') fields--;
  return fields === 0;
}

function withStats(edge: MeshEdge, values: Float64Array, at: number): MeshEdge {
  const stats: EdgeStats = { rps: values[at]!, errorRate: values[at + 1]!, p95Ms: values[at + 2]! };
  return { ...edge, stats };
}

/**
 * How many events at the head of `events` (newest first) `previous` lacks:
 * the index of `previous`'s newest in it, or all of them when it is not
 * there. A store's next array puts its new events before the old ones, so
 * this reads only the new ones.
 */
function countNewEvents(previous: RealtimeData['events'], events: RealtimeData['events']): number {
  if (previous.length === 0) return events.length;
  const at = events.indexOf(previous[0]!);
  return at < 0 ? events.length : at;
}

function sizeOf(moment: Moment): number {
  let changed = 0;
  for (const key of RECORDED_KEYS) changed += moment.changes[key]?.size ?? 0;
  const events = moment.ownsEvents ? moment.events.length * EVENT_SLOT_BYTES + moment.newEvents * EVENT_BYTES : 0;
  return changed * CHANGE_BYTES + (moment.stats?.ids.length ?? 0) * STATS_BYTES + events;
}

function applyMoment(collections: Record<RecordedKey, Dict<unknown>>, moment: Moment): void {
  for (const key of RECORDED_KEYS) {
    const delta = moment.changes[key];
    if (!delta) continue;
    const target = collections[key];
    for (const [id, value] of delta) {
      if (value === GONE) delete target[id];
      else target[id] = value;
    }
  }
  const stats = moment.stats;
  if (stats) {
    const edges = collections.edges as Dict<MeshEdge>;
    for (let i = 0; i < stats.ids.length; i++) {
      const id = stats.ids[i]!;
      const edge = edges[id];
      if (edge !== undefined) edges[id] = withStats(edge, stats.values, i * 3);
    }
  }
}
