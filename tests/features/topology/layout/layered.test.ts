import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LAYOUT_OPTIONS,
  emptyLayout,
  layoutGraph,
  maxRowsPerRank,
  pinPosition,
  type LayoutEdge,
  type LayoutState,
  type XY,
} from '../../../../src/features/topology/layout/layered.ts';

const { nodeWidth, nodeHeight, rankGap, nodeGap } = DEFAULT_LAYOUT_OPTIONS;
const COLUMN = nodeWidth + rankGap;

/** `'a>b b>c'` → edges. */
function edges(spec: string): LayoutEdge[] {
  return spec
    .split(/\s+/)
    .filter(Boolean)
    .map((pair) => {
      const [source, target] = pair.split('>');
      return { source: source!, target: target! };
    });
}

function ids(spec: string): string[] {
  return spec.split(/\s+/).filter(Boolean);
}

function pos(layout: LayoutState, id: string): XY {
  const p = layout.positions.get(id);
  if (!p) throw new Error(`${id} has no position`);
  return p;
}

function overlaps(a: XY, b: XY): boolean {
  return Math.abs(a.x - b.x) < nodeWidth && Math.abs(a.y - b.y) < nodeHeight;
}

function expectNoOverlaps(layout: LayoutState) {
  const all = [...layout.positions.entries()];
  const overlapping: string[] = [];
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      if (overlaps(all[i]![1], all[j]![1])) overlapping.push(`${all[i]![0]} and ${all[j]![0]}`);
    }
  }
  expect(overlapping).toEqual([]);
}

const crawler = {
  nodes: ids('frontier f1 f2 f3 parser queue postgres'),
  edges: edges('frontier>f1 frontier>f2 frontier>f3 f1>parser f2>parser f3>parser parser>queue queue>postgres'),
};

describe('layout', () => {
  describe('the first layout', () => {
    it.each([
      { name: 'a chain', nodes: 'a b c', edges: 'a>b b>c', ranks: [['a'], ['b'], ['c']] },
      { name: 'a fan-out and fan-in', nodes: 'a b c d', edges: 'a>b a>c b>d c>d', ranks: [['a'], ['b', 'c'], ['d']] },
      {
        name: 'the crawler mesh',
        nodes: crawler.nodes.join(' '),
        edges: 'frontier>f1 frontier>f2 frontier>f3 f1>parser f2>parser f3>parser parser>queue queue>postgres',
        ranks: [['frontier'], ['f1', 'f2', 'f3'], ['parser'], ['queue'], ['postgres']],
      },
    ])('is layered left to right by rank: $name', ({ nodes, edges: spec, ranks }) => {
      const layout = layoutGraph(emptyLayout(), ids(nodes), edges(spec));
      ranks.forEach((rank, r) => {
        for (const id of rank) expect(pos(layout, id).x).toBeCloseTo(r * COLUMN);
      });
      expectNoOverlaps(layout);
    });

    it('waits for structure: nodes without edges sit in one column, then take their ranks', () => {
      const alone = layoutGraph(emptyLayout(), ids('a b'), []);
      expect(pos(alone, 'a').x).toBe(pos(alone, 'b').x);
      expect(alone.floating).toEqual(new Set(['a', 'b']));

      const wired = layoutGraph(alone, ids('a b'), edges('a>b'));
      expect(pos(wired, 'b').x - pos(wired, 'a').x).toBeCloseTo(COLUMN);
      expect(wired.floating.size).toBe(0);
    });
  });

  describe('a node added later', () => {
    const first = layoutGraph(emptyLayout(), crawler.nodes, crawler.edges);

    it.each([
      { name: 'a fourth fetcher', node: 'f4', edges: 'frontier>f4 f4>parser', rankOf: 'f1' },
      { name: 'a second consumer of the queue', node: 'indexer', edges: 'queue>indexer', rankOf: 'postgres' },
      { name: 'a producer known only by its successor', node: 'seeder', edges: 'seeder>frontier', rankX: -COLUMN },
    ])('does not move any existing node: $name', ({ node, edges: spec }) => {
      const next = layoutGraph(first, [...crawler.nodes, node], [...crawler.edges, ...edges(spec)]);
      for (const id of crawler.nodes) expect(pos(next, id)).toEqual(pos(first, id));
      expectNoOverlaps(next);
    });

    it.each([
      { name: 'a fourth fetcher', node: 'f4', edges: 'frontier>f4 f4>parser', x: COLUMN },
      { name: 'a second consumer of the queue', node: 'indexer', edges: 'queue>indexer', x: 4 * COLUMN },
      { name: 'a node after its rightmost predecessor', node: 'audit', edges: 'frontier>audit queue>audit', x: 4 * COLUMN },
      { name: 'a producer known only by its successor', node: 'seeder', edges: 'seeder>frontier', x: -COLUMN },
    ])("lands in its predecessors' next rank: $name", ({ node, edges: spec, x }) => {
      const next = layoutGraph(first, [...crawler.nodes, node], [...crawler.edges, ...edges(spec)]);
      expect(pos(next, node).x).toBeCloseTo(x);
    });

    it('takes the free slot of its column nearest its neighbours', () => {
      const next = layoutGraph(first, [...crawler.nodes, 'f4'], [...crawler.edges, ...edges('frontier>f4')]);
      const fetcherYs = ['f1', 'f2', 'f3'].map((id) => pos(first, id).y);
      const f4 = pos(next, 'f4').y;
      const nearestFetcher = Math.min(...fetcherYs.map((y) => Math.abs(y - f4)));
      expect(nearestFetcher).toBeCloseTo(nodeHeight + nodeGap);
    });

    it('places a new separate part of the mesh below, laid out on its own', () => {
      const next = layoutGraph(first, [...crawler.nodes, 'x', 'y'], [...crawler.edges, ...edges('x>y')]);
      for (const id of crawler.nodes) expect(pos(next, id)).toEqual(pos(first, id));
      const bottom = Math.max(...crawler.nodes.map((id) => pos(first, id).y));
      expect(pos(next, 'x').y).toBeGreaterThan(bottom);
      expect(pos(next, 'y').x - pos(next, 'x').x).toBeCloseTo(COLUMN);
    });

    it('waits in the leftmost column when it has no edges yet, then joins its rank once', () => {
      const alone = layoutGraph(first, [...crawler.nodes, 'f4'], crawler.edges);
      expect(pos(alone, 'f4').x).toBe(0);
      expect(alone.floating.has('f4')).toBe(true);
      expectNoOverlaps(alone);

      const wired = layoutGraph(alone, [...crawler.nodes, 'f4'], [...crawler.edges, ...edges('frontier>f4')]);
      expect(pos(wired, 'f4').x).toBeCloseTo(COLUMN);
      for (const id of crawler.nodes) expect(pos(wired, id)).toEqual(pos(first, id));
    });

    it('returns the same layout when nothing changed', () => {
      expect(layoutGraph(first, crawler.nodes, crawler.edges)).toBe(first);
    });
  });

  describe('a removed node', () => {
    const first = layoutGraph(emptyLayout(), crawler.nodes, crawler.edges);
    const withoutF2 = layoutGraph(
      first,
      crawler.nodes.filter((id) => id !== 'f2'),
      crawler.edges.filter((e) => e.source !== 'f2' && e.target !== 'f2'),
    );

    it('frees its position', () => {
      expect(withoutF2.positions.has('f2')).toBe(false);
      expect(withoutF2.vacated.get('f2')).toEqual(pos(first, 'f2'));
    });

    it.each([
      { name: 'a replacement with another id', node: 'f9' },
      { name: 'the same node coming back', node: 'f2' },
    ])('leaves its slot to the next node of its rank: $name', ({ node }) => {
      const next = layoutGraph(
        withoutF2,
        [...withoutF2.positions.keys(), node],
        [...crawler.edges.filter((e) => e.source !== 'f2' && e.target !== 'f2'), ...edges(`frontier>${node} ${node}>parser`)],
      );
      expect(pos(next, node)).toEqual(pos(first, 'f2'));
    });
  });

  describe('a dragged node', () => {
    const first = layoutGraph(emptyLayout(), crawler.nodes, crawler.edges);
    const dragged = pinPosition(first, 'parser', { x: 900, y: -300 });

    it('keeps the position the user gave it through later changes', () => {
      const next = layoutGraph(dragged, [...crawler.nodes, 'f4'], [...crawler.edges, ...edges('frontier>f4 f4>parser')]);
      expect(pos(next, 'parser')).toEqual({ x: 900, y: -300 });
      expect(next.pinned.has('parser')).toBe(true);
    });

    it('guides where its new neighbours go', () => {
      const next = layoutGraph(dragged, [...crawler.nodes, 'sink'], [...crawler.edges, ...edges('parser>sink')]);
      expect(pos(next, 'sink')).toEqual({ x: 900 + COLUMN, y: -300 });
    });

    it('is forgotten when the node is removed', () => {
      const next = layoutGraph(dragged, crawler.nodes.filter((id) => id !== 'parser'), []);
      expect(next.pinned.has('parser')).toBe(false);
    });
  });

  describe('a large mesh', () => {
    it('folds a rank too tall for one column into side-by-side columns, keeping ranks apart', () => {
      const pool = Array.from({ length: 300 }, (_, i) => `fetcher-${i}`);
      const nodes = ['frontier', ...pool, 'kafka', 'postgres'];
      const links = [
        ...pool.flatMap((id) => [{ source: 'frontier', target: id }, { source: id, target: 'kafka' }]),
        { source: 'kafka', target: 'postgres' },
      ];
      const layout = layoutGraph(emptyLayout(), nodes, links);
      expectNoOverlaps(layout);

      const rowsByColumn = new Map<number, number>();
      for (const id of pool) {
        const x = pos(layout, id).x;
        rowsByColumn.set(x, (rowsByColumn.get(x) ?? 0) + 1);
      }
      expect(rowsByColumn.size).toBeGreaterThan(1);
      for (const rows of rowsByColumn.values()) expect(rows).toBeLessThanOrEqual(maxRowsPerRank(nodes.length));

      const poolXs = pool.map((id) => pos(layout, id).x);
      expect(pos(layout, 'frontier').x).toBeLessThan(Math.min(...poolXs));
      expect(pos(layout, 'kafka').x).toBeGreaterThan(Math.max(...poolXs) + nodeWidth);
      expect(pos(layout, 'postgres').x).toBeGreaterThan(pos(layout, 'kafka').x);
    });

    it('lays out 500 nodes in one call, without overlaps', () => {
      const nodes = Array.from({ length: 500 }, (_, i) => `n${i}`);
      const links: LayoutEdge[] = [];
      for (let i = 1; i < nodes.length; i++) links.push({ source: `n${Math.floor((i - 1) / 4)}`, target: `n${i}` });
      const started = performance.now();
      const layout = layoutGraph(emptyLayout(), nodes, links);
      const elapsed = performance.now() - started;
      expect(layout.positions.size).toBe(500);
      expectNoOverlaps(layout);
      expect(elapsed).toBeLessThan(5_000);

      // And adding to it still moves nothing.
      const grown = layoutGraph(layout, [...nodes, 'late'], [...links, { source: 'n7', target: 'late' }]);
      for (const id of nodes) expect(grown.positions.get(id)).toBe(layout.positions.get(id));
    });
  });
});

describe('ids that are names of object properties', () => {
  it('lays out nodes called constructor, toString and __proto__ like any other', () => {
    const ids = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'a'];
    const edges: LayoutEdge[] = [
      { source: 'a', target: 'constructor' },
      { source: 'constructor', target: 'toString' },
      { source: 'toString', target: '__proto__' },
      { source: '__proto__', target: 'hasOwnProperty' },
    ];
    const layout = layoutGraph(emptyLayout(), ids, edges);
    expect([...layout.positions.keys()].sort()).toEqual([...ids].sort());
    const xs = ids.map((id) => layout.positions.get(id)!.x);
    // Along the data flow, left to right: a, constructor, toString, __proto__, hasOwnProperty.
    expect(xs[4]).toBeLessThan(xs[0]!);
    expect(xs[0]).toBeLessThan(xs[1]!);
    expect(xs[1]).toBeLessThan(xs[2]!);
    expect(xs[2]).toBeLessThan(xs[3]!);
  });
});
