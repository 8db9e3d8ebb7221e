import { describe, expect, it } from 'vitest';
import { neighbourIn, type NavGraph } from '../../../src/features/topology/graph-nav.ts';
import type { XY } from '../../../src/features/topology/layout/layered.ts';

const COLUMN = 256;
const ROW = 74;

/**
 * A drawn graph: `at` places ids in (column, row) cells, `edges` as `a>b`.
 * Every placed id is drawn unless listed in `hidden`.
 */
function graphOf(at: Record<string, [number, number] | XY>, edges: string, hidden: readonly string[] = []): NavGraph {
  const positions = new Map<string, XY>();
  for (const [id, p] of Object.entries(at)) positions.set(id, Array.isArray(p) ? { x: p[0] * COLUMN, y: p[1] * ROW } : p);
  const successors = new Map<string, string[]>();
  const predecessors = new Map<string, string[]>();
  for (const pair of edges.split(/\s+/).filter(Boolean)) {
    const [source, target] = pair.split('>') as [string, string];
    (successors.get(source) ?? successors.set(source, []).get(source)!).push(target);
    (predecessors.get(target) ?? predecessors.set(target, []).get(target)!).push(source);
  }
  const drawn = new Set([...positions.keys()].filter((id) => !hidden.includes(id)));
  return { successors, predecessors, positions, drawn };
}

describe('neighbourIn', () => {
  // frontier → three fetchers → parser; `side` sits in the fetchers' column, unconnected.
  const crawler = {
    frontier: [0, 1],
    'fetcher-0': [1, 0],
    'fetcher-1': [1, 1],
    'fetcher-2': [1, 2],
    side: [1, 4],
    parser: [2, 1],
    sink: [3, 1],
  } satisfies Record<string, [number, number]>;
  const crawlerEdges = 'frontier>fetcher-0 frontier>fetcher-1 frontier>fetcher-2 fetcher-0>parser fetcher-1>parser fetcher-2>parser';

  it('moves right to the nearest successor', () => {
    const graph = graphOf(crawler, crawlerEdges);
    expect(neighbourIn(graph, 'frontier', 'ArrowRight')).toBe('fetcher-1');
    expect(neighbourIn(graph, 'fetcher-0', 'ArrowRight')).toBe('parser');
  });

  it('moves left to the nearest predecessor', () => {
    const graph = graphOf(crawler, crawlerEdges);
    expect(neighbourIn(graph, 'parser', 'ArrowLeft')).toBe('fetcher-1');
    expect(neighbourIn(graph, 'fetcher-2', 'ArrowLeft')).toBe('frontier');
  });

  it('weighs vertical distance over horizontal when choosing among neighbours', () => {
    // near: 1 column right, 1 row down; far: 2 columns right, same row.
    const graph = graphOf({ a: { x: 0, y: 0 }, near: { x: 100, y: 100 }, far: { x: 250, y: 0 } }, 'a>near a>far');
    // |dy| × 2 + |dx|: near = 300, far = 250.
    expect(neighbourIn(graph, 'a', 'ArrowRight')).toBe('far');
  });

  it('breaks ties by id', () => {
    const graph = graphOf({ a: [0, 1], b: [1, 0], c: [1, 2] }, 'a>c a>b');
    expect(neighbourIn(graph, 'a', 'ArrowRight')).toBe('b');
  });

  it('falls back to the nearest node in a column to the right when there is no successor', () => {
    const graph = graphOf(crawler, crawlerEdges);
    // parser has no successor; sink is to its right though not connected.
    expect(neighbourIn(graph, 'parser', 'ArrowRight')).toBe('sink');
    // side has no successor: the nearest to its right is in parser's column.
    expect(neighbourIn(graph, 'side', 'ArrowRight')).toBe('parser');
    // Nothing further right than sink.
    expect(neighbourIn(graph, 'sink', 'ArrowRight')).toBeNull();
  });

  it('falls back to the nearest node in a column to the left when there is no predecessor', () => {
    const graph = graphOf(crawler, crawlerEdges);
    expect(neighbourIn(graph, 'side', 'ArrowLeft')).toBe('frontier');
    expect(neighbourIn(graph, 'frontier', 'ArrowLeft')).toBeNull();
  });

  it('does not count a node in the same column, slightly offset, as right or left', () => {
    const graph = graphOf({ a: { x: 0, y: 0 }, b: { x: 60, y: 0 } }, '');
    expect(neighbourIn(graph, 'a', 'ArrowRight')).toBeNull();
    expect(neighbourIn(graph, 'b', 'ArrowLeft')).toBeNull();
  });

  it('moves up and down within a column, to the nearest node', () => {
    const graph = graphOf(crawler, crawlerEdges);
    expect(neighbourIn(graph, 'fetcher-1', 'ArrowDown')).toBe('fetcher-2');
    expect(neighbourIn(graph, 'fetcher-1', 'ArrowUp')).toBe('fetcher-0');
    expect(neighbourIn(graph, 'fetcher-2', 'ArrowDown')).toBe('side');
    expect(neighbourIn(graph, 'fetcher-0', 'ArrowUp')).toBeNull();
    // Alone in its column: nowhere to go, however near the next column is.
    expect(neighbourIn(graph, 'parser', 'ArrowDown')).toBeNull();
  });

  it('counts a node a little off the column as in it', () => {
    const graph = graphOf({ a: { x: 0, y: 0 }, b: { x: 80, y: 300 }, c: { x: 120, y: 100 } }, '');
    expect(neighbourIn(graph, 'a', 'ArrowDown')).toBe('b');
  });

  it('skips nodes that are not drawn (hidden by a find), in every direction', () => {
    const graph = graphOf(crawler, crawlerEdges, ['fetcher-1', 'fetcher-2', 'sink']);
    // The nearest successor is hidden: the next nearest one.
    expect(neighbourIn(graph, 'frontier', 'ArrowRight')).toBe('fetcher-0');
    expect(neighbourIn(graph, 'parser', 'ArrowLeft')).toBe('fetcher-0');
    // The only node to the right is hidden.
    expect(neighbourIn(graph, 'parser', 'ArrowRight')).toBeNull();
    expect(neighbourIn(graph, 'fetcher-0', 'ArrowDown')).toBe('side');
    expect(neighbourIn(graph, 'side', 'ArrowUp')).toBe('fetcher-0');
  });

  it('falls back to position when every successor is hidden', () => {
    const graph = graphOf({ a: [0, 0], hiddenNext: [1, 0], other: [1, 3] }, 'a>hiddenNext', ['hiddenNext']);
    expect(neighbourIn(graph, 'a', 'ArrowRight')).toBe('other');
  });

  it('skips neighbours without a position and never returns the node it starts from', () => {
    const graph = graphOf({ a: [0, 0], b: [1, 0] }, 'a>a a>nowhere a>b b>b');
    expect(neighbourIn(graph, 'a', 'ArrowRight')).toBe('b');
    expect(neighbourIn(graph, 'b', 'ArrowRight')).toBeNull();
  });

  it('answers null for a node with no position', () => {
    expect(neighbourIn(graphOf(crawler, crawlerEdges), 'unknown', 'ArrowRight')).toBeNull();
  });
});
