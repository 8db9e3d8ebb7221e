/**
 * What the force and grid layout tests share: graphs written as text, a mesh
 * shaped like the simulator's, and an overlap check that stays fast at 2,000
 * nodes.
 */
import { expect } from 'vitest';
import {
  DEFAULT_LAYOUT_OPTIONS,
  type LayoutEdge,
  type LayoutState,
  type XY,
} from '../../../../src/features/topology/layout/layered.ts';

const { nodeWidth, nodeHeight, nodeGap } = DEFAULT_LAYOUT_OPTIONS;
/** Top-left corners closer than this in both directions leave less than the gap between two boxes. */
export const CLEAR_X = nodeWidth + nodeGap;
export const CLEAR_Y = nodeHeight + nodeGap;

/** `'a>b b>c'` → edges. */
export function edges(spec: string): LayoutEdge[] {
  return spec
    .split(/\s+/)
    .filter(Boolean)
    .map((pair) => {
      const [source, target] = pair.split('>');
      return { source: source!, target: target! };
    });
}

export function ids(spec: string): string[] {
  return spec.split(/\s+/).filter(Boolean);
}

export function pos(layout: LayoutState, id: string): XY {
  const p = layout.positions.get(id);
  if (!p) throw new Error(`${id} has no position`);
  return p;
}

/** Distance between two nodes' centres. */
export function distance(layout: LayoutState, a: string, b: string): number {
  const pa = pos(layout, a);
  const pb = pos(layout, b);
  return Math.hypot(pa.x - pb.x, pa.y - pb.y);
}

/** Pairs of nodes whose boxes are closer than the gap, found through buckets of one box each. */
export function overlappingPairs(layout: LayoutState): string[] {
  const buckets = new Map<string, [string, XY][]>();
  const keyOf = (bx: number, by: number) => `${bx},${by}`;
  for (const [id, p] of layout.positions) {
    const key = keyOf(Math.floor(p.x / CLEAR_X), Math.floor(p.y / CLEAR_Y));
    (buckets.get(key) ?? buckets.set(key, []).get(key)!).push([id, p]);
  }
  const pairs: string[] = [];
  for (const [id, p] of layout.positions) {
    const bx = Math.floor(p.x / CLEAR_X);
    const by = Math.floor(p.y / CLEAR_Y);
    for (let i = bx - 1; i <= bx + 1; i++) {
      for (let j = by - 1; j <= by + 1; j++) {
        for (const [other, q] of buckets.get(keyOf(i, j)) ?? []) {
          if (other <= id) continue;
          if (Math.abs(p.x - q.x) < CLEAR_X - 1e-6 && Math.abs(p.y - q.y) < CLEAR_Y - 1e-6) pairs.push(`${id} and ${other}`);
        }
      }
    }
  }
  return pairs;
}

export function expectNoOverlaps(layout: LayoutState): void {
  expect(overlappingPairs(layout)).toEqual([]);
}

/** Every position of `before` is in `after`, unchanged. */
export function expectUnmoved(before: LayoutState, after: LayoutState, except: readonly string[] = []): void {
  const kept = new Map([...before.positions].filter(([id]) => !except.includes(id) && after.positions.has(id)));
  const now = new Map([...kept.keys()].map((id) => [id, after.positions.get(id)]));
  expect(now).toEqual(kept);
}

/**
 * A mesh shaped like the simulator's crawl mesh at 2,000 nodes: 14 core
 * services, 1,241 fetchers (politeness → f → dns, robots, kafka) and 745
 * parsers (kafka → p → link extractor, indexer), with their groups.
 */
export function crawlMesh(
  fetchers = 1_241,
  parsers = 745,
): { nodes: string[]; edges: LayoutEdge[]; groupOf: Map<string, string> } {
  const groupOf = new Map<string, string>([
    ['api', 'control-plane'],
    ['scheduler', 'control-plane'],
    ['frontier', 'control-plane'],
    ['politeness', 'control-plane'],
    ['dns', 'edge-services'],
    ['robots', 'edge-services'],
    ['kafka', 'pipeline'],
    ['link-extractor', 'pipeline'],
    ['dedup', 'pipeline'],
    ['indexer', 'pipeline'],
    ['redis', 'storage'],
    ['postgres', 'storage'],
    ['search', 'storage'],
    ['object-storage', 'storage'],
  ]);
  const nodes = [...groupOf.keys()];
  const links = edges(
    'api>scheduler scheduler>frontier scheduler>postgres frontier>politeness link-extractor>dedup dedup>redis ' +
      'dedup>frontier indexer>search indexer>postgres kafka>object-storage',
  );
  for (let i = 1; i <= fetchers; i++) {
    const id = `fetcher-${String(i).padStart(4, '0')}`;
    nodes.push(id);
    groupOf.set(id, 'fetchers');
    links.push(...edges(`politeness>${id} ${id}>dns ${id}>robots ${id}>kafka`));
  }
  for (let i = 1; i <= parsers; i++) {
    const id = `parser-${String(i).padStart(4, '0')}`;
    nodes.push(id);
    groupOf.set(id, 'parsers');
    links.push(...edges(`kafka>${id} ${id}>link-extractor ${id}>indexer`));
  }
  return { nodes, edges: links, groupOf };
}
