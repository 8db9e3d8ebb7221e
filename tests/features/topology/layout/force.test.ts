import { describe, expect, it } from 'vitest';
import { forceLayout } from '../../../../src/features/topology/layout/force.ts';
import {
  DEFAULT_LAYOUT_OPTIONS,
  emptyLayout,
  pinPosition,
  type LayoutState,
} from '../../../../src/features/topology/layout/layered.ts';
import { MAX_VACATED } from '../../../../src/features/topology/layout/vacate.ts';
import { hashSeed, mulberry32 } from '../../../../src/lib/prng.ts';
import {
  CLEAR_X,
  crawlMesh,
  distance,
  edges,
  expectNoOverlaps,
  expectUnmoved,
  ids,
  pos,
} from './layout-checks.ts';

const crawler = {
  nodes: ids('frontier f1 f2 f3 parser queue postgres'),
  edges: edges('frontier>f1 frontier>f2 frontier>f3 f1>parser f2>parser f3>parser parser>queue queue>postgres'),
};

/** A tree of 120 nodes, three children each: big enough for "near" to mean something. */
const tree = {
  nodes: Array.from({ length: 120 }, (_, i) => `n${i}`),
  edges: Array.from({ length: 119 }, (_, i) => ({ source: `n${Math.floor(i / 3)}`, target: `n${i + 1}` })),
};

/** How many of the layout's other nodes are nearer `id` than `other` is. */
function nearerThan(layout: LayoutState, id: string, other: string): number {
  const limit = distance(layout, id, other);
  let nearer = 0;
  for (const n of layout.positions.keys()) if (n !== id && n !== other && distance(layout, id, n) < limit) nearer++;
  return nearer;
}

describe('force layout', () => {
  describe('the first layout', () => {
    it.each([
      { name: 'the crawler mesh', graph: crawler },
      { name: 'a tree of 120 nodes', graph: tree },
      { name: 'two parts with no edge between them', graph: { nodes: ids('a b c x y z'), edges: edges('a>b b>c x>y y>z') } },
    ])('places every node, without overlaps: $name', ({ graph }) => {
      const layout = forceLayout(emptyLayout(), graph.nodes, graph.edges);
      expect([...layout.positions.keys()].sort()).toEqual([...graph.nodes].sort());
      expectNoOverlaps(layout);
      expect(layout.floating.size).toBe(0);
    });

    it('starts at the origin', () => {
      const layout = forceLayout(emptyLayout(), tree.nodes, tree.edges);
      const xs = [...layout.positions.values()].map((p) => p.x);
      const ys = [...layout.positions.values()].map((p) => p.y);
      expect([Math.min(...xs), Math.min(...ys)]).toEqual([0, 0]);
    });

    it('is the same layout every time for the same graph', () => {
      const once = forceLayout(emptyLayout(), tree.nodes, tree.edges);
      const again = forceLayout(emptyLayout(), tree.nodes, tree.edges);
      expect(again.positions).toEqual(once.positions);
    });

    it('keeps neighbours near each other: every edge of a tree shorter than the median distance between nodes', () => {
      const layout = forceLayout(emptyLayout(), tree.nodes, tree.edges);
      const all: number[] = [];
      for (let i = 0; i < tree.nodes.length; i += 7) {
        for (let j = i + 1; j < tree.nodes.length; j += 5) all.push(distance(layout, tree.nodes[i]!, tree.nodes[j]!));
      }
      all.sort((a, b) => a - b);
      const median = all[Math.floor(all.length / 2)]!;
      const longest = Math.max(...tree.edges.map((e) => distance(layout, e.source, e.target)));
      expect(longest).toBeLessThan(median);
    });

    it.each([
      { name: 'a dense random graph', nodes: 300, edges: 3_000 },
      { name: 'a sparse random graph', nodes: 300, edges: 200 },
    ])('places every node without overlaps whatever the shape: $name', ({ nodes: count, edges: edgeCount }) => {
      const random = mulberry32(hashSeed('shapes'));
      const nodes = Array.from({ length: count }, (_, i) => `r${i}`);
      const links = Array.from({ length: edgeCount }, () => ({
        source: nodes[Math.floor(random() * count)]!,
        target: nodes[Math.floor(random() * count)]!,
      }));
      const layout = forceLayout(emptyLayout(), nodes, links);
      expect(layout.positions.size).toBe(count);
      expectNoOverlaps(layout);
    });

    it('keeps two parts with no edge between them together', () => {
      const layout = forceLayout(emptyLayout(), ids('a b c x y z'), edges('a>b b>c x>y y>z'));
      // Within a few boxes of each other, not flung apart.
      expect(distance(layout, 'b', 'y')).toBeLessThan(6 * CLEAR_X);
    });

    it('lets nodes without edges wait in rows below, then places them once next to their first neighbour', () => {
      const alone = forceLayout(emptyLayout(), [...crawler.nodes, 'lonely'], crawler.edges);
      expect(alone.floating).toEqual(new Set(['lonely']));
      const bottom = Math.max(...crawler.nodes.map((id) => pos(alone, id).y));
      expect(pos(alone, 'lonely').y).toBeGreaterThan(bottom);
      expectNoOverlaps(alone);

      const wired = forceLayout(alone, [...crawler.nodes, 'lonely'], [...crawler.edges, ...edges('postgres>lonely')]);
      expectUnmoved(alone, wired, ['lonely']);
      expect(wired.floating.size).toBe(0);
      expect(nearerThan(wired, 'lonely', 'postgres')).toBeLessThanOrEqual(2);
      expectNoOverlaps(wired);
    });

    it('waits for structure: nodes that arrive before their edges are laid out together when the edges come', () => {
      const alone = forceLayout(emptyLayout(), tree.nodes, []);
      expect(alone.floating.size).toBe(tree.nodes.length);
      expectNoOverlaps(alone);
      const wired = forceLayout(alone, tree.nodes, tree.edges);
      expect(wired.positions).toEqual(forceLayout(emptyLayout(), tree.nodes, tree.edges).positions);
    });
  });

  describe('a node added later', () => {
    const first = forceLayout(emptyLayout(), tree.nodes, tree.edges);

    it.each([
      { name: 'a leaf of a leaf', node: 'late', links: 'n100>late' },
      { name: 'a child of the root', node: 'late', links: 'n0>late' },
      { name: 'a node joining two far apart', node: 'late', links: 'n60>late late>n110' },
    ])('does not move any existing node: $name', ({ node, links }) => {
      const next = forceLayout(first, [...tree.nodes, node], [...tree.edges, ...edges(links)]);
      expectUnmoved(first, next);
      expect(next.positions.size).toBe(tree.nodes.length + 1);
      expectNoOverlaps(next);
    });

    it('lands next to its one neighbour, wherever that is', () => {
      // Every node of the tree in turn gets a new leaf; where the layout is crowded the nearest free spot is further off.
      const gaps = tree.nodes.map((neighbour) => {
        const next = forceLayout(first, [...tree.nodes, 'late'], [...tree.edges, ...edges(`${neighbour}>late`)]);
        return distance(next, neighbour, 'late');
      });
      gaps.sort((a, b) => a - b);
      expect(gaps[Math.floor(gaps.length / 2)]).toBeLessThan(1.5 * CLEAR_X);
      expect(gaps.at(-1)).toBeLessThan(4 * CLEAR_X);
    });

    it('lands between its neighbours when it has several', () => {
      const next = forceLayout(first, [...tree.nodes, 'late'], [...tree.edges, ...edges('n4>late late>n5')]);
      const apart = distance(next, 'n4', 'n5');
      expect(distance(next, 'late', 'n4')).toBeLessThan(apart + CLEAR_X);
      expect(distance(next, 'late', 'n5')).toBeLessThan(apart + CLEAR_X);
    });

    it('places a chain of new nodes hanging off one placed node next to it, one after the other', () => {
      const next = forceLayout(first, [...tree.nodes, 'c1', 'c2', 'c3'], [...tree.edges, ...edges('n50>c1 c1>c2 c2>c3')]);
      expectUnmoved(first, next);
      expectNoOverlaps(next);
      expect(distance(next, 'n50', 'c1')).toBeLessThan(3 * CLEAR_X);
      expect(distance(next, 'c1', 'c2')).toBeLessThan(3 * CLEAR_X);
      expect(distance(next, 'c2', 'c3')).toBeLessThan(3 * CLEAR_X);
    });

    it('places a new, separate part of the mesh right of everything, without moving anything', () => {
      const next = forceLayout(first, [...tree.nodes, 'x', 'y', 'z'], [...tree.edges, ...edges('x>y y>z')]);
      expectUnmoved(first, next);
      expectNoOverlaps(next);
      const right = Math.max(...tree.nodes.map((id) => pos(first, id).x));
      for (const id of ['x', 'y', 'z']) expect(pos(next, id).x).toBeGreaterThan(right);
      expect(distance(next, 'x', 'y')).toBeLessThan(3 * CLEAR_X);
    });

    it('lays out a large new part on its own, the way a first layout would, beside the rest', () => {
      const part = tree.nodes.slice(0, 40).map((id) => `new-${id}`);
      const partEdges = tree.edges
        .filter((e) => Number(e.target.slice(1)) < 40)
        .map((e) => ({ source: `new-${e.source}`, target: `new-${e.target}` }));
      const next = forceLayout(first, [...tree.nodes, ...part], [...tree.edges, ...partEdges]);
      expectUnmoved(first, next);
      expectNoOverlaps(next);
      const alone = forceLayout(emptyLayout(), part, partEdges);
      const shift = { x: pos(next, part[0]!).x - pos(alone, part[0]!).x, y: pos(next, part[0]!).y - pos(alone, part[0]!).y };
      for (const id of part) expect(pos(next, id)).toEqual({ x: pos(alone, id).x + shift.x, y: pos(alone, id).y + shift.y });
    });

    it('returns the same layout when nothing changed, in any order', () => {
      expect(forceLayout(first, tree.nodes, tree.edges)).toBe(first);
      expect(forceLayout(first, [...tree.nodes].reverse(), [...tree.edges].reverse())).toBe(first);
    });
  });

  describe('a removed node', () => {
    const first = forceLayout(emptyLayout(), tree.nodes, tree.edges);
    const gone = ['n7', 'n22', 'n23', 'n24'];
    const without = forceLayout(
      first,
      tree.nodes.filter((id) => !gone.includes(id)),
      tree.edges.filter((e) => !gone.includes(e.source) && !gone.includes(e.target)),
    );

    it('leaves every other node where it was, and its own spot empty', () => {
      expectUnmoved(first, without);
      for (const id of gone) {
        expect(without.positions.has(id)).toBe(false);
        expect(without.vacated.get(id)).toEqual(pos(first, id));
      }
    });

    it('goes back to its spot when it comes back', () => {
      const back = forceLayout(without, tree.nodes, tree.edges);
      expect(back.positions).toEqual(first.positions);
    });

    it('is remembered for a while only: the oldest are forgotten first', () => {
      const many = Array.from({ length: MAX_VACATED + 10 }, (_, i) => `m${i}`);
      const links = many.slice(1).map((id) => ({ source: 'm0', target: id }));
      const all = forceLayout(emptyLayout(), many, links);
      const none = forceLayout(all, [], []);
      expect(none.positions.size).toBe(0);
      expect(none.vacated.size).toBe(MAX_VACATED);
      expect(none.vacated.has('m0')).toBe(false);
      expect(none.vacated.has(many.at(-1)!)).toBe(true);
    });
  });

  describe('a dragged node', () => {
    const first = forceLayout(emptyLayout(), tree.nodes, tree.edges);
    const dragged = pinPosition(first, 'n3', { x: -2_000, y: 900 });

    it('keeps the position the user gave it through later changes', () => {
      const next = forceLayout(dragged, [...tree.nodes, 'late'], [...tree.edges, ...edges('n3>late')]);
      expect(pos(next, 'n3')).toEqual({ x: -2_000, y: 900 });
      expect(next.pinned.has('n3')).toBe(true);
      expectUnmoved(dragged, next);
    });

    it('draws its new neighbours to where it is now, clear of its box', () => {
      const next = forceLayout(dragged, [...tree.nodes, 'late'], [...tree.edges, ...edges('n3>late')]);
      expect(distance(next, 'n3', 'late')).toBeLessThan(3 * CLEAR_X);
      expectNoOverlaps(next);
    });

    it('is forgotten when the node is removed', () => {
      const next = forceLayout(dragged, tree.nodes.filter((id) => id !== 'n3'), tree.edges);
      expect(next.pinned.has('n3')).toBe(false);
    });
  });

  it.each([['__proto__'], ['constructor'], ['toString'], ['hasOwnProperty']])('takes any string as an id: %s', (odd) => {
    const nodes = [odd, 'a', 'b'];
    const first = forceLayout(emptyLayout(), nodes, edges(`${odd}>a a>b`));
    expect(first.positions.size).toBe(3);
    expectNoOverlaps(first);
    const next = forceLayout(first, [...nodes, 'c'], edges(`${odd}>a a>b ${odd}>c`));
    expectUnmoved(first, next);
    expect(distance(next, odd, 'c')).toBeLessThan(3 * CLEAR_X);
    const without = forceLayout(next, ['a', 'b', 'c'], edges('a>b'));
    expect(without.vacated.has(odd)).toBe(true);
    expect(without.positions.has(odd)).toBe(false);
  });

  it('uses the sizes it is given', () => {
    const options = { ...DEFAULT_LAYOUT_OPTIONS, nodeWidth: 40, nodeHeight: 40, nodeGap: 10 };
    const layout = forceLayout(emptyLayout(), tree.nodes, tree.edges, options);
    const all = [...layout.positions.values()];
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        const apart = Math.abs(all[i]!.x - all[j]!.x) >= 50 || Math.abs(all[i]!.y - all[j]!.y) >= 50;
        expect(apart).toBe(true);
      }
    }
    // Small boxes pack closer than the default ones.
    const widest = (layout: LayoutState) => Math.max(...[...layout.positions.values()].map((p) => p.x));
    expect(widest(layout)).toBeLessThan(widest(forceLayout(emptyLayout(), tree.nodes, tree.edges)));
  });

  describe('a mesh the size of the simulator', () => {
    const mesh = crawlMesh();
    const started = performance.now();
    const first = forceLayout(emptyLayout(), mesh.nodes, mesh.edges);
    const ms = Math.round(performance.now() - started);
    console.info(`force layout of ${mesh.nodes.length} nodes and ${mesh.edges.length} edges: ${ms} ms`);

    it('lays out 2,000 nodes and 7,200 edges without overlaps', () => {
      expect(mesh.nodes.length).toBe(2_000);
      expect(mesh.edges.length).toBeGreaterThanOrEqual(7_200);
      expect(first.positions.size).toBe(2_000);
      expectNoOverlaps(first);
    });

    it('is wider than tall, for a wide screen', () => {
      const all = [...first.positions.values()];
      const width = Math.max(...all.map((p) => p.x)) - Math.min(...all.map((p) => p.x));
      const height = Math.max(...all.map((p) => p.y)) - Math.min(...all.map((p) => p.y));
      expect(width).toBeGreaterThan(height);
    });

    it('keeps each pool by its services: fetchers nearer the politeness gate than parsers are', () => {
      const mean = (prefix: string) => {
        const members = mesh.nodes.filter((id) => id.startsWith(prefix));
        return members.reduce((sum, id) => sum + distance(first, id, 'politeness'), 0) / members.length;
      };
      expect(mean('fetcher-')).toBeLessThan(mean('parser-'));
    });

    it('adds a fetcher next to its services and removes a hundred, moving nothing else', () => {
      const started = performance.now();
      const links = edges('politeness>fetcher-new fetcher-new>dns fetcher-new>robots fetcher-new>kafka');
      const grown = forceLayout(first, [...mesh.nodes, 'fetcher-new'], [...mesh.edges, ...links]);
      console.info(`adding one node to it: ${Math.round(performance.now() - started)} ms`);
      expectUnmoved(first, grown);
      expectNoOverlaps(grown);
      const services = ['politeness', 'dns', 'robots', 'kafka'];
      const spread = Math.max(...services.map((a) => Math.max(...services.map((b) => distance(first, a, b)))));
      for (const s of services) expect(distance(grown, 'fetcher-new', s)).toBeLessThan(spread + 4 * CLEAR_X);

      const gone = new Set(mesh.nodes.filter((id) => id.startsWith('fetcher-')).slice(0, 100));
      const shrunk = forceLayout(grown, [...grown.positions.keys()].filter((id) => !gone.has(id)), mesh.edges);
      expectUnmoved(grown, shrunk);
      expect(shrunk.positions.size).toBe(1_901);
    });
  });
});
