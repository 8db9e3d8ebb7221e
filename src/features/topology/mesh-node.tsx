import { memo, useCallback, useMemo } from 'react';
import { type NodeProps } from '@xyflow/react';
import { selectSelect, useSelection } from '../../store/selection.ts';
import { meshNodeById, useMeshNodes } from '../../store/mesh-nodes.ts';
import { useRealtimeWhile } from './use-realtime-while.ts';
import { findMarkOf, useFindResult } from './find-store.ts';
import { useGraphHandle, useShowDetail } from './graph-context.ts';
import { NO_METRICS, nodeMetricsSelector, type NodeMetrics } from './live-metrics.ts';
import { NodeCard } from './node-card.tsx';
import { isSelected } from './selectors.ts';
import { describeNodeForSpeech } from './speech.ts';
import { useGlow } from './use-glow.ts';
import { useNodeKeyboard } from './use-node-keyboard.ts';
import type { MeshNodeData, MeshNodeFlowNode } from './use-flow-graph.ts';

type MeshNodeProps = NodeProps<MeshNodeFlowNode>;
const noMetrics = (): NodeMetrics | null => null;

/**
 * A graph node that selects its own `MeshNode` by id: a status change
 * re-renders this node alone, and the graph's node list stays as it is.
 * Its live numbers are read only while it has keyboard focus, for the label
 * a screen reader speaks.
 */
export const MeshNodeView = memo(function MeshNodeView({ id, data }: MeshNodeProps) {
  const node = useMeshNodes(useMemo(() => meshNodeById(id), [id]));
  const selected = useSelection(useMemo(() => isSelected(id), [id]));
  const select = useSelection(selectSelect);
  const detailed = useShowDetail();
  const mark = useFindResult(useMemo(() => findMarkOf(id), [id]));
  const glow = useGlow(node?.status, (data as MeshNodeData).appearedAt);
  const open = useCallback(() => select(id), [select, id]);
  const close = useCallback(() => select(null), [select]);
  const keyboard = useNodeKeyboard(id, open, close);
  const graph = useGraphHandle();
  const metricsSelector = useMemo(
    () => (keyboard.isTarget ? nodeMetricsSelector(graph.current.inbound.get(id) ?? [], graph.current.outbound.get(id) ?? []) : noMetrics),
    [keyboard.isTarget, graph, id],
  );
  // Subscribed only while focused: thousands of idle subscriptions would each run on every batch.
  const metrics = useRealtimeWhile(keyboard.isTarget, metricsSelector);
  // Only for the instant between a delete and the rebuild it triggers.
  if (!node) return null;
  return (
    <NodeCard
      node={node}
      selected={selected}
      compact={!detailed}
      mark={mark}
      glow={glow}
      focus={{ ...keyboard, label: describeNodeForSpeech(node, keyboard.isTarget ? (metrics ?? NO_METRICS) : null) }}
    />
  );
});
