import { memo, useMemo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, useStore, type EdgeProps } from '@xyflow/react';
import { useRealtime } from '../../store/realtime.ts';
import { useSelection } from '../../store/selection.ts';
import { edgeHealth, edgeLabel, edgeTitle, edgeWidth } from '../../lib/edge-health.ts';
import { edgeStatsById, selectShowDetail, touchesSelection } from './selectors.ts';
import type { MeshFlowEdge } from './use-flow-graph.ts';

/** A graph edge that selects its own stats by id: colour and width by health, a throughput label. */
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
}: EdgeProps<MeshFlowEdge>) {
  const stats = useRealtime(useMemo(() => edgeStatsById(id), [id]));
  const highlighted = useSelection(useMemo(() => touchesSelection(source, target), [source, target]));
  const showLabel = useStore(selectShowDetail);
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const health = edgeHealth(stats);
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        className={`mesh-edge mesh-edge--${health}${highlighted ? ' mesh-edge--highlighted' : ''}`}
        style={{ strokeWidth: edgeWidth(stats) }}
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
