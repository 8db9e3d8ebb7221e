/**
 * What the graph draws: the mesh with some groups folded into one box each.
 *
 * A node belongs to its `group`, or to its kind when it has none. A collapsed
 * group shows as one node (`fetchers × 48`); edges into or out of it are
 * merged per pair of visible ends, so 1,241 `politeness → fetcher` edges
 * become one `politeness → fetchers` edge carrying their summed traffic.
 * Edges inside a collapsed group are not drawn.
 *
 * Pure and structural: it runs when the topology or the set of collapsed
 * groups changes, never for a status or a stat.
 */
import type { MeshEdge, MeshNode } from '../../protocol/mesh.ts';

/**
 * The id of a group's box. A mesh id may be any string, this one included:
 * `visibleGraph` lengthens a box id that a mesh node already has, and what is
 * a box is told by `boxes`, never by the prefix.
 */
export const GROUP_ID_PREFIX = 'group::';
export const AGGREGATE_EDGE_PREFIX = 'edges::';

/**
 * Above this many visible nodes, the largest groups fold until the rest fit:
 * a few hundred cards is what a screen can show readably (and what React
 * Flow draws smoothly).
 */
export const AUTO_COLLAPSE_ABOVE = 300;

export const groupNodeId = (group: string): string => `${GROUP_ID_PREFIX}${group}`;
export const groupOfNode = (node: Pick<MeshNode, 'group' | 'kind'>): string => node.group || node.kind;

export interface VisibleEdge {
  id: string;
  source: string;
  target: string;
  /** The mesh edges it stands for: itself, or all those it merges. */
  members: readonly string[];
}

export interface GroupInfo {
  name: string;
  members: readonly string[];
  collapsed: boolean;
}

export interface VisibleGraph {
  /** Visible mesh node ids, then collapsed groups' box ids. */
  nodeIds: string[];
  edges: VisibleEdge[];
  /** Every group of two or more nodes, collapsed or not. */
  groups: Map<string, GroupInfo>;
  /** Mesh node id → the id it is drawn as (itself, or its group's box). */
  drawnAs: Map<string, string>;
  /** The box id of each folded group → the group's name. */
  boxes: Map<string, string>;
}

/** The groups an operator would fold first, largest first, until at most `limit` nodes show. */
export function autoCollapsedGroups(groupSizes: ReadonlyMap<string, number>, totalNodes: number, limit = AUTO_COLLAPSE_ABOVE): Set<string> {
  const collapsed = new Set<string>();
  let visible = totalNodes;
  if (visible <= limit) return collapsed;
  const bySize = [...groupSizes].filter(([, size]) => size > 1).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  for (const [name, size] of bySize) {
    if (visible <= limit) break;
    collapsed.add(name);
    visible -= size - 1;
  }
  return collapsed;
}

export interface CollapseChoice {
  /** Groups the user expanded; `*` expands every group. */
  expanded: readonly string[];
  /** Groups the user collapsed. */
  collapsed: readonly string[];
}

/** Members of each group of two or more nodes, in id order. */
export function groupMembers(nodes: Readonly<Record<string, MeshNode>>): Map<string, string[]> {
  const members = new Map<string, string[]>();
  for (const id of Object.keys(nodes).sort()) {
    const group = groupOfNode(nodes[id]!);
    (members.get(group) ?? members.set(group, []).get(group)!).push(id);
  }
  for (const [name, ids] of members) if (ids.length < 2) members.delete(name);
  return members;
}

/** Which groups are folded: the automatic choice, overridden by the user's either way. */
export function collapsedGroups(members: ReadonlyMap<string, readonly string[]>, totalNodes: number, choice: CollapseChoice): Set<string> {
  const sizes = new Map([...members].map(([name, ids]) => [name, ids.length]));
  const expandAll = choice.expanded.includes('*');
  const collapsed = expandAll ? new Set<string>() : autoCollapsedGroups(sizes, totalNodes);
  for (const name of choice.collapsed) if (members.has(name)) collapsed.add(name);
  if (!expandAll) for (const name of choice.expanded) collapsed.delete(name);
  return collapsed;
}

export function visibleGraph(
  nodes: Readonly<Record<string, MeshNode>>,
  edges: Readonly<Record<string, MeshEdge>>,
  collapsed: ReadonlySet<string>,
  members: ReadonlyMap<string, readonly string[]> = groupMembers(nodes),
): VisibleGraph {
  const drawnAs = new Map<string, string>();
  const groups = new Map<string, GroupInfo>();
  const boxes = new Map<string, string>();
  for (const [name, ids] of members) {
    const folded = collapsed.has(name);
    groups.set(name, { name, members: ids, collapsed: folded });
    if (!folded) continue;
    let box = groupNodeId(name);
    while (box in nodes || boxes.has(box)) box += '~';
    boxes.set(box, name);
    for (const id of ids) drawnAs.set(id, box);
  }
  const nodeIds: string[] = [];
  for (const id of Object.keys(nodes)) {
    if (!drawnAs.has(id)) {
      drawnAs.set(id, id);
      nodeIds.push(id);
    }
  }
  for (const box of boxes.keys()) nodeIds.push(box);

  const visibleEdges: VisibleEdge[] = [];
  const merged = new Map<string, { source: string; target: string; members: string[] }>();
  for (const edge of Object.values(edges)) {
    const source = drawnAs.get(edge.source);
    const target = drawnAs.get(edge.target);
    // An edge may name a node that has not arrived yet; it is drawn once both ends exist.
    if (source === undefined || target === undefined) continue;
    if (source === edge.source && target === edge.target) {
      visibleEdges.push({ id: edge.id, source, target, members: [edge.id] });
      continue;
    }
    if (source === target) continue; // inside one collapsed group
    const pair = `${source}\u2192${target}`;
    const entry = merged.get(pair);
    if (entry) entry.members.push(edge.id);
    else merged.set(pair, { source, target, members: [edge.id] });
  }
  // Like a box's id, a merged edge's id is lengthened when a mesh edge already has it.
  const taken = new Set<string>();
  for (const [pair, entry] of merged) {
    let id = `${AGGREGATE_EDGE_PREFIX}${pair}`;
    while (id in edges || taken.has(id)) id += '~';
    taken.add(id);
    visibleEdges.push({ id, ...entry });
  }
  return { nodeIds, edges: visibleEdges, groups, drawnAs, boxes };
}
