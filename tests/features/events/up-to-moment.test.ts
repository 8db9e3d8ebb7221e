// Tests src/lib/up-to-moment.ts, which the feed and the logs share (kept here as tests/lib is not this change's).
import { describe, expect, it } from 'vitest';
import { upToMoment } from '../../../src/lib/up-to-moment.ts';

const items = [{ ts: 5 }, { ts: 3 }, { ts: 1 }];

describe('upToMoment', () => {
  it('keeps everything, as the same array, while live', () => {
    expect(upToMoment(items, null)).toBe(items);
  });

  it('keeps the same array when nothing is after the moment', () => {
    expect(upToMoment(items, 5)).toBe(items);
  });

  it('keeps the items at or before the moment, in their order, either way round', () => {
    expect(upToMoment(items, 3)).toEqual([{ ts: 3 }, { ts: 1 }]);
    expect(upToMoment([...items].reverse(), 3)).toEqual([{ ts: 1 }, { ts: 3 }]);
    expect(upToMoment(items, 0)).toEqual([]);
  });

  it('is idempotent: clipping what is clipped changes nothing', () => {
    const once = upToMoment(items, 4);
    expect(upToMoment(once, 4)).toBe(once);
  });
});
