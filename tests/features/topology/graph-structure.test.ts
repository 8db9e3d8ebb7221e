import { describe, expect, it } from 'vitest';
import type { MeshEdge, MeshNode } from '../../../src/protocol/mesh.ts';
import { buildStructure, EMPTY_STRUCTURE } from '../../../src/features/topology/graph-structure.ts';
import { groupNodeId } from '../../../src/features/topology/visible-graph.ts';
import { edge, node } from '../mesh-fixtures.ts';

function nodesOf(list: readonly MeshNode[]): Record<string, MeshNode> {
  const record = Object.create(null) as Record<string, MeshNode>;
  for (const n of list) record[n.id] = n;
  return record;
}
function edgesOf(list: readonly MeshEdge[]): Record<string, MeshEdge> {
  const record = Object.create(null) as Record<string, MeshEdge>;
  for (const e of list) record[e.id] = e;
  return record;
}
const sorted = (ids: readonly string[] | undefined) => [...(ids ?? [])].sort();

const NODES = nodesOf([
  node('frontier', 'frontier'),
  node('fetcher-0', 'fetcher', { group: 'fetchers' }),
  node('fetcher-1', 'fetcher', { group: 'fetchers' }),
  node('fetcher-2', 'fetcher', { group: 'fetchers' }),
  node('parser-0', 'parser', { group: 'parsers' }),
  node('parser-1', 'parser', { group: 'parsers' }),
  node('queue', 'queue'),
]);
const EDGES = edgesOf([
  edge('frontier', 'fetcher-0'),
  edge('frontier', 'fetcher-1'),
  edge('frontier', 'fetcher-2'),
  edge('fetcher-0', 'parser-0'),
  edge('fetcher-1', 'parser-1'),
  edge('fetcher-2', 'parser-1'),
  edge('fetcher-0', 'fetcher-1'),
  edge('parser-0', 'queue'),
  edge('parser-1', 'queue'),
  edge('queue', 'queue'),
  edge('queue', 'missing'),
]);
const BOX = groupNodeId('fetchers');
const FOLD_FETCHERS = { expanded: [], collapsed: ['fetchers'] };

describe('buildStructure', () => {
  it('names its layout by the folded groups, in a stable order whatever order they were folded in', () => {
    expect(buildStructure(NODES, EDGES, { expanded: [], collapsed: [] }).layoutKey).toBe('');
    const one = buildStructure(NODES, EDGES, { expanded: [], collapsed: ['parsers', 'fetchers'] });
    const other = buildStructure(NODES, EDGES, { expanded: [], collapsed: ['fetchers', 'parsers'] });
    expect(one.layoutKey).toBe(`${groupNodeId('fetchers')}\n${groupNodeId('parsers')}`);
    expect(other.layoutKey).toBe(one.layoutKey);
    expect(buildStructure(NODES, EDGES, FOLD_FETCHERS).layoutKey).toBe(BOX);
  });

  it('lays out the drawn graph: drawn ids, their edges, and the group of each drawn mesh node', () => {
    const structure = buildStructure(NODES, EDGES, FOLD_FETCHERS);
    expect(sorted(structure.graph.nodeIds)).toEqual(sorted(['frontier', 'parser-0', 'parser-1', 'queue', BOX]));
    expect(structure.layoutEdges).toEqual(structure.graph.edges.map(({ source, target }) => ({ source, target })));
    expect(structure.layoutEdges).toContainEqual({ source: 'frontier', target: BOX });
    // Group boxes have no group of their own; mesh nodes carry theirs (their kind when they have none).
    expect(new Map(structure.groupPairs)).toEqual(
      new Map([
        ['frontier', 'frontier'],
        ['parser-0', 'parsers'],
        ['parser-1', 'parsers'],
        ['queue', 'queue'],
      ]),
    );
  });

  it("lists each drawn node's mesh edges, a folded group's being those that cross its border", () => {
    const structure = buildStructure(NODES, EDGES, FOLD_FETCHERS);
    expect(sorted(structure.inbound.get(BOX))).toEqual(['frontier->fetcher-0', 'frontier->fetcher-1', 'frontier->fetcher-2']);
    // fetcher-0 -> fetcher-1 stays inside the box: it is neither in nor out.
    expect(sorted(structure.outbound.get(BOX))).toEqual(['fetcher-0->parser-0', 'fetcher-1->parser-1', 'fetcher-2->parser-1']);
    expect(sorted(structure.inbound.get('parser-1'))).toEqual(['fetcher-1->parser-1', 'fetcher-2->parser-1']);
    expect(sorted(structure.inbound.get('queue'))).toEqual(['parser-0->queue', 'parser-1->queue']);
    // A self-loop and an edge to a node that has not arrived count for nobody.
    expect(structure.outbound.get('queue')).toBeUndefined();
    expect(structure.inbound.get('frontier')).toBeUndefined();
  });

  it("lists every mesh node's own edges, folded or not, without self-loops or dangling edges", () => {
    const structure = buildStructure(NODES, EDGES, FOLD_FETCHERS);
    expect(structure.nodeInbound.get('fetcher-1')).toEqual(['frontier->fetcher-1', 'fetcher-0->fetcher-1']);
    expect(structure.nodeOutbound.get('fetcher-0')).toEqual(['fetcher-0->parser-0', 'fetcher-0->fetcher-1']);
    expect(structure.nodeOutbound.get('queue')).toBeUndefined();
    expect(sorted(structure.nodeInbound.get('queue'))).toEqual(['parser-0->queue', 'parser-1->queue']);
    expect(structure.nodeInbound.has(BOX)).toBe(false);
  });

  it('gives keyboard moves the adjacency of drawn ids', () => {
    const structure = buildStructure(NODES, EDGES, FOLD_FETCHERS);
    expect(structure.successors.get('frontier')).toEqual([BOX]);
    expect(sorted(structure.successors.get(BOX))).toEqual(['parser-0', 'parser-1']);
    expect(structure.predecessors.get(BOX)).toEqual(['frontier']);
    // The self-loop is drawn, so queue neighbours itself (keyboard moves skip the node they start from).
    expect(sorted(structure.predecessors.get('queue'))).toEqual(['parser-0', 'parser-1', 'queue']);
    for (const [from, to] of structure.successors) {
      for (const id of to) expect(structure.predecessors.get(id)).toContain(from);
    }
  });

  it('follows the automatic choice and the user choice through to the drawn graph', () => {
    const open = buildStructure(NODES, EDGES, { expanded: [], collapsed: [] });
    expect(open.graph.nodeIds).toContain('fetcher-0');
    expect(open.successors.get('frontier')).toEqual(['fetcher-0', 'fetcher-1', 'fetcher-2']);
    const all = buildStructure(NODES, EDGES, { expanded: ['*'], collapsed: [] });
    expect(all.layoutKey).toBe('');
  });

  it('is empty for an empty mesh', () => {
    expect(EMPTY_STRUCTURE.graph.nodeIds).toEqual([]);
    expect(EMPTY_STRUCTURE.graph.edges).toEqual([]);
    expect(EMPTY_STRUCTURE.layoutKey).toBe('');
    expect(EMPTY_STRUCTURE.groupPairs).toEqual([]);
  });
});
