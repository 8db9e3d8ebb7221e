/**
 * What one panel draws for a window: its lines' points in the window (the
 * highest few when a pool has many), their units, and the warn and error
 * events inside it as markers. Built by a selector that answers with the
 * same object until one of its inputs changes, so a panel re-renders only
 * when its own series, the window or the events move.
 */
import { sameItems } from '../../lib/same-items.ts';
import { inferUnit, type Unit } from '../../lib/units.ts';
import type { ChartPoint } from '../../protocol/mesh.ts';
import { STORE_LIMITS, type MeshEvent, type RealtimeState } from '../../store/types.ts';
import type { PanelGroup, PanelLine } from './group-series.ts';
import { FUTURE_TOLERANCE_MS, lastIndexAtOrBefore, medianInterval, newestPointTime, sliceWindow } from './window.ts';

/** Lines drawn per panel; a pool of 200 fetchers shows its busiest eight and says how many more. */
export const MAX_LINES = 8;
/** Event markers per panel, newest first: more would hide the lines. */
export const MAX_MARKERS = 30;

export interface DrawnLine extends PanelLine {
  /** Its place among the panel's lines: its colour, stable while other lines come and go. */
  index: number;
  points: readonly ChartPoint[];
  latest: ChartPoint;
  unit: Unit;
  axis: 'left' | 'right';
}

export interface PanelView {
  start: number;
  end: number;
  lines: readonly DrawnLine[];
  /** Lines with points in the window that are not drawn. */
  moreLines: number;
  /** The units of the left and (when there is a second unit) right axis. */
  axes: { left: Unit; right: Unit | null } | null;
  /** Warn and error events in the window, newest first. */
  markers: readonly MeshEvent[];
  /** The panel's newest point up to `end`, with how often its series reports; null before any point. */
  newest: { t: number; intervalMs: number | null } | null;
  /**
   * The window starts before the oldest point the store still holds of a
   * full buffer (the store dropped older points to stay within its bound):
   * "points before `heldFrom` are no longer held". Null when nothing in the
   * window was dropped. At 10,000 msg/s a busy pool's 600 points may cover
   * less than a minute.
   */
  heldFrom: number | null;
  /** Lines whose every point is stamped after `end`: ahead of the clock (a live end never follows them). */
  ahead: number;
}

export type Series = readonly ChartPoint[] | undefined;

const MARKED = new Set(['warn', 'error']);

/** Warn and error events with `ts` in [start, end] of the panel's nodes or of no node (a panel no node owns: errors of any node), newest first. */
export function markersFor(
  events: readonly MeshEvent[],
  start: number,
  end: number,
  nodeIds: ReadonlySet<string> | null,
  max = MAX_MARKERS,
): MeshEvent[] {
  const out: MeshEvent[] = [];
  for (const event of events) {
    if (out.length >= max) break;
    if (!MARKED.has(event.severity) || event.ts < start || event.ts > end) continue;
    if (event.nodeId !== undefined) {
      // A node's event marks its own panels; on a panel no node owns (`crawl`,
      // `gateway`), only errors: every warning of a busy mesh would hide the lines.
      if (nodeIds ? !nodeIds.has(event.nodeId) : event.severity !== 'error') continue;
    }
    out.push(event);
  }
  return out;
}

export interface BuildOptions {
  /** The panel's nodes, whose events are its markers; from `panel.nodeIds` when left out. */
  nodeIds?: ReadonlySet<string> | null;
  /**
   * The store's whole buffers of the lines (in `panel.lines` order), when
   * `series` are clipped to a paused moment: what tells whether older points
   * were dropped. `series` itself when left out.
   */
  held?: readonly Series[];
  /** The store's bound on a series' points: a buffer this long drops its oldest point for each new one. */
  maxPoints?: number;
}

/** The newest first point of the full buffers whose first point is after `start`, or null. */
function droppedBefore(held: readonly Series[], start: number, maxPoints: number): number | null {
  let from: number | null = null;
  for (const buffer of held) {
    if (!buffer || buffer.length < maxPoints) continue;
    const oldest = buffer[0]!.t;
    if (oldest > start && (from === null || oldest > from)) from = oldest;
  }
  return from;
}

/** The panel's drawing for the window [end − windowMs, end], from its lines' buffers (in `panel.lines` order). */
export function buildPanelView(
  panel: PanelGroup,
  series: readonly Series[],
  events: readonly MeshEvent[],
  end: number,
  windowMs: number,
  options: BuildOptions = {},
): PanelView {
  const nodeIds = options.nodeIds !== undefined ? options.nodeIds : panel.nodeIds && new Set(panel.nodeIds);
  const start = end - windowMs;
  let newest: PanelView['newest'] = null;
  let ahead = 0;
  const candidates: Array<{ index: number; latest: ChartPoint }> = [];
  series.forEach((points, index) => {
    const at = lastIndexAtOrBefore(points, end);
    if (at < 0) {
      if (points && points.length > 0) ahead++;
      return;
    }
    const latest = points![at]!;
    if (newest === null || latest.t > newest.t) newest = { t: latest.t, intervalMs: medianInterval(points!, at) };
    if (latest.t >= start) candidates.push({ index, latest });
  });
  // The busiest lines of a large pool: the highest latest values.
  if (candidates.length > MAX_LINES) candidates.sort((a, b) => b.latest.y - a.latest.y);
  const drawn = candidates.slice(0, MAX_LINES).sort((a, b) => a.index - b.index);

  const axisUnits: Unit[] = [];
  const lines = drawn.map(({ index, latest }): DrawnLine => {
    const line = panel.lines[index]!;
    const points = sliceWindow(series[index], start, end);
    const unit = inferUnit(line.series, ys(points));
    let axis = axisUnits.findIndex((u) => u.kind === unit.kind);
    if (axis < 0 && axisUnits.length < 2) axis = axisUnits.push(unit) - 1;
    // A third unit shares the right axis: rare, and two axes are what a panel has room for.
    return { ...line, index, points, latest, unit, axis: axis === 0 ? 'left' : 'right' };
  });
  return {
    start,
    end,
    lines,
    moreLines: candidates.length - lines.length,
    axes: axisUnits.length === 0 ? null : { left: axisUnits[0]!, right: axisUnits[1] ?? null },
    markers: markersFor(events, start, end, nodeIds),
    newest,
    heldFrom: droppedBefore(options.held ?? series, start, options.maxPoints ?? STORE_LIMITS.maxPointsPerSeries),
    ahead,
  };
}

function* ys(points: readonly ChartPoint[]): Iterable<number> {
  for (const point of points) yield point.y;
}

/** A stable offset in [0, period) from a string (FNV-1a): a panel's live phase. */
export function phaseOf(id: string, period: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % period;
}

/** How often, at most, a live panel redraws for its own points: once per second of data, like the points themselves. */
export const LIVE_STEP_MS = 1_000;

export interface PanelViewOptions {
  /**
   * `phaseMs`: where in each second this panel's live end steps. Panels
   * spread by their id (`phaseOf`) do not all redraw in the same frame (one
   * commit of a dozen Recharts drawings is a long task) but one after another.
   */
  phaseMs?: number;
  /** The wall clock: a live end never passes it (nor the gateway's newest publish time) by more than {@link FUTURE_TOLERANCE_MS}. */
  now?: () => number;
  /**
   * The store's live buffers: the shown state clips them to a paused moment,
   * and only the whole buffer tells whether older points were dropped.
   * The shown state's own charts when left out.
   */
  heldCharts?: () => RealtimeState['charts'];
  /** The store's bound on a series' points. */
  maxPoints?: number;
}

/**
 * The newest time a live window may end at: the later of the wall clock and
 * the gateway's newest publish time (its clock may run ahead of this one),
 * plus a tolerance, rounded up to the second so that the bound, and what
 * {@link newestPointTime} keeps for it, changes once a second at most.
 */
function liveEndBound(state: RealtimeState, now: number): number {
  const reference = Math.max(now, state.stream.lastBatch?.newestTs ?? Number.NEGATIVE_INFINITY);
  return Math.ceil(reference / 1_000) * 1_000 + FUTURE_TOLERANCE_MS;
}

/**
 * Keeps one panel's last view and builds a new one only when it would look
 * different, which is what lets the panel's zustand selector build an object
 * at all (a selector must answer the same state with the same value).
 *
 * While live, the window's end follows the newest point of any series (not
 * stamped ahead of the clock: see {@link liveEndBound}), and points of a busy
 * pool arrive all through a second: the view is rebuilt when the end
 * crosses into a new second, or when `tick` (the panel's once-a-second
 * clock) has moved since the last build and its own series changed. So a
 * panel redraws about once a second however busy the stream, and a point
 * that arrives last is drawn within a second all the same. Events change
 * with nearly every batch, and finding the markers reads the whole buffer of
 * 2,000, so live markers catch up on the tick too, not on every batch.
 * While paused, the end is the moment, and the state only changes on a scrub.
 */
export class PanelViewCache {
  private readonly nodeIds: ReadonlySet<string> | null;
  private readonly phaseMs: number;
  private readonly now: () => number;
  private readonly heldCharts: (() => RealtimeState['charts']) | null;
  private readonly maxPoints: number;
  private last: {
    series: Series[];
    events: readonly MeshEvent[];
    endKey: number;
    tick: number;
    /** The tick the markers were last found at. */
    markersTick: number;
    view: PanelView;
  } | null = null;
  /** The view the panel last put on screen (deferred rendering may trail the last one built). */
  private onScreen: PanelView | null = null;

  constructor(
    private readonly panel: PanelGroup,
    private readonly windowMs: number,
    { phaseMs = 0, now = Date.now, heldCharts, maxPoints = STORE_LIMITS.maxPointsPerSeries }: PanelViewOptions = {},
  ) {
    this.nodeIds = panel.nodeIds && new Set(panel.nodeIds);
    this.phaseMs = phaseMs;
    this.now = now;
    this.heldCharts = heldCharts ?? null;
    this.maxPoints = maxPoints;
  }

  /** Told after each commit, so a hold keeps exactly what the reader sees. */
  noteShown(view: PanelView | null): void {
    this.onScreen = view;
  }

  /**
   * With `hold`, the view on screen, whatever the state: a panel out of
   * view, in a hidden tab or under the crosshair keeps its drawing, and does
   * not redraw once more as the hold begins. Before anything was shown, the
   * first view is built all the same.
   */
  view(state: RealtimeState, moment: number | null, tick: number, hold = false): PanelView | null {
    if (hold) {
      const held = this.onScreen ?? this.last?.view;
      if (held) return held;
    }
    const live = moment === null;
    const end = moment ?? newestPointTime(state.charts, liveEndBound(state, this.now()));
    if (end === null) return null;
    const endKey = live ? Math.ceil((end - this.phaseMs) / LIVE_STEP_MS) : end;
    const series = this.panel.lines.map((line) => state.charts[line.series]);
    const last = this.last;
    if (last !== null && last.endKey === endKey) {
      const seriesMoved = !sameItems(last.series, series);
      if (!seriesMoved || (live && last.tick === tick)) {
        if (last.events === state.events || (live && last.markersTick === tick)) return last.view;
        // Only the events moved: a new view only if the markers did.
        const markers = markersFor(state.events, last.view.start, last.view.end, this.nodeIds);
        last.events = state.events;
        last.markersTick = tick;
        if (sameItems(markers, last.view.markers)) return last.view;
        last.view = { ...last.view, markers };
        return last.view;
      }
    }
    const heldCharts = this.heldCharts?.();
    const view = buildPanelView(this.panel, series, state.events, end, this.windowMs, {
      nodeIds: this.nodeIds,
      held: heldCharts ? this.panel.lines.map((line) => heldCharts[line.series]) : series,
      maxPoints: this.maxPoints,
    });
    this.last = { series, events: state.events, endKey, tick, markersTick: tick, view };
    return view;
  }
}
