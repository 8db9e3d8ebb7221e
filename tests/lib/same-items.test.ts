import { describe, expect, it } from 'vitest';
import { sameItems } from '../../src/lib/same-items.ts';

describe('sameItems', () => {
  const a = { id: 1 };
  const b = { id: 2 };

  it.each<[readonly unknown[], readonly unknown[], boolean]>([
    [[], [], true],
    [[a, b], [a, b], true],
    [[a, b], [b, a], false],
    [[a], [a, b], false],
    [[a, b], [a], false],
    [[a], [{ id: 1 }], false],
    [[Number.NaN], [Number.NaN], true],
  ])('compares %j with %j: %s', (x, y, same) => {
    expect(sameItems(x, y)).toBe(same);
  });

  it('is true for one list compared with itself', () => {
    const list = [a, b];
    expect(sameItems(list, list)).toBe(true);
  });
});
