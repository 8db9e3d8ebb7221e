import { memo, useMemo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { type RealtimeState } from '../../store/realtime.ts';
import { useShown } from '../../store/shown.ts';
import { useSelection } from '../../store/selection.ts';
import { edgeHealth, edgeLabel, edgeTitle, edgeWidth } from '../../lib/edge-health.ts';
import { edgeLook, parseLook } from './edge-look.ts';
import type { EdgeStats } from '../../protocol/mesh.ts';
import { summedStatsSelector } from './live-metrics.ts';
import { edgeStatsById, touchesSelection } from './selectors.ts';
import { useShowDetail } from './graph-context.ts';
import { useGlow } from './use-glow.ts';
import { useTopologyView } from './view-store.ts';
import type { MeshEdgeData, MeshEdgeFlowEdge } from './use-flow-graph.ts';

const selectAnimate = (s: { animate: boolean }) => s.animate;
const noStats = (): EdgeStats | undefined => undefined;
const constantLook = (): string => '';

/** The look of the stats `select` picks, recomputed only when they are a new object. */
function lookOf(select: (state: RealtimeState) => EdgeStats | undefined): (state: RealtimeState) => string {
  let lastStats: EdgeStats | undefined | null = null;
  let last = '';
  return (state) => {
    const stats = select(state);
    if (stats !== lastStats) {
      lastStats = stats;
      last = edgeLook(stats);
    }
    return last;
  };
}

/**
 * A graph edge that selects its own stats by id (or the sum of the edges it
 * stands for, into or out of a folded group): colour and width by health, a
 * label with throughput, errors and p95 when zoomed in enough to read.
 */
export const MeshEdgeView = memo(function MeshEdgeView({
  id,
  source,
  target,
  sourceX,
  sourceY,
  targetX,
  targetY,
  sourcePosition,
  targetPosition,
  markerEnd,
  data,
}: EdgeProps<MeshEdgeFlowEdge>) {
  const { members, appearedAt } = data as MeshEdgeData;
  const single = members.length === 1 && members[0] === id;
  const showLabel = useShowDetail();
  // Zoomed out, no number is readable: subscribe to the look alone (health and a width step), which
  // changes far less often than the stats, so thousands of edges stay still under 10k messages/s.
  const statsSelector = useMemo(() => (single ? edgeStatsById(id) : summedStatsSelector(members)), [single, id, members]);
  const lookSelector = useMemo(() => (showLabel ? constantLook : lookOf(statsSelector)), [showLabel, statsSelector]);
  const look = useShown(lookSelector);
  const stats = useShown(showLabel ? statsSelector : noStats);
  const highlighted = useSelection(useMemo(() => touchesSelection(source, target), [source, target]));
  const animate = useTopologyView(selectAnimate);
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const { health, width, flowing } = showLabel ? { health: edgeHealth(stats), width: edgeWidth(stats), flowing: (stats?.rps ?? 0) > 0 } : parseLook(look);
  const glow = useGlow(health, appearedAt);
  const moving = animate && flowing;
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        className={`mesh-edge mesh-edge--${health}${highlighted ? ' mesh-edge--highlighted' : ''}${glow ? ` mesh-edge--glow${glow}` : ''}${moving ? ' mesh-edge--moving' : ''}`}
        style={{ strokeWidth: width }}
      />
      {stats && showLabel && (
        <EdgeLabelRenderer>
          <div
            className="mesh-edge__label nodrag nopan"
            data-health={health}
            data-highlighted={highlighted || undefined}
            title={edgeTitle(stats)}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            {edgeLabel(stats)}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});
