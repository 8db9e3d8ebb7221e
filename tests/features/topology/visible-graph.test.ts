import { describe, expect, it } from 'vitest';
import type { MeshEdge, MeshNode } from '../../../src/protocol/mesh.ts';
import {
  AGGREGATE_EDGE_PREFIX,
  AUTO_COLLAPSE_ABOVE,
  autoCollapsedGroups,
  collapsedGroups,
  groupMembers,
  groupNodeId,
  groupOfNode,
  visibleGraph,
} from '../../../src/features/topology/visible-graph.ts';
import { edge, node } from '../mesh-fixtures.ts';

/** Records the way the store keeps them: no prototype, so any id is just a key. */
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

/** `count` nodes `${prefix}-0…` in group `group` (kind = prefix). */
function pool(prefix: string, count: number, group?: string): MeshNode[] {
  return Array.from({ length: count }, (_, i) => node(`${prefix}-${i}`, prefix, group === undefined ? {} : { group }));
}

const crawlerNodes = [
  node('frontier', 'frontier'),
  ...pool('fetcher', 3, 'fetchers'),
  node('parser', 'parser'),
  node('queue', 'queue'),
];
const crawlerEdges = [
  edge('frontier', 'fetcher-0'),
  edge('frontier', 'fetcher-1'),
  edge('frontier', 'fetcher-2'),
  edge('fetcher-0', 'parser'),
  edge('fetcher-1', 'parser'),
  edge('fetcher-2', 'parser'),
  edge('parser', 'queue'),
];

const NO_CHOICE = { expanded: [], collapsed: [] };
const sortedIds = (ids: Iterable<string>) => [...ids].sort();

describe('groupMembers', () => {
  it('groups by `group`, or by kind when a node has none, members in id order', () => {
    const nodes = nodesOf([
      node('b', 'worker', { group: 'pool' }),
      node('a', 'worker', { group: 'pool' }),
      node('c', 'cache'),
      node('d', 'cache'),
      node('e', 'db', { group: '' }),
      node('f', 'db'),
    ]);
    const members = groupMembers(nodes);
    expect([...members.keys()].sort()).toEqual(['cache', 'db', 'pool']);
    expect(members.get('pool')).toEqual(['a', 'b']);
    expect(members.get('cache')).toEqual(['c', 'd']);
    // An empty group name falls back to the kind.
    expect(members.get('db')).toEqual(['e', 'f']);
    expect(groupOfNode({ group: '', kind: 'db' })).toBe('db');
  });

  it('leaves out groups of one node', () => {
    const members = groupMembers(nodesOf(crawlerNodes));
    expect([...members.keys()]).toEqual(['fetchers']);
  });
});

describe('autoCollapsedGroups', () => {
  it('folds nothing at or below the limit', () => {
    expect(autoCollapsedGroups(new Map([['big', 300]]), AUTO_COLLAPSE_ABOVE)).toEqual(new Set());
    expect(autoCollapsedGroups(new Map([['big', 10]]), 10, 10)).toEqual(new Set());
  });

  it('folds the largest groups first, only until the rest fit', () => {
    // 100 + 90 + 80 + 70 grouped, 100 alone: 440 nodes.
    const sizes = new Map([
      ['c', 80],
      ['a', 100],
      ['d', 70],
      ['b', 90],
    ]);
    // Folding a: 440 - 99 = 341 > 300; folding b too: 341 - 89 = 252.
    expect(autoCollapsedGroups(sizes, 440)).toEqual(new Set(['a', 'b']));
    // Just over the limit: the largest alone is enough.
    expect(autoCollapsedGroups(sizes, 301)).toEqual(new Set(['a']));
  });

  it('breaks ties between equal sizes by name, so the choice is stable', () => {
    const sizes = new Map([
      ['zeta', 50],
      ['alpha', 50],
    ]);
    expect(autoCollapsedGroups(sizes, 20 + 100, 100)).toEqual(new Set(['alpha']));
  });

  it('never folds a group of one, even when folding everything else is not enough', () => {
    const sizes = new Map([
      ['pair', 2],
      ['solo', 1],
    ]);
    expect(autoCollapsedGroups(sizes, 500, 10)).toEqual(new Set(['pair']));
  });
});

describe('collapsedGroups', () => {
  // 400 fetchers, 50 parsers, 5 queues, 1 db: 456 nodes, so fetchers fold by themselves.
  const nodes = nodesOf([...pool('fetcher', 400, 'fetchers'), ...pool('parser', 50, 'parsers'), ...pool('queue', 5), node('db', 'db')]);
  const members = groupMembers(nodes);
  const total = Object.keys(nodes).length;

  it('folds the largest groups of a big mesh until at most 300 nodes show', () => {
    const collapsed = collapsedGroups(members, total, NO_CHOICE);
    expect(collapsed).toEqual(new Set(['fetchers']));
    const graph = visibleGraph(nodes, {}, collapsed, members);
    expect(graph.nodeIds.length).toBeLessThanOrEqual(AUTO_COLLAPSE_ABOVE);
    expect(graph.nodeIds).toContain(groupNodeId('fetchers'));
    expect(graph.nodeIds).not.toContain('fetcher-0');
  });

  it('folds every group it must, and only as many as it must, in a mesh of 2,000', () => {
    const big = nodesOf([
      ...pool('a', 900, 'a'),
      ...pool('b', 600, 'b'),
      ...pool('c', 300, 'c'),
      ...pool('d', 150, 'd'),
      ...pool('e', 50, 'e'),
    ]);
    const bigMembers = groupMembers(big);
    const collapsed = collapsedGroups(bigMembers, 2_000, NO_CHOICE);
    // 2000 → 1101 (a) → 502 (b) → 203 (c): d and e stay open.
    expect(collapsed).toEqual(new Set(['a', 'b', 'c']));
    expect(visibleGraph(big, {}, collapsed, bigMembers).nodeIds).toHaveLength(203);
  });

  it('lets the user expand an automatically folded group', () => {
    expect(collapsedGroups(members, total, { expanded: ['fetchers'], collapsed: [] })).toEqual(new Set());
  });

  it('lets the user fold a group the automatic choice leaves open', () => {
    expect(collapsedGroups(members, total, { expanded: [], collapsed: ['parsers'] })).toEqual(new Set(['fetchers', 'parsers']));
  });

  it('expands every group with `*`, but a group the user folds afterwards stays folded', () => {
    expect(collapsedGroups(members, total, { expanded: ['*'], collapsed: [] })).toEqual(new Set());
    expect(collapsedGroups(members, total, { expanded: ['*'], collapsed: ['queue'] })).toEqual(new Set(['queue']));
  });

  it('ignores choices naming a group that does not exist or has one node', () => {
    expect(collapsedGroups(members, total, { expanded: ['nope'], collapsed: ['db', 'missing'] })).toEqual(new Set(['fetchers']));
  });

  it('never folds a group of one, whatever it is asked', () => {
    const small = nodesOf(crawlerNodes);
    const smallMembers = groupMembers(small);
    const collapsed = collapsedGroups(smallMembers, crawlerNodes.length, { expanded: [], collapsed: ['parser', 'frontier'] });
    expect(collapsed).toEqual(new Set());
    // Even a set handed to visibleGraph directly cannot fold it.
    const graph = visibleGraph(small, edgesOf(crawlerEdges), new Set(['parser']), smallMembers);
    expect(graph.nodeIds).toContain('parser');
    expect(graph.nodeIds).not.toContain(groupNodeId('parser'));
    expect(graph.drawnAs.get('parser')).toBe('parser');
  });
});

describe('visibleGraph', () => {
  const nodes = nodesOf(crawlerNodes);
  const edges = edgesOf(crawlerEdges);

  it('draws every node and edge as itself when nothing is folded', () => {
    const graph = visibleGraph(nodes, edges, new Set());
    expect(sortedIds(graph.nodeIds)).toEqual(sortedIds(crawlerNodes.map((n) => n.id)));
    expect(graph.edges).toEqual(crawlerEdges.map((e) => ({ id: e.id, source: e.source, target: e.target, members: [e.id] })));
    expect(graph.groups.get('fetchers')).toEqual({ name: 'fetchers', members: ['fetcher-0', 'fetcher-1', 'fetcher-2'], collapsed: false });
    for (const n of crawlerNodes) expect(graph.drawnAs.get(n.id)).toBe(n.id);
  });

  it('draws a folded group as one box, its members drawn as that box', () => {
    const graph = visibleGraph(nodes, edges, new Set(['fetchers']));
    const box = groupNodeId('fetchers');
    expect(graph.boxes.get(box)).toBe('fetchers');
    expect(graph.nodeIds).toEqual(['frontier', 'parser', 'queue', box]);
    expect(graph.groups.get('fetchers')?.collapsed).toBe(true);
    expect(graph.drawnAs.get('fetcher-1')).toBe(box);
  });

  it('merges edges into and out of a folded group per pair of drawn ends, listing the edges merged', () => {
    const graph = visibleGraph(nodes, edges, new Set(['fetchers']));
    const box = groupNodeId('fetchers');
    const byId = new Map(graph.edges.map((e) => [e.id, e]));
    expect(graph.edges).toHaveLength(3);
    const into = byId.get(`${AGGREGATE_EDGE_PREFIX}frontier\u2192${box}`);
    expect(into).toMatchObject({ source: 'frontier', target: box });
    expect(sortedIds(into!.members)).toEqual(['frontier->fetcher-0', 'frontier->fetcher-1', 'frontier->fetcher-2']);
    const out = byId.get(`${AGGREGATE_EDGE_PREFIX}${box}\u2192parser`);
    expect(out).toMatchObject({ source: box, target: 'parser' });
    expect(sortedIds(out!.members)).toEqual(['fetcher-0->parser', 'fetcher-1->parser', 'fetcher-2->parser']);
    expect(byId.get('parser->queue')).toEqual({ id: 'parser->queue', source: 'parser', target: 'queue', members: ['parser->queue'] });
  });

  it('keeps the two directions between a node and a folded group apart', () => {
    const graph = visibleGraph(nodes, edgesOf([...crawlerEdges, edge('parser', 'fetcher-0'), edge('parser', 'fetcher-2')]), new Set(['fetchers']));
    const back = graph.edges.find((e) => e.source === 'parser' && e.target === groupNodeId('fetchers'));
    expect(sortedIds(back!.members)).toEqual(['parser->fetcher-0', 'parser->fetcher-2']);
    expect(graph.edges).toHaveLength(4);
  });

  it('merges edges between two folded groups into one', () => {
    const twoPools = nodesOf([...pool('fetcher', 3, 'fetchers'), ...pool('parser', 2, 'parsers')]);
    const between = edgesOf([edge('fetcher-0', 'parser-0'), edge('fetcher-1', 'parser-0'), edge('fetcher-2', 'parser-1')]);
    const graph = visibleGraph(twoPools, between, new Set(['fetchers', 'parsers']));
    expect(graph.nodeIds).toEqual([groupNodeId('fetchers'), groupNodeId('parsers')]);
    expect(graph.edges).toHaveLength(1);
    expect(graph.edges[0]).toMatchObject({ source: groupNodeId('fetchers'), target: groupNodeId('parsers') });
    expect(graph.edges[0]!.members).toHaveLength(3);
  });

  it('drops edges inside a folded group, and draws them when it unfolds', () => {
    const inside = edgesOf([...crawlerEdges, edge('fetcher-0', 'fetcher-1'), edge('fetcher-2', 'fetcher-2')]);
    const folded = visibleGraph(nodes, inside, new Set(['fetchers']));
    expect(folded.edges.some((e) => e.members.includes('fetcher-0->fetcher-1'))).toBe(false);
    expect(folded.edges.some((e) => e.members.includes('fetcher-2->fetcher-2'))).toBe(false);
    expect(folded.edges.some((e) => e.source === e.target)).toBe(false);
    const open = visibleGraph(nodes, inside, new Set());
    expect(open.edges.map((e) => e.id)).toContain('fetcher-0->fetcher-1');
  });

  it('skips edges to or from nodes that have not arrived', () => {
    const dangling = edgesOf([...crawlerEdges, edge('frontier', 'ghost'), edge('ghost', 'fetcher-0'), edge('nowhere', 'ghost')]);
    for (const collapsed of [new Set<string>(), new Set(['fetchers'])]) {
      const graph = visibleGraph(nodes, dangling, collapsed);
      expect(graph.edges.flatMap((e) => e.members)).not.toContain('frontier->ghost');
      expect(graph.edges.flatMap((e) => e.members)).not.toContain('ghost->fetcher-0');
      expect(graph.edges.flatMap((e) => e.members)).not.toContain('nowhere->ghost');
      expect(graph.nodeIds).not.toContain('ghost');
    }
  });

  it('treats ids and group names such as __proto__ and constructor as plain names', () => {
    const awkward = nodesOf([
      node('__proto__', 'svc', { group: 'constructor' }),
      node('constructor', 'svc', { group: 'constructor' }),
      node('toString', 'svc', { group: '__proto__' }),
      node('hasOwnProperty', 'svc', { group: '__proto__' }),
      node('valueOf', 'svc'),
    ]);
    const awkwardEdges = edgesOf([
      { id: '__proto__', source: '__proto__', target: 'toString' },
      { id: 'constructor', source: 'constructor', target: 'hasOwnProperty' },
      { id: 'toString', source: 'valueOf', target: '__proto__' },
    ]);
    const members = groupMembers(awkward);
    expect([...members.keys()].sort()).toEqual(['__proto__', 'constructor']);
    expect(members.get('constructor')).toEqual(['__proto__', 'constructor']);
    expect(members.get('__proto__')).toEqual(['hasOwnProperty', 'toString']);

    const collapsed = collapsedGroups(members, 5, { expanded: [], collapsed: ['constructor', '__proto__'] });
    expect(collapsed).toEqual(new Set(['constructor', '__proto__']));
    const graph = visibleGraph(awkward, awkwardEdges, collapsed, members);
    expect(sortedIds(graph.nodeIds)).toEqual(sortedIds(['valueOf', groupNodeId('constructor'), groupNodeId('__proto__')]));
    const merged = graph.edges.find((e) => e.source === groupNodeId('constructor'));
    expect(merged?.target).toBe(groupNodeId('__proto__'));
    expect(sortedIds(merged!.members)).toEqual(['__proto__', 'constructor']);
    expect(graph.edges.find((e) => e.source === 'valueOf')?.members).toEqual(['toString']);

    const open = visibleGraph(awkward, awkwardEdges, new Set(), members);
    expect(sortedIds(open.nodeIds)).toEqual(sortedIds(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']));
    expect(open.drawnAs.get('__proto__')).toBe('__proto__');
  });

  it('draws every id at most once, even when a mesh node is named like a group box', () => {
    // Node ids come from publishers; nothing stops one from being `group::fetchers`.
    const lookalike = nodesOf([...crawlerNodes, node(groupNodeId('fetchers'), 'impostor')]);
    const graph = visibleGraph(lookalike, edges, new Set(['fetchers']));
    expect(new Set(graph.nodeIds).size).toBe(graph.nodeIds.length);
  });
});

describe('merged edge ids', () => {
  it('lengthens a merged edge id that a mesh edge already has', () => {
    const nodes = emptyRecordOf<MeshNode>([
      { id: 'a', label: 'a', kind: 'api', status: 'healthy' },
      { id: 'f1', label: 'f1', kind: 'fetcher', group: 'fetchers', status: 'healthy' },
      { id: 'f2', label: 'f2', kind: 'fetcher', group: 'fetchers', status: 'healthy' },
    ]);
    const clash = `edges::a\u2192${'group::fetchers'}`;
    const edges = emptyRecordOf<MeshEdge>([
      { id: 'e1', source: 'a', target: 'f1' },
      { id: 'e2', source: 'a', target: 'f2' },
      { id: clash, source: 'f1', target: 'f2' },
    ]);
    const graph = visibleGraph(nodes, edges, new Set(['fetchers']));
    const ids = graph.edges.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain(clash);
    expect(graph.edges.find((e) => e.members.includes('e1'))?.members).toEqual(['e1', 'e2']);
  });
});

function emptyRecordOf<T extends { id: string }>(items: T[]): Record<string, T> {
  const record = Object.create(null) as Record<string, T>;
  for (const item of items) record[item.id] = item;
  return record;
}
