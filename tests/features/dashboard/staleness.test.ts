import { describe, expect, it } from 'vitest';
import { stalenessNote } from '../../../src/features/dashboard/staleness.ts';
import { formatAge } from '../../../src/lib/format-duration.ts';

const NOW = 1_000_000;

describe('stalenessNote', () => {
  it('says nothing while the link is up and the series reports', () => {
    expect(stalenessNote({ now: NOW, moment: null, staleSince: null, newest: { t: NOW - 1_000, intervalMs: 1_000 } })).toBeNull();
    expect(stalenessNote({ now: NOW, moment: null, staleSince: null, newest: null })).toBeNull();
  });

  it('calls a series stopped after max(5 s, three of its intervals)', () => {
    const everySecond = { intervalMs: 1_000 };
    expect(stalenessNote({ now: NOW, moment: null, staleSince: null, newest: { t: NOW - 5_000, ...everySecond } })).toBeNull();
    expect(stalenessNote({ now: NOW, moment: null, staleSince: null, newest: { t: NOW - 5_001, ...everySecond } })).toBe('stopped 5 s ago');
    expect(stalenessNote({ now: NOW, moment: null, staleSince: null, newest: { t: NOW - 42_000, ...everySecond } })).toBe('stopped 40 s ago');
    const everyTenSeconds = { intervalMs: 10_000 };
    expect(stalenessNote({ now: NOW, moment: null, staleSince: null, newest: { t: NOW - 25_000, ...everyTenSeconds } })).toBeNull();
    expect(stalenessNote({ now: NOW, moment: null, staleSince: null, newest: { t: NOW - 31_000, ...everyTenSeconds } })).toBe('stopped 30 s ago');
    // One point only: no interval yet, the five-second floor applies.
    expect(stalenessNote({ now: NOW, moment: null, staleSince: null, newest: { t: NOW - 6_000, intervalMs: null } })).toBe('stopped 5 s ago');
  });

  it('says how old the data is since the link went down', () => {
    const newest = { t: NOW - 61_000, intervalMs: 1_000 };
    expect(stalenessNote({ now: NOW, moment: null, staleSince: NOW - 60_000, newest })).toBe('data 1 min old');
    expect(stalenessNote({ now: NOW, moment: null, staleSince: NOW - 3_000, newest: null })).toBe('data < 5 s old');
  });

  it('counts a link lost after the coarse clock last ticked as just lost', () => {
    expect(stalenessNote({ now: NOW, moment: null, staleSince: NOW + 400, newest: null })).toBe('data < 5 s old');
  });

  it('says stopped when the series had stopped before the link went down', () => {
    const newest = { t: NOW - 120_000, intervalMs: 1_000 };
    expect(stalenessNote({ now: NOW, moment: null, staleSince: NOW - 10_000, newest })).toBe('stopped 2 min ago');
  });

  it('judges a paused moment by that moment: before the link went down, the data was live', () => {
    const moment = NOW - 30_000;
    const newest = { t: moment - 1_000, intervalMs: 1_000 };
    expect(stalenessNote({ now: NOW, moment, staleSince: NOW - 10_000, newest })).toBeNull();
    expect(stalenessNote({ now: NOW, moment, staleSince: null, newest: { t: moment - 20_000, intervalMs: 1_000 } })).toBe('stopped 20 s ago');
  });
});

describe('ages on the dashboard', () => {
  it('word an age as every other panel does (the feed, the logs, progress)', () => {
    for (const ms of [900, 42_900, 61_000, 2 * 3_600_000 + 5_000, 72 * 3_600_000]) {
      expect(stalenessNote({ now: NOW, moment: null, staleSince: NOW - ms, newest: null })).toBe(`data ${formatAge(ms)} old`);
    }
    expect(stalenessNote({ now: NOW, moment: null, staleSince: NOW - 42_900, newest: null })).toBe('data 40 s old');
  });
});
