import { describe, expect, it } from 'vitest';
import { nodeAt } from '../../../src/features/topology/bulk-nodes.tsx';
import type { XY } from '../../../src/features/topology/layout/layered.ts';

describe('hit-testing nodes drawn in bulk', () => {
  const positions = new Map<string, XY>([
    ['a', { x: 0, y: 0 }],
    ['b', { x: 300, y: 0 }],
    ['c', { x: 100, y: 20 }],
  ]);
  const ids = ['a', 'b', 'c'];

  it.each([
    [{ x: 10, y: 10 }, 'a'],
    [{ x: 180, y: 56 }, 'c'],
    [{ x: 479, y: 55 }, 'b'],
    [{ x: 250, y: 30 }, 'c'],
    [{ x: 250, y: 10 }, null],
    [{ x: 290, y: 10 }, null],
    [{ x: -1, y: 10 }, null],
    [{ x: 10, y: 57 }, null],
  ])('%o hits %s', (point, expected) => {
    expect(nodeAt(point, ids, positions)).toBe(expected);
  });

  it('prefers the node drawn last where boxes overlap, and skips ids without a position', () => {
    expect(nodeAt({ x: 150, y: 30 }, ids, positions)).toBe('c');
    expect(nodeAt({ x: 10, y: 10 }, ['ghost', 'a'], positions)).toBe('a');
  });
});
