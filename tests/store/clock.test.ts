/** The one clock: live (no moment), or a moment within what the recording holds. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClockStore, selectHeld, selectIsLive, selectMoment, useClock } from '../../src/store/clock.ts';

const NOW = Date.UTC(2026, 11, 7, 9, 30, 0);
const HELD = { from: NOW - 60_000, to: NOW - 1_000, stepMs: 1_000 };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => vi.useRealTimers());

describe('clock', () => {
  it('starts live, holding nothing', () => {
    const clock = createClockStore();
    expect(clock.getState().moment).toBeNull();
    expect(clock.getState().held).toBeNull();
    expect(selectIsLive(clock.getState())).toBe(true);
  });

  it('pauses at now, once: a second pause keeps the first moment', () => {
    const clock = createClockStore();
    clock.getState().pause();
    expect(clock.getState().moment).toBe(NOW);
    expect(selectIsLive(clock.getState())).toBe(false);
    vi.setSystemTime(NOW + 5_000);
    clock.getState().pause();
    expect(clock.getState().moment).toBe(NOW);
  });

  it('does not move a scrubbed moment on pause', () => {
    const clock = createClockStore();
    clock.getState().setHeld(HELD);
    clock.getState().scrubTo(HELD.from + 10_000);
    clock.getState().pause();
    expect(clock.getState().moment).toBe(HELD.from + 10_000);
  });

  it('scrubs to a moment inside the held span as it is', () => {
    const clock = createClockStore();
    clock.getState().setHeld(HELD);
    clock.getState().scrubTo(HELD.from + 12_345);
    expect(selectMoment(clock.getState())).toBe(HELD.from + 12_345);
    clock.getState().scrubTo(HELD.from);
    expect(clock.getState().moment).toBe(HELD.from);
    clock.getState().scrubTo(HELD.to);
    expect(clock.getState().moment).toBe(HELD.to);
  });

  it('clamps a scrub into the held span', () => {
    const clock = createClockStore();
    clock.getState().setHeld(HELD);
    clock.getState().scrubTo(HELD.from - 1);
    expect(clock.getState().moment).toBe(HELD.from);
    clock.getState().scrubTo(0);
    expect(clock.getState().moment).toBe(HELD.from);
    clock.getState().scrubTo(HELD.to + 1);
    expect(clock.getState().moment).toBe(HELD.to);
    clock.getState().scrubTo(Number.MAX_SAFE_INTEGER);
    expect(clock.getState().moment).toBe(HELD.to);
  });

  it('takes a scrub as it is while nothing is held', () => {
    const clock = createClockStore();
    clock.getState().scrubTo(NOW - 7_000);
    expect(clock.getState().moment).toBe(NOW - 7_000);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('ignores a scrub to %s', (bad) => {
    const clock = createClockStore();
    clock.getState().setHeld(HELD);
    clock.getState().scrubTo(bad);
    expect(clock.getState().moment).toBeNull();
    clock.getState().scrubTo(HELD.from + 5_000);
    clock.getState().scrubTo(bad);
    expect(clock.getState().moment).toBe(HELD.from + 5_000);
  });

  it('goes live from a moment, and stays live', () => {
    const clock = createClockStore();
    clock.getState().setHeld(HELD);
    clock.getState().scrubTo(HELD.from + 5_000);
    clock.getState().goLive();
    expect(clock.getState().moment).toBeNull();
    expect(selectIsLive(clock.getState())).toBe(true);
    clock.getState().goLive();
    expect(clock.getState().moment).toBeNull();
    // The recording is not forgotten.
    expect(selectHeld(clock.getState())).toEqual(HELD);
  });

  it('sets and clears what is held without moving the moment', () => {
    const clock = createClockStore();
    clock.getState().setHeld(HELD);
    clock.getState().scrubTo(HELD.from + 5_000);
    const next = { from: HELD.from + 1_000, to: HELD.to + 1_000, stepMs: 2_000 };
    clock.getState().setHeld(next);
    expect(clock.getState().held).toEqual(next);
    expect(clock.getState().moment).toBe(HELD.from + 5_000);
    clock.getState().setHeld(null);
    expect(clock.getState().held).toBeNull();
  });

  it('gives each store its own clock, apart from the app clock', () => {
    const a = createClockStore();
    const b = createClockStore();
    const appMoment = useClock.getState().moment;
    a.getState().pause();
    expect(a.getState().moment).toBe(NOW);
    expect(b.getState().moment).toBeNull();
    expect(useClock.getState().moment).toBe(appMoment);
  });

  it('notifies subscribers once per change of moment', () => {
    const clock = createClockStore();
    const moments: (number | null)[] = [];
    clock.subscribe((state, previous) => {
      if (state.moment !== previous.moment) moments.push(state.moment);
    });
    clock.getState().pause();
    clock.getState().pause();
    clock.getState().goLive();
    expect(moments).toEqual([NOW, null]);
  });
});
