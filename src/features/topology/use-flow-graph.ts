/**
 * React Flow's node and edge arrays, kept apart from the mesh's live numbers.
 *
 * The arrays are rebuilt only when `topologyVersion` changes (a node or edge
 * came, went or was rewired), never for a status or a stat: those are read by
 * each node and edge component on its own. On a rebuild, every node whose
 * position and label are unchanged keeps its object, so React Flow (which
 * compares by identity) skips it and keeps its measurements.
 */
import { useCallback, useState } from 'react';
import { MarkerType, applyNodeChanges, type Edge, type Node, type NodeChange } from '@xyflow/react';
import { useRealtime, type RealtimeState } from '../../store/realtime.ts';
import { selectSelect, useSelection } from '../../store/selection.ts';
import { emptyLayout, layoutGraph, pinPosition, type LayoutState } from './layout/layered.ts';
import { selectTopologyVersion } from '../../store/selectors.ts';

/** Nodes and edges carry no data: their components select what they show from the store by id. */
type NoData = Record<string, never>;
export type MeshFlowNode = Node<NoData, 'mesh'>;
export type MeshFlowEdge = Edge<NoData, 'mesh'>;

const NO_DATA: NoData = Object.freeze({}) as NoData;
/** One marker for every edge: React Flow renders one `<marker>` per distinct definition. */
const ARROW = { type: MarkerType.ArrowClosed, width: 14, height: 14, color: '#8b93a1' } as const;

interface FlowGraph {
  version: number;
  layout: LayoutState;
  nodes: MeshFlowNode[];
  edges: MeshFlowEdge[];
}

const INITIAL: FlowGraph = { version: 0, layout: emptyLayout(), nodes: [], edges: [] };

/**
 * The graph each previous graph was rebuilt into. A first layout of 500 nodes
 * takes a few hundred milliseconds, and StrictMode renders twice in
 * development: the second render reuses the first one's result.
 */
const rebuilt = new WeakMap<FlowGraph, { from: Pick<RealtimeState, 'nodes' | 'edges'>; graph: FlowGraph }>();

function rebuildOnce(previous: FlowGraph, version: number): FlowGraph {
  const { nodes, edges } = useRealtime.getState();
  const cached = rebuilt.get(previous);
  if (cached && cached.graph.version === version && cached.from.nodes === nodes && cached.from.edges === edges) {
    return cached.graph;
  }
  const graph = rebuild(previous, version);
  rebuilt.set(previous, { from: { nodes, edges }, graph });
  return graph;
}

function rebuild(previous: FlowGraph, version: number): FlowGraph {
  // Read once, here, rather than subscribed: this must not run for a status change.
  const { nodes, edges } = useRealtime.getState();
  const ids = Object.keys(nodes);
  // An edge may name a node that has not arrived yet; it is drawn once both ends exist.
  const liveEdges = Object.values(edges).filter((edge) => nodes[edge.source] && nodes[edge.target]);
  const layout = layoutGraph(previous.layout, ids, liveEdges);

  const previousNodes = new Map(previous.nodes.map((node) => [node.id, node]));
  const flowNodes = ids.map((id): MeshFlowNode => {
    const position = layout.positions.get(id)!;
    const ariaLabel = nodes[id]!.label || id;
    const before = previousNodes.get(id);
    if (before && before.position.x === position.x && before.position.y === position.y && before.ariaLabel === ariaLabel) {
      return before;
    }
    return { ...before, id, type: 'mesh', position, data: NO_DATA, ariaLabel };
  });

  const previousEdges = new Map(previous.edges.map((edge) => [edge.id, edge]));
  const flowEdges = liveEdges.map((edge): MeshFlowEdge => {
    const ariaLabel = `${nodes[edge.source]!.label || edge.source} to ${nodes[edge.target]!.label || edge.target}`;
    const before = previousEdges.get(edge.id);
    if (before && before.source === edge.source && before.target === edge.target && before.ariaLabel === ariaLabel) {
      return before;
    }
    return { id: edge.id, type: 'mesh', source: edge.source, target: edge.target, data: NO_DATA, ariaLabel, markerEnd: ARROW };
  });

  return { version, layout, nodes: flowNodes, edges: flowEdges };
}

interface FlowGraphState {
  nodes: MeshFlowNode[];
  edges: MeshFlowEdge[];
  onNodesChange: (changes: NodeChange<MeshFlowNode>[]) => void;
}

export function useFlowGraph(): FlowGraphState {
  const version = useRealtime(selectTopologyVersion);
  const select = useSelection(selectSelect);
  const [graph, setGraph] = useState(INITIAL);

  // Derived during render (React's "adjust state when a prop changes"), so
  // the new structure and the components that read it commit together.
  let current = graph;
  if (graph.version !== version) {
    current = rebuildOnce(graph, version);
    setGraph(current);
  }

  const onNodesChange = useCallback(
    (changes: NodeChange<MeshFlowNode>[]) => {
      const applied: NodeChange<MeshFlowNode>[] = [];
      for (const change of changes) {
        // Selection lives in the selection store (React Flow's click and
        // keyboard selection both arrive here); nodes leave only when the mesh
        // says so. Only sizes and dragged positions apply to the arrays.
        if (change.type === 'select' && change.selected) select(change.id);
        else if (change.type === 'position' || change.type === 'dimensions') applied.push(change);
      }
      if (applied.length === 0) return;
      setGraph((g) => {
        let layout = g.layout;
        for (const change of applied) {
          // Pinned at every step of a drag, so a rebuild mid-drag does not snap the node back.
          if (change.type === 'position' && change.position) layout = pinPosition(layout, change.id, change.position);
        }
        return { ...g, layout, nodes: applyNodeChanges(applied, g.nodes) };
      });
    },
    [select],
  );

  return { nodes: current.nodes, edges: current.edges, onNodesChange };
}
