import { memo, useMemo } from 'react';
import type { MiniMapNodeProps } from '@xyflow/react';
import { meshNodeStatusById, useMeshNodes } from '../../store/mesh-nodes.ts';

/**
 * A minimap node coloured by its live status. React Flow's `nodeColor` would
 * be read only when the graph's structure changes, and go stale.
 */
export const MiniMapMeshNode = memo(function MiniMapMeshNode({ id, x, y, width, height }: MiniMapNodeProps) {
  const status = useMeshNodes(useMemo(() => meshNodeStatusById(id), [id]));
  return <rect className="minimap-node" data-status={status ?? 'unknown'} x={x} y={y} width={width} height={height} rx={6} />;
});
