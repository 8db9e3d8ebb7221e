import { describe, expect, it } from 'vitest';
import {
  describeTimeline,
  formatDuration,
  TIMELINE_WINDOW_MS,
  timelineEnd,
  timelineSegments,
} from '../../../src/features/node-details/timeline.ts';
import type { StatusChange } from '../../../src/store/realtime.ts';

const NOW = 1_700_000_000_000;
const MIN = 60_000;
const at = (msAgo: number, status: StatusChange['status']): StatusChange => ({ ts: NOW - msAgo, status });

describe('the status timeline', () => {
  it('cuts the history into periods within the last 10 minutes, clipped for drawing but with their real start', () => {
    const changes = [at(30 * MIN, 'starting'), at(20 * MIN, 'healthy'), at(4 * MIN, 'degraded'), at(30_000, 'healthy')];
    expect(timelineSegments(changes, NOW)).toEqual([
      { status: 'healthy', from: NOW - TIMELINE_WINDOW_MS, to: NOW - 4 * MIN, since: NOW - 20 * MIN },
      { status: 'degraded', from: NOW - 4 * MIN, to: NOW - 30_000, since: NOW - 4 * MIN },
      { status: 'healthy', from: NOW - 30_000, to: NOW, since: NOW - 30_000 },
    ]);
  });

  it('leaves out a status replaced the instant it began, but never the current one', () => {
    const changes = [at(MIN, 'healthy'), at(10_000, 'down'), at(10_000, 'degraded'), at(0, 'healthy')];
    expect(timelineSegments(changes, NOW).map((s) => s.status)).toEqual(['healthy', 'degraded', 'healthy']);
  });

  it('ends at the newest change when it is ahead of the local clock', () => {
    expect(timelineEnd([at(-5_000, 'down')], NOW)).toBe(NOW + 5_000);
    expect(timelineEnd([at(5_000, 'down')], NOW)).toBe(NOW);
    expect(timelineEnd([], NOW)).toBe(NOW);
  });

  it.each([
    [[at(4 * MIN + 30_000, 'healthy'), at(30_000, 'degraded')], 'healthy for 4 min, degraded since 30 s ago'],
    [[at(65 * MIN, 'healthy')], 'healthy since 1 h 5 min ago'],
    [
      [at(9 * MIN, 'starting'), at(8 * MIN, 'healthy'), at(5 * MIN, 'down'), at(2 * MIN, 'degraded'), at(5_000, 'healthy')],
      '2 earlier periods, down for 3 min, degraded for 1 min, healthy since 5 s ago',
    ],
  ])('summarises %j as "%s"', (changes, summary) => {
    expect(describeTimeline(timelineSegments(changes, NOW), NOW)).toBe(summary);
  });

  it('names when the last period began, not how long ago, when the strip ends at a moment shown', () => {
    const changes = [at(4 * MIN + 30_000, 'healthy'), at(30_000, 'degraded')];
    const since = new Date(NOW - 30_000);
    const clock = [since.getHours(), since.getMinutes(), since.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
    expect(describeTimeline(timelineSegments(changes, NOW), NOW, true)).toBe(`healthy for 4 min, degraded since ${clock}`);
  });

  it.each([
    [0, '0 s'],
    [29_600, '30 s'],
    [59_000, '59 s'],
    [60_000, '1 min'],
    [4 * MIN + 59_000, '4 min'],
    [60 * MIN, '1 h'],
    [125 * MIN, '2 h 5 min'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
