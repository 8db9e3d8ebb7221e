/**
 * The structural half of the drawn graph, rebuilt only when the topology or
 * the folded groups change: which ids are drawn, which mesh edges each drawn
 * node's live numbers come from, and the layout job for it.
 */
import type { MeshEdge, MeshNode } from '../../protocol/mesh.ts';
import type { LayoutEdge } from './layout/layered.ts';
import {
  collapsedGroups,
  groupMembers,
  groupNodeId,
  groupOfNode,
  visibleGraph,
  type CollapseChoice,
  type VisibleGraph,
} from './visible-graph.ts';

export interface GraphStructure {
  graph: VisibleGraph;
  /** Names a remembered layout: the same folded groups lay out the same way. */
  layoutKey: string;
  layoutEdges: LayoutEdge[];
  /** For each drawn id, the mesh edges into it and out of it (from outside, for a group's box). */
  inbound: Map<string, string[]>;
  outbound: Map<string, string[]>;
  /** For each mesh node (drawn or folded), the mesh edges into and out of it: its own live numbers. */
  nodeInbound: Map<string, string[]>;
  nodeOutbound: Map<string, string[]>;
  /** Mesh node id → group, for layouts that keep groups together. */
  groupPairs: Array<[string, string]>;
  /** Adjacency of drawn ids, for keyboard moves between neighbours. */
  successors: Map<string, string[]>;
  predecessors: Map<string, string[]>;
}

export const EMPTY_STRUCTURE: GraphStructure = buildStructure({}, {}, { expanded: [], collapsed: [] });

export function buildStructure(
  nodes: Readonly<Record<string, MeshNode>>,
  edges: Readonly<Record<string, MeshEdge>>,
  choice: CollapseChoice,
): GraphStructure {
  const members = groupMembers(nodes);
  const collapsed = collapsedGroups(members, Object.keys(nodes).length, choice);
  const graph = visibleGraph(nodes, edges, collapsed, members);

  const inbound = new Map<string, string[]>();
  const outbound = new Map<string, string[]>();
  const push = (map: Map<string, string[]>, key: string, id: string) => (map.get(key) ?? map.set(key, []).get(key)!).push(id);
  const nodeInbound = new Map<string, string[]>();
  const nodeOutbound = new Map<string, string[]>();
  for (const edge of Object.values(edges)) {
    if (edge.source !== edge.target && nodes[edge.source] && nodes[edge.target]) {
      push(nodeInbound, edge.target, edge.id);
      push(nodeOutbound, edge.source, edge.id);
    }
    const source = graph.drawnAs.get(edge.source);
    const target = graph.drawnAs.get(edge.target);
    if (source === undefined || target === undefined || source === target) continue;
    push(inbound, target, edge.id);
    push(outbound, source, edge.id);
  }
  const successors = new Map<string, string[]>();
  const predecessors = new Map<string, string[]>();
  for (const edge of graph.edges) {
    push(successors, edge.source, edge.target);
    push(predecessors, edge.target, edge.source);
  }
  const groupPairs: Array<[string, string]> = [];
  for (const id of graph.nodeIds) {
    const node = nodes[id];
    if (node) groupPairs.push([id, groupOfNode(node)]);
  }
  const folded = [...collapsed].sort();
  return {
    graph,
    layoutKey: folded.map(groupNodeId).join('\n'),
    layoutEdges: graph.edges.map(({ source, target }) => ({ source, target })),
    inbound,
    outbound,
    nodeInbound,
    nodeOutbound,
    groupPairs,
    successors,
    predecessors,
  };
}
