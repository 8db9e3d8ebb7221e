import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/server/ring-buffer.ts';

describe('ring buffer', () => {
  it.each([
    { pushed: 0, expected: [] },
    { pushed: 2, expected: [0, 1] },
    { pushed: 3, expected: [0, 1, 2] },
    { pushed: 7, expected: [4, 5, 6] },
  ])('holds the newest three of $pushed pushes, oldest first', ({ pushed, expected }) => {
    const buffer = new RingBuffer<number>(3);
    for (let i = 0; i < pushed; i++) buffer.push(i);
    expect(buffer.toArray()).toEqual(expected);
    expect(buffer.size).toBe(expected.length);
  });

  it('returns only the newest items when given a limit', () => {
    const buffer = new RingBuffer<number>(5);
    for (let i = 0; i < 9; i++) buffer.push(i);
    expect(buffer.toArray(2)).toEqual([7, 8]);
    expect(buffer.toArray(50)).toEqual([4, 5, 6, 7, 8]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(1.5)).toThrow(RangeError);
  });
});
