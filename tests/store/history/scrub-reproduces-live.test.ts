/**
 * The timeline's promise: scrubbing back to a moment shows the state the
 * live view had at that moment. A simulated mesh (statuses, edge stats,
 * events, chart points, progress, incidents, nodes coming and going) is fed
 * through a store in uneven batches, the way frames batch it; at every
 * recorded moment the live state is kept aside; then the clock is paused
 * and scrubbed to each of those moments, in random order, and what is shown
 * is compared with what was live.
 */
import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { CrawlSimulator } from '../../../src/server/simulator/simulator.ts';
import type { Envelope, Payload } from '../../../src/protocol/messages.ts';
import { Random } from '../../../src/lib/prng.ts';
import { createClockStore } from '../../../src/store/clock.ts';
import { createRealtimeStore, type RealtimeState } from '../../../src/store/realtime.ts';
import { linkShown } from '../../../src/store/shown.ts';

const START = Date.UTC(2026, 11, 7, 9, 0, 0);

interface LiveAt {
  at: number;
  state: RealtimeState;
}

function run(options: { seconds: number; size: number; rate: number; budgetBytes?: number; seed: number }) {
  const live = createRealtimeStore();
  const shown = createStore<RealtimeState>()(() => live.getState());
  const clock = createClockStore();
  let now = START;
  // Time is driven by hand: the link records only when told to, at known moments.
  const link = linkShown(live, shown, clock, {
    now: () => now,
    setTimer: () => 0,
    clearTimer: () => undefined,
    recorder: options.budgetBytes === undefined ? {} : { budgetBytes: options.budgetBytes },
  });
  const sim = new CrawlSimulator({ seed: options.seed, size: options.size, ratePerSecond: options.rate, now: START });
  const random = new Random(options.seed + 1);
  let seq = 0;
  const wrap = (payloads: Payload[], ts: number): Envelope[] => payloads.map((data) => ({ seq: ++seq, ts, data }));
  live.getState().applyBatch(wrap(sim.initial(), now));

  const recorded: LiveAt[] = [];
  for (let second = 0; second < options.seconds; second++) {
    // A second's traffic in uneven frames.
    let left = 1_000;
    while (left > 0) {
      const dt = Math.min(left, 5 + Math.floor(random.next() * 40));
      left -= dt;
      now += dt;
      live.getState().applyBatch(wrap(sim.step(dt), now));
    }
    link.recordNow();
    recorded.push({ at: now, state: live.getState() });
  }
  return { live, shown, clock, link, recorded };
}

/** Items at or before `at`, the way a paused chart or log shows what the store still holds. */
const upTo = <T>(items: readonly T[] | undefined, at: number, time: (item: T) => number) =>
  (items ?? []).filter((item) => time(item) <= at);

describe('scrubbing the timeline', () => {
  it('shows, at every recorded moment, the state the live view had then', () => {
    const { shown, clock, recorded, live } = run({ seconds: 90, size: 60, rate: 800, seed: 7 });
    expect(clock.getState().held).toMatchObject({ from: START, to: recorded.at(-1)!.at, stepMs: 1_000 });

    // Paused at the newest recorded moment (pause() reads the wall clock; this run has its own).
    clock.getState().scrubTo(recorded.at(-1)!.at);
    const order = recorded.map((_, i) => i).sort((a, b) => ((a * 7919) % 89) - ((b * 7919) % 89));
    let compared = 0;
    for (const index of order) {
      const { at, state } = recorded[index]!;
      clock.getState().scrubTo(at);
      const view = shown.getState();
      expect(view.nodes).toEqual(state.nodes);
      expect(view.edges).toEqual(state.edges);
      expect(view.progress).toEqual(state.progress);
      expect(view.statusHistory).toEqual(state.statusHistory);
      expect(view.seriesByNode).toEqual(state.seriesByNode);
      expect(view.topologyVersion).toBe(state.topologyVersion);
      expect(view.events).toEqual(state.events);
      // Charts and logs are clipped from what the store still holds: the points the live view had, from the oldest still held.
      for (const [series, points] of Object.entries(state.charts)) {
        const heldFrom = live.getState().charts[series]?.[0]?.t ?? Number.POSITIVE_INFINITY;
        expect(view.charts[series], series).toEqual(points.filter((p) => p.t >= heldFrom));
      }
      compared++;
    }
    expect(compared).toBe(90);
  });

  it('moves the live data on while paused, and the paused view not at all', () => {
    const { shown, clock, live, recorded } = run({ seconds: 20, size: 40, rate: 400, seed: 3 });
    clock.getState().scrubTo(recorded.at(-1)!.at);
    const paused = shown.getState();
    const pausedAt = clock.getState().moment!;
    expect(paused.edges).toEqual(recorded.at(-1)!.state.edges);

    const before = live.getState().stream.received;
    const sim = new CrawlSimulator({ seed: 99, size: 40, ratePerSecond: 2_000, now: pausedAt + 10 });
    live.getState().applyBatch(sim.initial().map((data, i) => ({ seq: 10_000_000 + i, ts: pausedAt + 5_000, data })));
    expect(live.getState().stream.received).toBeGreaterThan(before);

    const view = shown.getState();
    expect(view.nodes).toBe(paused.nodes);
    expect(view.edges).toBe(paused.edges);
    expect(view.events).toBe(paused.events);
    // The receiving counters are the live ones: the connection is not paused.
    expect(view.stream.received).toBe(live.getState().stream.received);
    for (const [series, points] of Object.entries(view.charts)) {
      expect(points.every((p) => p.t <= pausedAt), series).toBe(true);
      expect(points).toEqual(upTo(live.getState().charts[series], pausedAt, (p) => p.t));
    }

    clock.getState().goLive();
    expect(shown.getState()).toBe(live.getState());
  });

  it('stays exact at the moments it keeps when the budget thins older history', () => {
    const options = { seconds: 120, size: 60, rate: 1_500, seed: 11 };
    const unthinned = run(options).link.recorder;
    const { shown, clock, link, recorded } = run({ ...options, budgetBytes: 1_000_000 });
    const span = link.recorder.span()!;
    expect(unthinned.heldBytes()).toBeGreaterThan(1_000_000);
    expect(link.recorder.heldBytes()).toBeLessThanOrEqual(1_000_000);
    expect(span.stepMs).toBeGreaterThan(1_000);
    expect(span.moments).toBeLessThan(unthinned.span()!.moments);

    clock.getState().scrubTo(recorded.at(-1)!.at);
    const kept = new Set(link.recorder.momentTimes());
    let exact = 0;
    for (const { at, state } of recorded) {
      if (!kept.has(at)) continue;
      clock.getState().scrubTo(at);
      const view = shown.getState();
      expect(view.nodes).toEqual(state.nodes);
      expect(view.edges).toEqual(state.edges);
      expect(view.progress).toEqual(state.progress);
      expect(view.topologyVersion).toBe(state.topologyVersion);
      expect(view.events).toEqual(state.events);
      exact++;
    }
    expect(exact).toBeGreaterThan(10);
    // Only the older half is thinned: the newest seconds are all kept.
    const newest = recorded.slice(-3);
    for (const { at, state } of newest) {
      expect(kept.has(at)).toBe(true);
      clock.getState().scrubTo(at);
      expect(shown.getState().edges).toEqual(state.edges);
    }
  });
});
