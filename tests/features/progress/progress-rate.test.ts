import { describe, expect, it } from 'vitest';
import {
  addSample,
  estimateRun,
  formatRunRate,
  MAX_SAMPLES,
  MIN_STALL_MS,
  RATE_WINDOW_MS,
  type ProgressSample,
} from '../../../src/features/progress/progress-rate.ts';
import { describeFailure, describeRunDetail, progressValueText } from '../../../src/features/progress/describe-run.ts';
import { formatAge, formatDuration } from '../../../src/lib/format-duration.ts';
import type { Progress } from '../../../src/protocol/mesh.ts';

const T0 = 1_700_000_000_000;

/** Feeds (seconds after T0, percent, step) through addSample, as the view does. */
function history(...points: Array<[number, number, number?]>): ProgressSample[] {
  let samples: ProgressSample[] = [];
  for (const [s, percent, step] of points) samples = addSample(samples, { at: T0 + s * 1_000, percent, step });
  return samples;
}

describe('addSample', () => {
  it('keeps the updates in order', () => {
    expect(history([0, 10], [5, 20], [10, 30]).map((s) => s.percent)).toEqual([10, 20, 30]);
  });

  it('starts over when the run goes backwards: a restart says nothing of the run before', () => {
    expect(history([0, 10], [5, 40], [10, 80], [15, 5])).toEqual([{ at: T0 + 15_000, percent: 5, step: undefined }]);
    expect(history([0, 50, 4], [5, 50, 1])).toHaveLength(1);
  });

  it('lets the history older than the window fall off', () => {
    const samples = history([0, 1], [30, 2], [60, 3], [90, 4]);
    expect(samples.map((s) => s.at - T0)).toEqual([30_000, 60_000, 90_000]);
    expect(samples.every((s) => samples.at(-1)!.at - s.at <= RATE_WINDOW_MS)).toBe(true);
  });

  it('merges updates that come faster than the spacing, and stays bounded', () => {
    let samples: ProgressSample[] = [];
    for (let i = 0; i < 10_000; i++) samples = addSample(samples, { at: T0 + i * 10, percent: i / 100 });
    expect(samples.length).toBeLessThanOrEqual(MAX_SAMPLES);
    // The newest update is always the last sample.
    expect(samples.at(-1)!.percent).toBe(99.99);
  });
});

describe('estimateRun', () => {
  it('has nothing to say before two updates a little apart', () => {
    expect(estimateRun([], T0)).toBeNull();
    expect(estimateRun(history([0, 10]), T0)).toBeNull();
    expect(estimateRun(history([0, 10], [1, 11]), T0 + 1_000)).toBeNull();
  });

  it('reads a steady run: rate, steps per minute and time left', () => {
    // 2 % a second, a step every 5 s.
    const samples = history([0, 10, 1], [5, 20, 2], [10, 30, 3], [15, 40, 4]);
    const estimate = estimateRun(samples, T0 + 15_000)!;
    expect(estimate).toMatchObject({ stalled: false, steady: true });
    expect(estimate.percentPerSecond).toBeCloseTo(2);
    expect(estimate.stepsPerMinute).toBeCloseTo(12);
    expect(estimate.etaMs).toBeCloseTo(30_000);
    // Between updates the time left counts down.
    expect(estimateRun(samples, T0 + 20_000)!.etaMs).toBeCloseTo(25_000);
    // A clock read before the last update adds no time.
    expect(estimateRun(samples, T0)!.etaMs).toBeCloseTo(30_000);
    expect(formatRunRate(estimate)).toBe('12 steps/min');
  });

  it('gives no time left while the rate is not steady', () => {
    // Fast, then ten times slower.
    const estimate = estimateRun(history([0, 0], [5, 40], [10, 44], [15, 48], [20, 52]), T0 + 20_000)!;
    expect(estimate.steady).toBe(false);
    expect(estimate.etaMs).toBeNull();
    expect(estimate.percentPerSecond).toBeGreaterThan(0);
  });

  it('calls a run stalled when its percent stops moving for much longer than usual', () => {
    // It moved every 5 s, last at 15 s; still at 40 % at 20 and 25 s. Three usual gaps (15 s) is longer than the minimum.
    const samples = history([0, 10], [5, 20], [10, 30], [15, 40], [20, 40], [25, 40]);
    expect(estimateRun(samples, T0 + 29_000)).toMatchObject({ stalled: false });
    const later = estimateRun(samples, T0 + 15_000 + 15_000 + 1)!;
    expect(later).toMatchObject({ stalled: true, steady: false, etaMs: null });
  });

  it('calls a run stalled when its updates stop coming', () => {
    const samples = history([0, 10], [2, 12], [4, 14], [6, 16]);
    expect(estimateRun(samples, T0 + 8_000)!.stalled).toBe(false);
    expect(estimateRun(samples, T0 + 6_000 + MIN_STALL_MS + 1)!.stalled).toBe(true);
  });

  it('does not call a run that has only just started stalled', () => {
    const estimate = estimateRun(history([0, 0], [2, 0], [4, 0]), T0 + 4_000)!;
    expect(estimate).toMatchObject({ stalled: false, percentPerSecond: 0, etaMs: null });
  });

  it('reads a restarted run from its restart only', () => {
    const samples = history([0, 10], [5, 40], [10, 70], [15, 2], [20, 4], [25, 6], [30, 8]);
    const estimate = estimateRun(samples, T0 + 30_000)!;
    expect(estimate.percentPerSecond).toBeCloseTo(0.4);
    expect(estimate.etaMs).toBeCloseTo((92 / 0.4) * 1_000);
  });

  it.each<[number, number | null, string]>([
    [2.5, null, '2.5 %/s'],
    [12.4, null, '12 %/s'],
    [0.05, null, '3.0 %/min'],
    [0.5, 0, '30 %/min'],
    [0.5, 1.5, '1.5 steps/min'],
  ])('writes a rate of %s %%/s and %s steps/min as %j', (percentPerSecond, stepsPerMinute, expected) => {
    expect(formatRunRate({ percentPerSecond, stepsPerMinute, stalled: false, steady: true, etaMs: null })).toBe(expected);
  });
});

describe('run descriptions', () => {
  const run = (patch: Partial<Progress>): Progress => ({ id: 'r', label: 'Run', percent: 42, status: 'running', ...patch });

  it.each<[Partial<Progress>, string, string]>([
    [{ status: 'failed', step: 3, steps: 8, percent: 37.5 }, 'failed at step 3 of 8', 'failed at step 3 of 8 · 38 %'],
    [{ status: 'failed', percent: 61 }, 'failed at 61 %', 'failed at 61 %'],
    [{ status: 'failed', step: 3 }, 'failed at step 3', 'failed at step 3 · 42 %'],
    [{ status: 'complete', percent: 100, step: 8, steps: 8 }, 'step 8 of 8 · complete', '100 % · step 8 of 8 · complete'],
    [{ status: 'complete', percent: 100 }, 'complete', '100 % · complete'],
    [{ step: 2, steps: 5 }, 'step 2 of 5', '42 % · step 2 of 5 · running'],
    [{}, 'running', '42 % · running'],
  ])('describes %j', (patch, detail, valueText) => {
    expect(describeRunDetail(run(patch), null)).toBe(detail);
    expect(progressValueText(run(patch))).toBe(valueText);
  });

  it('adds rate and time left to a running run, or that it stalled', () => {
    const steady = { percentPerSecond: 2, stepsPerMinute: null, stalled: false, steady: true, etaMs: 130_000 };
    expect(describeRunDetail(run({ step: 2, steps: 5 }), steady)).toBe('step 2 of 5 · 2.0 %/s · ETA 2 m 10 s');
    expect(describeRunDetail(run({}), { ...steady, steady: false, etaMs: null })).toBe('2.0 %/s');
    expect(describeRunDetail(run({}), { ...steady, stalled: true, steady: false, etaMs: null })).toBe('stalled');
    expect(describeRunDetail(run({}), { ...steady, percentPerSecond: 0, etaMs: null })).toBe('running');
    // A finished run says how it ended, whatever the estimate.
    expect(describeRunDetail(run({ status: 'failed', step: 1, steps: 2 }), steady)).toBe(describeFailure(run({ step: 1, steps: 2 })));
  });
});

describe('durations', () => {
  it.each([
    [0, '0 s'],
    [44_600, '45 s'],
    [60_000, '1 m'],
    [130_000, '2 m 10 s'],
    [3_600_000, '1 h'],
    [3_900_000, '1 h 5 m'],
    [-5, '0 s'],
  ])('writes %i ms left as %j', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it.each([
    [0, '< 5 s'],
    [4_999, '< 5 s'],
    [12_000, '10 s'],
    [59_999, '55 s'],
    [60_000, '1 min'],
    [3_599_999, '59 min'],
    [7_200_000, '2 h'],
  ])('writes an age of %i ms as %j', (ms, expected) => {
    expect(formatAge(ms)).toBe(expected);
  });
});
