/**
 * `linkShown` keeps the shown store equal to the live one while the clock
 * is live, and to the recorded moment while it is not, recording as live
 * data arrives. Time is driven by hand: the link's `now` and its timers are
 * injected, and the clock's own `Date.now` (for Pause) is faked to match.
 */
import { OVER_BUDGET_SLACK } from '../../src/store/history/recorder.ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Payload } from '../../src/protocol/messages.ts';
import { createClockStore } from '../../src/store/clock.ts';
import type { RecorderOptions } from '../../src/store/history/recorder.ts';
import { createRealtimeStore, type RealtimeState } from '../../src/store/realtime.ts';
import { linkShown, RECORD_EVERY_MS } from '../../src/store/shown.ts';
import { p } from './fixtures.ts';

const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);

function harness(recorder: Partial<RecorderOptions> = {}) {
  const live = createRealtimeStore();
  const shown: StoreApi<RealtimeState> = createStore<RealtimeState>()(() => live.getState());
  const clock = createClockStore();
  let now = T0;
  vi.setSystemTime(now);
  let nextTimer = 0;
  const timers = new Map<number, { run: () => void; ms: number }>();
  const cleared: unknown[] = [];
  const link = linkShown(live, shown, clock, {
    recorder,
    now: () => now,
    setTimer: (run, ms) => {
      timers.set(++nextTimer, { run, ms });
      return nextTimer;
    },
    clearTimer: (timer) => {
      cleared.push(timer);
      timers.delete(timer as number);
    },
  });
  let seq = 0;
  return {
    live,
    shown,
    clock,
    link,
    timers,
    cleared,
    get now() {
      return now;
    },
    /** Moves both clocks on. */
    advance(ms: number) {
      now += ms;
      vi.setSystemTime(now);
    },
    /** One frame's batch, stamped now. */
    feed(...payloads: Payload[]) {
      live.getState().applyBatch(payloads.map((data) => ({ seq: ++seq, ts: now, data })));
    },
    /** Runs the pending timers, as if their time had come. */
    fireTimers() {
      const due = [...timers.values()];
      timers.clear();
      for (const timer of due) timer.run();
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterEach(() => vi.useRealTimers());

describe('linkShown while live', () => {
  it('passes the live state through, the very same object', () => {
    const h = harness();
    expect(h.shown.getState()).toBe(h.live.getState());
    h.feed(p.node('a'), p.edge('a->b', 'a', 'b'));
    expect(h.shown.getState()).toBe(h.live.getState());
    h.advance(300);
    h.feed(p.status('a', 'down'));
    expect(h.shown.getState()).toBe(h.live.getState());
    expect(h.shown.getState().nodes['a']!.status).toBe('down');
  });

  it('records the first change at once and reports what it holds to the clock', () => {
    const h = harness();
    expect(h.clock.getState().held).toBeNull();
    h.feed(p.node('a'));
    expect(h.link.recorder.momentTimes()).toEqual([T0]);
    expect(h.clock.getState().held).toEqual({ from: T0, to: T0, stepMs: 0 });

    h.advance(1_000);
    h.feed(p.node('b'));
    expect(h.clock.getState().held).toEqual({ from: T0, to: T0 + 1_000, stepMs: 1_000 });
    h.advance(3_000);
    h.feed(p.node('c'));
    expect(h.clock.getState().held).toEqual({ from: T0, to: T0 + 4_000, stepMs: 3_000 });
  });

  it('records at most once a second while data changes, with a trailing record of the latest state', () => {
    const h = harness();
    h.feed(p.node('a'));
    expect(h.link.recorder.momentTimes()).toEqual([T0]);

    h.advance(200);
    h.feed(p.node('b'));
    // Too soon: a timer for the rest of the second instead.
    expect(h.link.recorder.momentTimes()).toEqual([T0]);
    expect(h.timers.size).toBe(1);
    expect([...h.timers.values()][0]!.ms).toBe(RECORD_EVERY_MS - 200);

    h.advance(300);
    h.feed(p.node('c'));
    // One timer is enough.
    expect(h.timers.size).toBe(1);
    expect(h.link.recorder.momentTimes()).toEqual([T0]);

    h.advance(500);
    h.fireTimers();
    expect(h.link.recorder.momentTimes()).toEqual([T0, T0 + 1_000]);
    // The trailing record has the latest state, `c` included.
    expect(Object.keys(h.link.recorder.stateAt(T0 + 1_000)!.nodes).sort()).toEqual(['a', 'b', 'c']);
    expect(h.clock.getState().held?.to).toBe(T0 + 1_000);

    // A second after the last record, the next change is recorded at once.
    h.advance(1_000);
    h.feed(p.node('d'));
    expect(h.link.recorder.momentTimes()).toEqual([T0, T0 + 1_000, T0 + 2_000]);
    expect(h.timers.size).toBe(0);
  });

  it('records nothing while nothing changes', () => {
    const h = harness();
    h.feed(p.node('a'));
    h.advance(10_000);
    expect(h.timers.size).toBe(0);
    expect(h.link.recorder.momentTimes()).toEqual([T0]);
  });

  it('never records a trailing moment at or before the last one', () => {
    const h = harness();
    h.feed(p.node('a'));
    h.advance(100);
    h.feed(p.node('b'));
    // The timer runs before `now` has moved past the last record (a clock that stepped back).
    h.advance(-200);
    h.fireTimers();
    expect(h.link.recorder.momentTimes()).toEqual([T0, T0 + 1]);
    expect(Object.keys(h.link.recorder.stateAt(T0 + 1)!.nodes).sort()).toEqual(['a', 'b']);
  });

  it('records on demand, cancelling a pending trailing record', () => {
    const h = harness();
    h.feed(p.node('a'));
    h.advance(100);
    h.feed(p.node('b'));
    expect(h.timers.size).toBe(1);
    const pending = [...h.timers.keys()][0];
    h.link.recordNow();
    expect(h.cleared).toContain(pending);
    expect(h.timers.size).toBe(0);
    expect(h.link.recorder.momentTimes()).toEqual([T0, T0 + 100]);
  });

  it('stops following the live store once disposed', () => {
    const h = harness();
    h.feed(p.node('a'));
    h.advance(100);
    h.feed(p.node('b'));
    const pending = [...h.timers.keys()][0];
    h.link.dispose();
    expect(h.cleared).toContain(pending);
    const before = h.shown.getState();
    h.advance(2_000);
    h.feed(p.node('c'));
    expect(h.shown.getState()).toBe(before);
    expect(h.link.recorder.momentTimes()).toEqual([T0]);
  });
});

describe('linkShown while paused', () => {
  /** A small mesh, recorded second by second for `seconds`. */
  function running(seconds: number, recorder: Partial<RecorderOptions> = {}) {
    const h = harness(recorder);
    h.feed(p.node('a'), p.node('b'), p.edge('a->b', 'a', 'b'), p.point('rps', 0, T0));
    const states = new Map<number, RealtimeState>([[T0, h.live.getState()]]);
    for (let i = 1; i <= seconds; i++) {
      h.advance(1_000);
      h.feed(p.stats('a->b', { rps: i, errorRate: 0, p95Ms: i }), p.point('rps', i, h.now), p.event(`tick ${i}`), p.log('a', `line ${i}`));
      states.set(h.now, h.live.getState());
    }
    // Not a spread: `now` is a getter.
    return Object.assign(h, { states });
  }

  it('records the moment paused at and shows it', () => {
    const h = running(3);
    h.advance(400);
    h.feed(p.status('a', 'down'));
    // Too soon after the last record: the change waits for the trailing timer.
    expect(h.link.recorder.momentTimes().at(-1)).toBe(T0 + 3_000);
    const atPause = h.live.getState();

    h.clock.getState().pause();
    const moment = h.clock.getState().moment!;
    expect(moment).toBe(T0 + 3_400);
    expect(h.link.recorder.momentTimes().at(-1)).toBe(moment);
    expect(h.timers.size).toBe(0);
    const view = h.shown.getState();
    expect(view.nodes).toEqual(atPause.nodes);
    expect(view.nodes['a']!.status).toBe('down');
    expect(view.edges).toEqual(atPause.edges);
    expect(view.events).toBe(atPause.events);
  });

  it('freezes what is shown while live batches arrive, and keeps recording', () => {
    const h = running(3);
    h.clock.getState().pause();
    const paused = h.shown.getState();
    const moment = h.clock.getState().moment!;

    for (let i = 0; i < 8; i++) {
      h.advance(250);
      h.feed(
        p.status('a', i % 2 ? 'down' : 'healthy'),
        p.node(`new${i}`),
        p.stats('a->b', { rps: 100 + i, errorRate: 0, p95Ms: i }),
        p.event(`later ${i}`),
        p.point('rps', 100 + i, h.now),
        p.log('a', `later ${i}`),
      );
      h.fireTimers();
      const view = h.shown.getState();
      expect(view.nodes, `batch ${i}`).toBe(paused.nodes);
      expect(view.edges).toBe(paused.edges);
      expect(view.events).toBe(paused.events);
      expect(view.progress).toBe(paused.progress);
      expect(view.statusHistory).toBe(paused.statusHistory);
      expect(view.seriesByNode).toBe(paused.seriesByNode);
      expect(view.charts).toBe(paused.charts);
      expect(view.logs).toBe(paused.logs);
      // The connection is not paused: its counters are the live ones.
      expect(view.stream).toBe(h.live.getState().stream);
    }
    expect(h.clock.getState().moment).toBe(moment);
    expect(Object.keys(h.live.getState().nodes)).toContain('new7');
    expect(h.link.recorder.momentTimes().at(-1)).toBeGreaterThan(moment);
    // Charts and logs are cut at the moment.
    const view = h.shown.getState();
    expect(view.charts['rps']!.every((point) => point.t <= moment)).toBe(true);
    expect(view.charts['rps']).toEqual(h.live.getState().charts['rps']!.filter((point) => point.t <= moment));
    expect(view.logs['a']).toEqual(h.live.getState().logs['a']!.filter((line) => line.ts <= moment));
  });

  it('shows each earlier moment as the live view had it', () => {
    const h = running(6);
    h.clock.getState().pause();
    for (const at of [T0 + 2_000, T0, T0 + 5_000, T0 + 1_000, T0 + 6_000, T0 + 3_000]) {
      h.clock.getState().scrubTo(at);
      const view = h.shown.getState();
      const then = h.states.get(at)!;
      expect(view.nodes, `+${at - T0}`).toEqual(then.nodes);
      expect(view.edges).toEqual(then.edges);
      expect(view.events).toBe(then.events);
      expect(view.topologyVersion).toBe(then.topologyVersion);
      expect(view.charts['rps']).toEqual(then.charts['rps']);
      expect(view.logs['a'] ?? []).toEqual(then.logs['a'] ?? []);
    }
  });

  it('keeps what is shown while older moments age out of the span', () => {
    const h = running(3, { spanMs: 4_000 });
    h.clock.getState().pause();
    const paused = h.shown.getState();
    const moment = h.clock.getState().moment!;
    for (let i = 0; i < 3; i++) {
      h.advance(1_000);
      h.feed(p.stats('a->b', { rps: 200 + i, errorRate: 0, p95Ms: i }), p.node(`later${i}`));
      // The moment shown is still held, while older ones are folded away.
      expect(h.clock.getState().held!.from).toBeLessThanOrEqual(moment);
      expect(h.clock.getState().moment).toBe(moment);
      expect(h.shown.getState().nodes, `after +${i + 1} s`).toBe(paused.nodes);
      expect(h.shown.getState().edges).toBe(paused.edges);
    }
    expect(h.link.recorder.span()!.from).toBeGreaterThan(T0);
    expect(h.shown.getState().nodes).toEqual(h.states.get(moment)!.nodes);
  });

  it('keeps what is shown while the budget thins older history', () => {
    const full = running(20).link.recorder.heldBytes();
    const h = running(20, { budgetBytes: full });
    const before = h.link.recorder.momentTimes().length;
    h.clock.getState().pause();
    const paused = h.shown.getState();
    const moment = h.clock.getState().moment!;
    for (let i = 0; i < 4; i++) {
      h.advance(1_000);
      // Seconds like the ones before: thinning has to make room for them in the older half.
      h.feed(p.stats('a->b', { rps: 300 + i, errorRate: 0, p95Ms: i }), p.event(`later ${i}`));
      expect(h.shown.getState().nodes, `after +${i + 1} s`).toBe(paused.nodes);
      expect(h.shown.getState().edges).toBe(paused.edges);
      expect(h.shown.getState().events).toBe(paused.events);
    }
    // Thinning happened: fewer moments than recorded, coarser steps.
    expect(h.link.recorder.momentTimes().length).toBeLessThan(before + 4);
    expect(h.clock.getState().held!.stepMs).toBeGreaterThan(1_000);
    expect(h.link.recorder.heldBytes()).toBeLessThanOrEqual(full * OVER_BUDGET_SLACK);
    expect(h.shown.getState().nodes).toEqual(h.states.get(moment)!.nodes);
  });

  it('moves a moment that ages out of the span to the oldest one held', () => {
    const h = running(5, { spanMs: 3_000 });
    h.clock.getState().pause();
    h.clock.getState().scrubTo(T0 + 1_000);
    expect(h.clock.getState().moment).toBe(T0 + 1_000);
    for (let i = 0; i < 3; i++) {
      h.advance(1_000);
      h.feed(p.node(`later${i}`));
    }
    const from = h.link.recorder.span()!.from;
    expect(from).toBeGreaterThan(T0 + 1_000);
    expect(h.clock.getState().held!.from).toBe(from);
    expect(h.clock.getState().moment).toBe(from);
    // And shows that moment.
    const recorded = h.link.recorder.stateAt(from)!;
    expect(h.shown.getState().nodes).toBe(recorded.nodes);
    expect(h.shown.getState().edges).toEqual(h.states.get(from)!.edges);
  });

  it('moves a moment the budget folds away (new ids every second: merging frees nothing) to the oldest one held', () => {
    const churn = (i: number) => Array.from({ length: 5 }, (_, k) => p.node(`churn${i}-${k}`));
    // A budget of about ten such seconds.
    const probe = running(0, { budgetBytes: Number.POSITIVE_INFINITY });
    probe.advance(1_000);
    probe.feed(...churn(0));
    const budgetBytes = 10 * probe.link.recorder.heldBytes();

    const h = running(3, { budgetBytes });
    h.clock.getState().pause();
    h.clock.getState().scrubTo(T0 + 1_000);
    for (let i = 0; i < 40; i++) {
      h.advance(1_000);
      h.feed(...churn(i));
      h.states.set(h.now, h.live.getState());
      expect(h.link.recorder.heldBytes(), `after +${i + 1} s`).toBeLessThanOrEqual(budgetBytes * OVER_BUDGET_SLACK);
    }
    const from = h.link.recorder.span()!.from;
    expect(from).toBeGreaterThan(T0 + 1_000);
    expect(h.link.recorder.thinningCounts().folded).toBeGreaterThan(0);
    expect(h.clock.getState().held!.from).toBe(from);
    expect(h.clock.getState().moment).toBe(from);
    // And shows that moment as the live view had it.
    expect(h.shown.getState().nodes).toEqual(h.states.get(from)!.nodes);
    expect(h.shown.getState().events).toBe(h.states.get(from)!.events);
  });

  it('goes back to passing the live state through on Live', () => {
    const h = running(3);
    h.clock.getState().pause();
    h.clock.getState().scrubTo(T0 + 1_000);
    expect(h.shown.getState()).not.toBe(h.live.getState());
    h.clock.getState().goLive();
    expect(h.shown.getState()).toBe(h.live.getState());
    h.advance(2_000);
    h.feed(p.node('after'));
    expect(h.shown.getState()).toBe(h.live.getState());
    expect(h.shown.getState().nodes['after']).toBeDefined();
  });

  it('shows the live state for a moment before anything was recorded', () => {
    const h = running(2);
    h.clock.getState().setHeld(null);
    h.clock.getState().scrubTo(T0 - 60_000);
    expect(h.clock.getState().moment).toBe(T0 - 60_000);
    expect(h.shown.getState()).toBe(h.live.getState());
  });
});
