import { memo } from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
  type MouseHandlerDataParam,
  type TickItem,
} from 'recharts';
import { formatClock } from '../../lib/format.ts';
import type { ChartPoint } from '../../protocol/mesh.ts';
import type { MeshEvent } from '../../store/types.ts';
import type { PanelView } from './panel-view.ts';

/** Every dashboard panel shares it: hovering one shows the same moment on all of them. */
export const DASHBOARD_SYNC_ID = 'meshwatch-dashboard';
/** A panel with no point this close to the hovered moment shows no tooltip rather than a far one. */
export const SYNC_TOLERANCE_MS = 5_000;

/**
 * Recharts' `syncMethod`: the tick of this panel nearest in time to the one
 * hovered elsewhere. `"value"` matches labels exactly, and panels' points do
 * not share timestamps (a pool's nodes report at different instants), so
 * exact matching would leave most panels without a crosshair.
 */
export function syncByNearestTime(ticks: ReadonlyArray<TickItem>, data: MouseHandlerDataParam): number {
  const target = Number(data.activeLabel);
  if (!Number.isFinite(target)) return -1;
  let best = -1;
  let bestGap = SYNC_TOLERANCE_MS;
  ticks.forEach((tick, index) => {
    const gap = Math.abs(Number(tick.value) - target);
    if (gap <= bestGap) {
      best = index;
      bestGap = gap;
    }
  });
  return best;
}

// Series hues are kept clear of the status colours, as in the Metrics strip.
const LINE_COLORS = ['#3b82f6', '#8b5cf6', '#14b8a6', '#d946ef', '#f97316', '#0ea5e9', '#84cc16', '#e11d48'] as const;

export const lineColor = (index: number) => LINE_COLORS[index % LINE_COLORS.length]!;

const MARGIN = { top: 6, right: 4, bottom: 0, left: 0 };
const AXIS_TICK = { fontSize: 10 };
const MARKER_COLOR = { warn: 'var(--severity-warn)', error: 'var(--severity-error)' } as const;

interface MarkerShapeProps {
  x1?: number;
  y1?: number;
  x2?: number;
  y2?: number;
  stroke?: string;
}

/** A thin marker with a wider invisible stroke to hover, and the event's message as its tooltip. */
function markerShape(event: MeshEvent) {
  const title = `${formatClock(event.ts)} ${event.severity}${event.nodeId ? ` · ${event.nodeId}` : ''}: ${event.message}`;
  return function MarkerShape({ x1, y1, x2, y2, stroke }: MarkerShapeProps) {
    if (![x1, y1, x2, y2].every((v) => typeof v === 'number' && Number.isFinite(v))) return <g />;
    return (
      <g className="dash-marker" data-severity={event.severity}>
        <title>{title}</title>
        <line x1={x1} y1={y1} x2={x2} y2={y2} stroke="transparent" strokeWidth={7} />
        <line x1={x1} y1={y1} x2={x2} y2={y2} stroke={stroke} strokeWidth={1} strokeDasharray="3 2" />
      </g>
    );
  };
}

interface PanelPlotProps {
  view: PanelView;
  width: number;
  height: number;
}

/** The Recharts drawing of one panel's view: redrawn only when the view object changes. */
export const PanelPlot = memo(function PanelPlot({ view, width, height }: PanelPlotProps) {
  const { axes } = view;
  const unitByLabel = new Map(view.lines.map((line) => [line.label, line.unit]));
  return (
    <LineChart width={width} height={height} margin={MARGIN} syncId={DASHBOARD_SYNC_ID} syncMethod={syncByNearestTime}>
      <CartesianGrid className="dash-panel__grid" strokeDasharray="3 3" vertical={false} />
      <XAxis
        dataKey="t"
        type="number"
        domain={[view.start, view.end]}
        allowDataOverflow
        tickFormatter={formatClock}
        tick={AXIS_TICK}
        minTickGap={40}
      />
      <YAxis
        yAxisId="left"
        width={60}
        tick={AXIS_TICK}
        tickFormatter={axes?.left.tick}
        domain={axes?.left.zeroBased === false ? ['auto', 'auto'] : [0, 'auto']}
      />
      {axes?.right && (
        <YAxis
          yAxisId="right"
          orientation="right"
          width={60}
          tick={AXIS_TICK}
          tickFormatter={axes.right.tick}
          domain={axes.right.zeroBased ? [0, 'auto'] : ['auto', 'auto']}
        />
      )}
      <Tooltip
        isAnimationActive={false}
        labelFormatter={(t) => formatClock(Number(t))}
        formatter={(value, name) => {
          const unit = unitByLabel.get(String(name));
          return unit ? unit.format(Number(value)) : String(value);
        }}
      />
      {view.markers.map((event) => (
        <ReferenceLine
          key={event.id}
          x={event.ts}
          yAxisId="left"
          stroke={MARKER_COLOR[event.severity as 'warn' | 'error']}
          shape={markerShape(event)}
        />
      ))}
      {view.lines.map((line) => (
        <Line
          key={line.series}
          data={line.points as ChartPoint[]}
          dataKey="y"
          name={line.label}
          yAxisId={line.axis}
          stroke={lineColor(line.index)}
          strokeWidth={1.5}
          dot={false}
          isAnimationActive={false}
        />
      ))}
    </LineChart>
  );
});
