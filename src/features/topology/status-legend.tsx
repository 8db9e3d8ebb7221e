import { memo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { NODE_STATUSES } from '../../protocol/mesh.ts';
import { useMeshNodes, type MeshNodesState } from '../../store/mesh-nodes.ts';
import { StatusGlyph } from '../../ui/status-glyph.tsx';

let countedNodes: MeshNodesState['nodes'] | null = null;
let counts: number[] = [];
/**
 * How many nodes are in each status, in `NODE_STATUSES` order. Counted once
 * per change of the nodes collection, however many components ask; with
 * `useShallow`, the legend re-renders only when a count changes.
 */
const selectStatusCounts = (state: MeshNodesState): number[] => {
  if (state.nodes !== countedNodes) {
    countedNodes = state.nodes;
    counts = NODE_STATUSES.map(() => 0);
    for (const node of Object.values(state.nodes)) counts[NODE_STATUSES.indexOf(node.status)]!++;
  }
  return counts;
};

/** What each colour and shape means, with how many nodes show it now. */
export const StatusLegend = memo(function StatusLegend() {
  const statusCounts = useMeshNodes(useShallow(selectStatusCounts));
  return (
    <ul className="status-legend" aria-label="Nodes by status">
      {NODE_STATUSES.map((status, i) => (
        <li key={status} data-empty={statusCounts[i] === 0 || undefined}>
          <StatusGlyph status={status} size={12} />
          <span className="status-legend__count">{statusCounts[i]}</span> {status}
        </li>
      ))}
    </ul>
  );
});

const EDGE_KINDS = [
  ['ok', 'ok'],
  ['degraded', '> 1 % errors or slow p95'],
  ['failing', '≥ 5 % errors'],
  ['idle', 'no traffic'],
] as const;

/** What edge colours and dashes mean, and that a stacked card is a folded group. */
export const EdgeLegend = memo(function EdgeLegend() {
  return (
    <ul className="edge-legend" aria-label="Edges and groups">
      {EDGE_KINDS.map(([health, text]) => (
        <li key={health} data-health={health}>
          <svg width="22" height="8" aria-hidden="true">
            <line x1="1" y1="4" x2="21" y2="4" />
          </svg>
          {text}
        </li>
      ))}
      <li>▣ × n: a folded group (Enter or double-click unfolds)</li>
    </ul>
  );
});
