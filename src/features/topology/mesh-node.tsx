import { memo, useMemo } from 'react';
import { useStore, type NodeProps } from '@xyflow/react';
import { useRealtime } from '../../store/realtime.ts';
import { useSelection } from '../../store/selection.ts';
import { NodeCard } from './node-card.tsx';
import { nodeById } from '../../store/selectors.ts';
import { isSelected, selectShowDetail } from './selectors.ts';
import type { MeshFlowNode } from './use-flow-graph.ts';

/**
 * A graph node that selects its own `MeshNode` by id: a status change
 * re-renders this node alone, and the graph's node list stays as it is.
 */
export const MeshNodeView = memo(function MeshNodeView({ id }: NodeProps<MeshFlowNode>) {
  const node = useRealtime(useMemo(() => nodeById(id), [id]));
  const selected = useSelection(useMemo(() => isSelected(id), [id]));
  const detailed = useStore(selectShowDetail);
  // Only for the instant between a delete and the rebuild it triggers.
  if (!node) return null;
  return <NodeCard node={node} selected={selected} compact={!detailed} />;
});
