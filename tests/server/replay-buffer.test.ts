import { describe, expect, it } from 'vitest';
import { ReplayBuffer, type ReplayBudget } from '../../src/server/stream/replay-buffer.ts';
import type { StreamEntry } from '../../src/server/stream/stream-entry.ts';

function entry(seq: number, ts: number, chars = 10): StreamEntry {
  return { seq, ts, channel: 'events', coalesceKey: null, payload: { type: 'event', message: 'm', severity: 'info' }, serialised: 'x'.repeat(chars) };
}
const LIMITS = { maxEntries: 100, maxAgeMs: 60_000, maxBytes: 10_000 };

describe('replay buffer', () => {
  it('replays everything after a seq it still holds, and nothing for the latest seq', () => {
    const buffer = new ReplayBuffer(LIMITS, () => 0);
    for (let seq = 1; seq <= 10; seq++) buffer.push(entry(seq, 0));
    expect(buffer.since(7, 10)?.map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(buffer.since(10, 10)).toEqual([]);
    expect(buffer.since(11, 10)).toBeNull();
  });

  it.each([
    ['count', { ...LIMITS, maxEntries: 5 }, 10],
    ['bytes', { ...LIMITS, maxBytes: 50 }, 10],
  ] as const)('lets go of the oldest past its %s bound', (_bound, limits, chars) => {
    const buffer = new ReplayBuffer(limits, () => 0);
    for (let seq = 1; seq <= 10; seq++) buffer.push(entry(seq, 0, chars));
    expect(buffer.size).toBe(5);
    expect(buffer.since(4, 10)).toBeNull();
    expect(buffer.since(5, 10)?.map((e) => e.seq)).toEqual([6, 7, 8, 9, 10]);
  });

  it('lets go of entries older than maxAgeMs', () => {
    let now = 0;
    const buffer = new ReplayBuffer(LIMITS, () => now);
    buffer.push(entry(1, 0));
    now = 61_000;
    buffer.push(entry(2, 61_000));
    expect(buffer.since(0, 2)).toBeNull();
    expect(buffer.since(1, 2)?.map((e) => e.seq)).toEqual([2]);
  });

  it('says a replay is too large past maxChars', () => {
    const buffer = new ReplayBuffer(LIMITS, () => 0);
    for (let seq = 1; seq <= 10; seq++) buffer.push(entry(seq, 0, 100));
    expect(buffer.sinceWithin(0, 10, 1_000)).toMatchObject({ tooLarge: false });
    expect(buffer.sinceWithin(0, 10, 999)).toEqual({ entries: null, tooLarge: true });
  });

  it('keeps every buffer of a gateway within one shared budget, the pushing one giving way', () => {
    const budget: ReplayBudget = { usedChars: 0, maxChars: 500 };
    const quiet = new ReplayBuffer(LIMITS, () => 0, budget);
    const busy = new ReplayBuffer(LIMITS, () => 0, budget);
    for (let seq = 1; seq <= 20; seq++) quiet.push(entry(seq, 0, 10));
    for (let seq = 1; seq <= 100; seq++) busy.push(entry(seq, 0, 10));
    expect(budget.usedChars).toBeLessThanOrEqual(500);
    expect(quiet.size).toBe(20);
    expect(busy.size).toBe(30);
    busy.clear();
    expect(budget.usedChars).toBe(200);
  });
});
