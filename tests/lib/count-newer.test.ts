import { describe, expect, it } from 'vitest';
import { countNewer } from '../../src/lib/count-newer.ts';

const numbered = (...ids: number[]) => ids.map((id) => ({ id }));

describe('countNewer', () => {
  it.each([
    ['newest first, two arrived', numbered(9, 8, 7, 6), 7, true, 2],
    ['newest first, none arrived', numbered(9, 8, 7), 9, true, 0],
    ['oldest first, two arrived', numbered(6, 7, 8, 9), 7, false, 2],
    ['oldest first, the seen one dropped off the far end', numbered(8, 9, 10), 5, false, 3],
    ['empty list', numbered(), 3, true, 0],
  ])('%s', (_name, items, seen, newestFirst, expected) => {
    expect(countNewer(items, { id: seen }, newestFirst)).toBe(expected);
  });

  it('counts everything when nothing was seen yet', () => {
    expect(countNewer(numbered(1, 2, 3), undefined, false)).toBe(3);
  });
});
