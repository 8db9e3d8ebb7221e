import { memo, useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { formatAge } from '../../lib/format-duration.ts';
import { formatClock } from '../../lib/format.ts';
import { selectMoment, useClock } from '../../store/clock.ts';
import { useRealtime } from '../../store/realtime.ts';
import { useShown } from '../../store/shown.ts';
import type { RealtimeState } from '../../store/types.ts';
import { selectWhileVisible } from '../../ui/select-while-visible.ts';
import { useDrawInTurn } from '../../ui/use-draw-in-turn.ts';
import { useElementSize } from '../../ui/use-element-size.ts';
import { useIsVisible } from '../../ui/use-is-visible.ts';
import { useNow } from '../../ui/use-now.ts';
import type { PanelGroup } from './group-series.ts';
import { lineColor, PanelPlot } from './panel-plot.tsx';
import { LIVE_STEP_MS, PanelViewCache, phaseOf, type PanelView } from './panel-view.ts';
import { stalenessNote } from './staleness.ts';

/** What a panel can ask of the dashboard; one stable object for every panel, so `memo` holds. */
export interface PanelActions {
  step: (id: string, step: -1 | 1) => void;
  setWide: (id: string, wide: boolean) => void;
  hide: (id: string) => void;
  dragStart: (id: string) => void;
  dragEnd: () => void;
  /** Whether a panel is being dragged that is not `id`. */
  canDropOn: (id: string) => boolean;
  dropOn: (id: string) => void;
  /** The pointer entered (true) or left (false) a panel's plot: the crosshair is up. */
  pointAt: (inside: boolean) => void;
}

interface DashboardPanelProps {
  panel: PanelGroup;
  windowMs: number;
  /** When the link went down, or null while it is up. */
  staleSince: number | null;
  wide: boolean;
  isFirst: boolean;
  isLast: boolean;
  /**
   * Hold the drawing still: the crosshair is on some panel. Recharts keeps a
   * synchronised crosshair as an index into each chart's points, so redrawn
   * points would slide the other panels' crosshairs to other times; and a
   * reader wants to read the values under the pointer, as Netdata's charts
   * pause while hovered.
   */
  held: boolean;
  actions: PanelActions;
}

const FALLBACK_SIZE = { width: 360, height: 150 };

/** The store's whole buffers: the shown state clips them to a paused moment, and only these tell what was dropped. */
const liveCharts = () => useRealtime.getState().charts;

/** "points before 09:12:03 are no longer held": the window reaches back past what a full buffer still holds. */
function heldNote(view: PanelView | null): string | null {
  return view?.heldFrom != null ? `points before ${formatClock(view.heldFrom)} are no longer held` : null;
}

/** What a panel with no line to draw says instead. */
function emptyText(view: PanelView | null, windowMs: number, live: boolean): string {
  if (view === null) return 'waiting for data';
  const held = heldNote(view);
  if (held !== null) return held;
  // Live, the window ends at the newest point not ahead of the clock; a moment is simply before these points.
  if (view.newest === null) return live && view.ahead > 0 ? 'its points are stamped ahead of the clock' : 'waiting for data';
  return `no points in the last ${formatAge(windowMs)}`;
}

/**
 * Tells the dashboard the pointer left when a panel that has it goes away
 * (its series are gone): no pointerleave comes then, and the crosshair's
 * hold would keep every other panel still.
 */
function usePointerInside(pointAt: (inside: boolean) => void) {
  const inside = useRef(false);
  useEffect(
    () => () => {
      if (inside.current) pointAt(false);
    },
    [pointAt],
  );
  return {
    onPointerEnter: () => {
      inside.current = true;
      pointAt(true);
    },
    onPointerLeave: () => {
      inside.current = false;
      pointAt(false);
    },
  };
}

/**
 * Whether the crosshair holds this panel: while `held`, if the panel was on
 * screen when the hold began. One scrolled into view during the hold keeps
 * updating instead, rather than hold what it showed before it left the screen.
 */
function usePointerHold(held: boolean, visible: boolean): boolean {
  const [heldOnScreen, setHeldOnScreen] = useState<boolean | null>(null);
  const next = held ? (heldOnScreen ?? visible) : null;
  if (next !== heldOnScreen) setHeldOnScreen(next);
  return next === true;
}

/**
 * One panel of the dashboard. It subscribes only to its own series (through
 * a cache that rebuilds its view about once a second while live); out of
 * view, in a hidden tab or under the crosshair it keeps its last drawing
 * and nothing re-renders it when points arrive. It draws at transition
 * priority, like the Metrics strip, so a dozen panels never block the graph
 * and the feed.
 */
export const DashboardPanel = memo(function DashboardPanel({
  panel,
  windowMs,
  staleSince,
  wide,
  isFirst,
  isLast,
  held,
  actions,
}: DashboardPanelProps) {
  const figureRef = useRef<HTMLElement>(null);
  const visible = useIsVisible(figureRef);
  const moment = useClock(useMemo(() => selectWhileVisible(selectMoment, visible), [visible]));
  const live = moment === null;
  const pointerHold = usePointerHold(held, visible);
  const updating = visible && !pointerHold;
  // The panel's own clock: late points of a busy second, and the staleness note, move with it.
  const tick = useNow(updating && live, LIVE_STEP_MS);
  const cache = useMemo(
    () => new PanelViewCache(panel, windowMs, { phaseMs: phaseOf(panel.id, LIVE_STEP_MS), heldCharts: liveCharts }),
    [panel, windowMs],
  );
  const select = useMemo(
    () => (state: RealtimeState) => cache.view(state, moment, tick, !updating),
    [cache, moment, tick, updating],
  );
  const view = useDeferredValue(useShown(select));
  useLayoutEffect(() => cache.noteShown(view), [cache, view]);
  const plotRef = useRef<HTMLDivElement>(null);
  const { width, height } = useElementSize(plotRef, FALLBACK_SIZE);
  const hasLines = view !== null && view.lines.length > 0;
  const drawPlot = useDrawInTurn(hasLines);
  const [dropTarget, setDropTarget] = useState(false);

  const note = stalenessNote({ now: tick, moment, staleSince, newest: view?.newest ?? null });
  const droppedNote = hasLines ? heldNote(view) : null;
  const pointer = usePointerInside(actions.pointAt);
  const title = panel.title;

  const onDragOver = (event: DragEvent) => {
    if (!actions.canDropOn(panel.id)) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
    if (!dropTarget) setDropTarget(true);
  };

  return (
    <figure
      ref={figureRef}
      className={`dash-panel${wide ? ' dash-panel--wide' : ''}${dropTarget ? ' dash-panel--drop' : ''}`}
      aria-label={title}
      data-stale={note !== null || undefined}
      data-held={pointerHold || undefined}
      onDragOver={onDragOver}
      onDragLeave={(event) => {
        // Moving between the panel's own children fires dragleave too.
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDropTarget(false);
      }}
      onDrop={(event) => {
        event.preventDefault();
        setDropTarget(false);
        actions.dropOn(panel.id);
      }}
    >
      <figcaption className="dash-panel__caption">
        <span
          className="dash-panel__grip"
          draggable
          title="Drag to move"
          aria-hidden="true"
          onDragStart={(event) => {
            event.dataTransfer?.setData('text/plain', title);
            if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
            actions.dragStart(panel.id);
          }}
          onDragEnd={actions.dragEnd}
        >
          ⠿
        </span>
        <span className="dash-panel__title" title={title}>
          {title}
        </span>
        {note && <span className="dash-panel__stale">{note}</span>}
        <span className="dash-panel__controls">
          <button
            type="button"
            disabled={isFirst}
            aria-label={`Move ${title} earlier`}
            title="Move earlier"
            onClick={() => actions.step(panel.id, -1)}
          >
            ←
          </button>
          <button
            type="button"
            disabled={isLast}
            aria-label={`Move ${title} later`}
            title="Move later"
            onClick={() => actions.step(panel.id, 1)}
          >
            →
          </button>
          <button
            type="button"
            aria-pressed={wide}
            aria-label={`Wide ${title}`}
            title={wide ? 'Normal width' : 'Wide'}
            onClick={() => actions.setWide(panel.id, !wide)}
          >
            ⇔
          </button>
          <button type="button" aria-label={`Hide ${title}`} title="Hide" onClick={() => actions.hide(panel.id)}>
            ✕
          </button>
        </span>
      </figcaption>
      <div className="dash-panel__legend">
        {view?.lines.map((line) => (
          <span key={line.series} className="dash-panel__latest" title={line.series}>
            <span
              className="dash-panel__swatch"
              style={{ background: lineColor(line.index) }}
              aria-hidden="true"
            />
            {line.label} {line.unit.format(line.latest.y)}
          </span>
        ))}
        {view !== null && view.moreLines > 0 && <span className="dash-panel__more">+{view.moreLines} more</span>}
        {droppedNote !== null && <span className="dash-panel__held">{droppedNote}</span>}
      </div>
      <div
        ref={plotRef}
        className="dash-panel__plot"
        {...pointer}
      >
        {drawPlot && view !== null && hasLines ? (
          <PanelPlot view={view} width={width} height={height} />
        ) : (
          !hasLines && <p className="plot-waiting dash-panel__waiting">{emptyText(view, windowMs, live)}</p>
        )}
      </div>
    </figure>
  );
});
