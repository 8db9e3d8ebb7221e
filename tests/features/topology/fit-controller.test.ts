import { describe, expect, it } from 'vitest';
import { boundsOf } from '../../../src/features/topology/fit-controller.tsx';
import type { XY } from '../../../src/features/topology/layout/layered.ts';

describe('the bounds a fit covers', () => {
  const positions = new Map<string, XY>([
    ['a', { x: 0, y: 0 }],
    ['b', { x: 400, y: 100 }],
    ['c', { x: -200, y: 300 }],
  ]);

  it('covers every drawn card when no ids are given', () => {
    expect(boundsOf([], positions)).toEqual({ x: -200, y: 0, width: 780, height: 356 });
  });

  it('covers the ids asked for, ignoring those without a position', () => {
    expect(boundsOf(['a', 'b', 'gone'], positions)).toEqual({ x: 0, y: 0, width: 580, height: 156 });
  });

  it('is null when nothing asked for is drawn', () => {
    expect(boundsOf(['gone'], positions)).toBeNull();
    expect(boundsOf([], new Map())).toBeNull();
  });
});
