/**
 * The recorder's promise, moment by moment: what `stateAt` rebuilds is the
 * state that was recorded (the same entry objects, the same keys, nothing
 * more), whatever ids the wire sends, in whatever order moments are asked
 * for, and after old history is pruned or thinned.
 */
import { describe, expect, it } from 'vitest';
import type { Payload } from '../../../src/protocol/messages.ts';
import { HistoryRecorder, RECORDED_KEYS, type RecordedState, OVER_BUDGET_SLACK } from '../../../src/store/history/recorder.ts';
import { createRealtimeStore, type RealtimeStore } from '../../../src/store/realtime.ts';
import { emptyRecord } from '../../../src/store/records.ts';
import { p, prng, sequencer } from '../fixtures.ts';

const T0 = 1_800_000_000_000;
const HOSTILE_IDS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const;

/** A store fed by hand, with the states recorded kept aside to compare against. */
function harness(options: ConstructorParameters<typeof HistoryRecorder>[0] = {}) {
  const store: RealtimeStore = createRealtimeStore();
  const next = sequencer();
  const recorder = new HistoryRecorder(options);
  const recorded = new Map<number, RecordedState>();
  return {
    store,
    recorder,
    recorded,
    feed: (...payloads: Payload[]) => store.getState().applyBatch(next(...payloads)),
    record: (at: number) => {
      recorder.record(store.getState(), at);
      recorded.set(at, store.getState());
    },
  };
}

/**
 * `actual` is exactly `expected` as far as the recorder keeps it: the same
 * own keys per collection, each entry the very object recorded (an edge
 * whose stats alone changed is rebuilt from packed numbers, so edges are
 * compared by value), and the events array and topology version of that moment.
 */
function expectExactly(actual: RecordedState | null, expected: RecordedState, where = '') {
  expect(actual, where).not.toBeNull();
  for (const key of RECORDED_KEYS) {
    const got = actual![key] as Record<string, unknown>;
    const want = expected[key] as Record<string, unknown>;
    expect(Object.keys(got).sort(), `${where} ${key} keys`).toEqual(Object.keys(want).sort());
    for (const id of Object.keys(want)) {
      if (key === 'edges') expect(got[id], `${where} ${key}[${id}]`).toEqual(want[id]);
      else expect(got[id], `${where} ${key}[${id}]`).toBe(want[id]);
    }
  }
  expect(actual!.events, `${where} events`).toBe(expected.events);
  expect(actual!.topologyVersion, `${where} topologyVersion`).toBe(expected.topologyVersion);
}

describe('HistoryRecorder: recording', () => {
  it('holds nothing before the first record', () => {
    const recorder = new HistoryRecorder();
    expect(recorder.span()).toBeNull();
    expect(recorder.momentTimes()).toEqual([]);
    expect(recorder.heldBytes()).toBe(0);
    expect(recorder.stateAt(T0)).toBeNull();
  });

  it('takes the first record as the base', () => {
    const h = harness();
    h.feed(p.node('a'), p.node('b'), p.edge('a->b', 'a', 'b'), p.event('hello'));
    h.record(T0);
    expect(h.recorder.momentTimes()).toEqual([T0]);
    expect(h.recorder.span()).toEqual({ from: T0, to: T0, stepMs: 0, moments: 1 });
    expect(h.recorder.heldBytes()).toBe(0);
    expectExactly(h.recorder.stateAt(T0), h.recorded.get(T0)!);
    // Any later moment shows the base while nothing newer is recorded.
    expectExactly(h.recorder.stateAt(T0 + 60_000), h.recorded.get(T0)!);
  });

  it('holds more only for a moment that changed something', () => {
    const h = harness();
    h.feed(p.node('a'), p.node('b'), p.edge('a->b', 'a', 'b'));
    h.record(T0);
    h.feed(p.stats('a->b', { rps: 1, errorRate: 0, p95Ms: 1 }));
    h.record(T0 + 1_000);
    const afterStats = h.recorder.heldBytes();
    expect(afterStats).toBeGreaterThan(0);
    h.feed(p.deleteEdge('a->b'));
    h.record(T0 + 2_000);
    const afterDelete = h.recorder.heldBytes();
    expect(afterDelete).toBeGreaterThan(afterStats);
    // Nothing changed: a moment that holds nothing more.
    h.record(T0 + 3_000);
    expect(h.recorder.heldBytes()).toBe(afterDelete);
    expect(h.recorder.momentTimes()).toEqual([T0, T0 + 1_000, T0 + 2_000, T0 + 3_000]);
    expectExactly(h.recorder.stateAt(T0 + 3_000), h.recorded.get(T0 + 2_000)!);
  });

  it('ignores a moment equal to or older than the newest, and diffs the next one against what it kept', () => {
    const h = harness();
    h.feed(p.node('a'));
    h.record(T0);
    h.feed(p.node('b'));
    h.record(T0 + 1_000);
    const kept = h.recorded.get(T0 + 1_000)!;

    h.feed(p.node('c'));
    h.recorder.record(h.store.getState(), T0 + 1_000); // equal: ignored
    h.recorder.record(h.store.getState(), T0 + 500); // older: ignored
    h.recorder.record(h.store.getState(), T0 - 1); // before the base: ignored
    expect(h.recorder.momentTimes()).toEqual([T0, T0 + 1_000]);
    expectExactly(h.recorder.stateAt(T0 + 1_000), kept);
    expectExactly(h.recorder.stateAt(T0 + 999), h.recorded.get(T0)!);

    // The same state (with `c`) recorded later must show `c`: the ignored
    // records must not have become what the next moment is diffed against.
    h.record(T0 + 2_000);
    expect(Object.keys(h.recorder.stateAt(T0 + 2_000)!.nodes).sort()).toEqual(['a', 'b', 'c']);
    expectExactly(h.recorder.stateAt(T0 + 2_000), h.recorded.get(T0 + 2_000)!);
  });

  it('does not change the state it records', () => {
    const h = harness();
    h.feed(p.node('a'), p.node('b'));
    h.record(T0);
    const before = h.store.getState();
    const nodes = { ...before.nodes };
    h.feed(p.deleteNode('a'), p.node('c'));
    h.record(T0 + 1_000);
    h.recorder.stateAt(T0);
    h.recorder.stateAt(T0 + 1_000);
    expect(Object.keys(before.nodes).sort()).toEqual(Object.keys(nodes).sort());
    for (const id of Object.keys(nodes)) expect(before.nodes[id]).toBe(nodes[id]);
  });
});

describe('HistoryRecorder: stateAt', () => {
  it('is null before the base, and NaN is no moment', () => {
    const h = harness();
    h.feed(p.node('a'));
    h.record(T0);
    expect(h.recorder.stateAt(T0 - 1)).toBeNull();
    expect(h.recorder.stateAt(Number.NaN)).toBeNull();
    expect(h.recorder.stateAt(Number.NEGATIVE_INFINITY)).toBeNull();
  });

  it('shows, between two moments, the earlier one', () => {
    const h = harness();
    h.feed(p.node('a'));
    h.record(T0);
    h.feed(p.status('a', 'down'), p.node('b'));
    h.record(T0 + 1_000);
    h.feed(p.deleteNode('b'));
    h.record(T0 + 2_000);
    expectExactly(h.recorder.stateAt(T0 + 1), h.recorded.get(T0)!);
    expectExactly(h.recorder.stateAt(T0 + 999), h.recorded.get(T0)!);
    expectExactly(h.recorder.stateAt(T0 + 1_000), h.recorded.get(T0 + 1_000)!);
    expectExactly(h.recorder.stateAt(T0 + 1_999), h.recorded.get(T0 + 1_000)!);
    expectExactly(h.recorder.stateAt(T0 + 2_000), h.recorded.get(T0 + 2_000)!);
    expectExactly(h.recorder.stateAt(T0 + 10_000_000), h.recorded.get(T0 + 2_000)!);
    expect(h.recorder.stateAt(T0 + 1_500)!.nodes['a']!.status).toBe('down');
    expect(h.recorder.stateAt(T0 + 500)!.nodes['a']!.status).toBe('healthy');
  });

  it('returns the same object for the same moment asked twice, and for another time within it', () => {
    const h = harness();
    h.feed(p.node('a'));
    h.record(T0);
    h.feed(p.node('b'));
    h.record(T0 + 1_000);
    const first = h.recorder.stateAt(T0 + 1_000);
    expect(h.recorder.stateAt(T0 + 1_000)).toBe(first);
    expect(h.recorder.stateAt(T0 + 1_700)).toBe(first);
    const base = h.recorder.stateAt(T0);
    expect(base).not.toBe(first);
    expect(h.recorder.stateAt(T0 + 300)).toBe(base);
  });

  it('keeps the identity of entries that did not change between moments', () => {
    const h = harness();
    h.feed(p.node('a'), p.node('b'), p.edge('a->b', 'a', 'b'), p.progress('job', 10));
    h.record(T0);
    h.feed(p.status('b', 'degraded'));
    h.record(T0 + 1_000);
    const earlier = h.recorder.stateAt(T0)!;
    const later = h.recorder.stateAt(T0 + 1_000)!;
    expect(later.nodes['a']).toBe(earlier.nodes['a']);
    expect(later.edges['a->b']).toBe(earlier.edges['a->b']);
    expect(later.progress['job']).toBe(earlier.progress['job']);
    expect(later.statusHistory['a']).toBe(earlier.statusHistory['a']);
    expect(later.nodes['b']).not.toBe(earlier.nodes['b']);
    expect(later.nodes['b']!.status).toBe('degraded');
    // The entries are the live store's own objects, not copies.
    expect(later.nodes['a']).toBe(h.store.getState().nodes['a']);
  });

  it('hands out collections without a prototype, like the store', () => {
    const h = harness();
    h.feed(p.node('a'));
    h.record(T0);
    h.feed(p.node('b'));
    h.record(T0 + 1_000);
    for (const at of [T0, T0 + 1_000]) {
      const state = h.recorder.stateAt(at)!;
      for (const key of RECORDED_KEYS) expect(Object.getPrototypeOf(state[key]), key).toBeNull();
      expect(state.nodes['constructor']).toBeUndefined();
      expect(state.nodes['toString']).toBeUndefined();
    }
  });
});

describe('HistoryRecorder: ids a plain object inherits', () => {
  it.each(HOSTILE_IDS)('round-trips a node named %s through add, delete and re-add', (id) => {
    const h = harness();
    h.feed(p.node('a'));
    h.record(T0);
    h.feed(p.node(id, { label: 'first' }), p.edge(`a->${id}`, 'a', id), p.progress(id, 5), p.point(`${id}.rps`, 1, 1, id));
    h.record(T0 + 1_000);
    h.feed(p.deleteNode(id), p.deleteEdge(`a->${id}`));
    h.record(T0 + 2_000);
    h.feed(p.node(id, { label: 'again', status: 'down' }));
    h.record(T0 + 3_000);
    h.feed(p.deleteNode(id));
    h.record(T0 + 4_000);

    // Scrub in an order that uses both the cache and the base.
    for (const at of [T0 + 3_000, T0, T0 + 1_000, T0 + 4_000, T0 + 2_000, T0 + 3_000, T0 + 1_000]) {
      const state = h.recorder.stateAt(at)!;
      expectExactly(state, h.recorded.get(at)!, `${id} at +${at - T0}`);
      const present = at === T0 + 1_000 || at === T0 + 3_000;
      expect(Object.hasOwn(state.nodes, id), `${id} held at +${at - T0}`).toBe(present);
      expect(Object.getPrototypeOf(state.nodes)).toBeNull();
      if (present) expect(state.nodes[id]!.label).toBe(at === T0 + 1_000 ? 'first' : 'again');
      else expect(state.nodes[id]).toBeUndefined();
    }
    expect(Object.hasOwn(h.recorder.stateAt(T0 + 1_000)!.edges, `a->${id}`)).toBe(true);
    expect(Object.hasOwn(h.recorder.stateAt(T0 + 1_000)!.progress, id)).toBe(true);
    expect(h.recorder.stateAt(T0 + 1_000)!.seriesByNode[id]).toEqual([`${id}.rps`]);
  });

  it('round-trips every hostile id at once in hand-built collections', () => {
    const recorder = new HistoryRecorder();
    const state = (ids: readonly string[], version: number): RecordedState => {
      const nodes = emptyRecord<RecordedState['nodes'][string]>();
      for (const id of ids) nodes[id] = { id, label: `${id}@${version}`, kind: 'k', status: 'healthy' };
      return {
        nodes,
        edges: emptyRecord(),
        progress: emptyRecord(),
        statusHistory: emptyRecord(),
        seriesByNode: emptyRecord(),
        topologyVersion: version,
        events: [],
      };
    };
    const states = [state(HOSTILE_IDS, 0), state([], 1), state(HOSTILE_IDS, 2), state(['toString', '__proto__'], 3)];
    states.forEach((s, i) => recorder.record(s, T0 + i * 1_000));
    for (const i of [2, 0, 3, 1, 2, 3, 0]) expectExactly(recorder.stateAt(T0 + i * 1_000), states[i]!, `moment ${i}`);
  });
});

describe('HistoryRecorder: scrubbing order', () => {
  it('gives the same answer forward, backward, forward and at random, and leaves states handed out alone', () => {
    const h = harness();
    const rng = prng(5);
    const ids = ['a', 'b', 'c', 'd', '__proto__', 'constructor'];
    for (const id of ids) h.feed(p.node(id));
    h.record(T0);
    for (let i = 1; i <= 60; i++) {
      const id = rng.pick(ids);
      const roll = rng.int(10);
      if (roll < 2) h.feed(p.deleteNode(id));
      else if (roll < 4) h.feed(p.node(id, { label: `v${i}` }));
      else if (roll < 7) h.feed(p.status(id, rng.pick(['healthy', 'down', 'degraded'] as const)));
      else if (roll < 8) h.feed(p.event(`e${i}`));
      else h.feed(p.edge(`${id}->${rng.pick(ids)}`, id, rng.pick(ids), { stats: { rps: i, errorRate: 0, p95Ms: i } }));
      h.record(T0 + i * 1_000);
    }
    const times = h.recorder.momentTimes();
    expect(times).toHaveLength(61);

    const handedOut: [number, RecordedState, string[]][] = [];
    const check = (at: number) => {
      const state = h.recorder.stateAt(at)!;
      expectExactly(state, h.recorded.get(at)!, `+${at - T0}`);
      handedOut.push([at, state, Object.keys(state.nodes).sort()]);
    };
    for (const at of times) check(at);
    for (const at of [...times].reverse()) check(at);
    for (const at of times) check(at);
    for (let i = 0; i < 100; i++) check(rng.pick(times));
    // Stepping forward from a cached moment must not have changed what that moment handed out.
    for (const [at, state, keys] of handedOut) {
      expect(Object.keys(state.nodes).sort(), `+${at - T0}`).toEqual(keys);
      expectExactly(state, h.recorded.get(at)!, `held +${at - T0}`);
    }
  });
});

describe('HistoryRecorder: time span', () => {
  it('folds moments older than the span into the base, exactly', () => {
    const h = harness({ spanMs: 5_000 });
    h.feed(p.node('a'), p.node('b'), p.edge('a->b', 'a', 'b'));
    h.record(T0);
    for (let i = 1; i <= 20; i++) {
      // One change per moment: one edge's stats.
      h.feed(p.stats('a->b', { rps: i, errorRate: 0, p95Ms: i }));
      h.record(T0 + i * 1_000);
    }
    const times = h.recorder.momentTimes();
    const cutoff = T0 + 20_000 - 5_000;
    // The base is the state in force at the cutoff; every other moment is within the span.
    expect(times[0]).toBeLessThanOrEqual(cutoff);
    expect(times.slice(1).every((at) => at >= cutoff)).toBe(true);
    expect(times).toEqual([T0 + 14_000, T0 + 15_000, T0 + 16_000, T0 + 17_000, T0 + 18_000, T0 + 19_000, T0 + 20_000]);
    expect(h.recorder.span()).toEqual({ from: T0 + 14_000, to: T0 + 20_000, stepMs: 1_000, moments: 7 });
    // What is held is what a recording that started at the new base would hold.
    const fresh = new HistoryRecorder({ spanMs: 5_000 });
    for (const at of times) fresh.record(h.recorded.get(at)!, at);
    expect(h.recorder.heldBytes()).toBe(fresh.heldBytes());
    expect(h.recorder.heldBytes()).toBeGreaterThan(0);

    expect(h.recorder.stateAt(T0 + 13_999)).toBeNull();
    expectExactly(h.recorder.stateAt(T0 + 14_000), h.recorded.get(T0 + 14_000)!, 'new base');
    expect(h.recorder.stateAt(T0 + 14_000)!.edges['a->b']!.stats!.rps).toBe(14);
    for (const at of times) expectExactly(h.recorder.stateAt(at), h.recorded.get(at)!, `+${at - T0}`);
  });

  it('keeps the newest moment however long ago the one before it was', () => {
    const h = harness({ spanMs: 5_000 });
    h.feed(p.node('a'));
    h.record(T0);
    h.feed(p.node('b'));
    h.record(T0 + 1_000);
    h.feed(p.node('c'));
    h.record(T0 + 100_000);
    const times = h.recorder.momentTimes();
    expect(times.at(-1)).toBe(T0 + 100_000);
    expect(times.length).toBeGreaterThanOrEqual(2);
    for (const at of times) expectExactly(h.recorder.stateAt(at), h.recorded.get(at)!, `+${at - T0}`);
    expectExactly(h.recorder.stateAt(T0 + 100_000), h.recorded.get(T0 + 100_000)!);
  });

  it('hands out the same state for a moment still held while older moments age out', () => {
    const h = harness({ spanMs: 5_000 });
    h.feed(p.node('a'), p.node('b'), p.edge('a->b', 'a', 'b'));
    h.record(T0);
    for (let i = 1; i <= 6; i++) {
      h.feed(p.stats('a->b', { rps: i, errorRate: 0, p95Ms: i }));
      h.record(T0 + i * 1_000);
    }
    const paused = h.recorder.stateAt(T0 + 6_000)!;
    for (let i = 7; i <= 10; i++) {
      h.feed(p.stats('a->b', { rps: i, errorRate: 0, p95Ms: i }), p.status('a', i % 2 ? 'down' : 'healthy'));
      h.record(T0 + i * 1_000);
      // Moments before T0 + (i - 5) s went into the base; T0 + 6 s is still held.
      expect(h.recorder.momentTimes()[0]).toBeGreaterThan(T0);
      expect(h.recorder.stateAt(T0 + 6_000), `after +${i} s`).toBe(paused);
    }
    expectExactly(paused, h.recorded.get(T0 + 6_000)!);
  });

  it('stays exact when the cached moment is pruned away under it', () => {
    const h = harness({ spanMs: 3_000 });
    h.feed(p.node('a'));
    h.record(T0);
    for (let i = 1; i <= 3; i++) {
      h.feed(p.node(`n${i}`));
      h.record(T0 + i * 1_000);
    }
    expectExactly(h.recorder.stateAt(T0 + 2_000), h.recorded.get(T0 + 2_000)!);
    for (let i = 4; i <= 8; i++) {
      h.feed(p.deleteNode(`n${i - 3}`), p.node(`n${i}`));
      h.record(T0 + i * 1_000);
    }
    for (const at of h.recorder.momentTimes()) expectExactly(h.recorder.stateAt(at), h.recorded.get(at)!, `+${at - T0}`);
  });
});

describe('HistoryRecorder: budget', () => {
  /**
   * 200 seconds of a 20-edge mesh: a few edges' stats change every second,
   * and now and then a status, an event, a relabelled edge, or an edge that
   * goes and comes back (so thinning merges stats onto replaced and removed edges).
   */
  function busy(budgetBytes: number) {
    const h = harness({ budgetBytes });
    const rng = prng(17);
    const nodes = Array.from({ length: 10 }, (_, i) => `n${i}`);
    const edges = Array.from({ length: 20 }, (_, i) => `e${i}`);
    const edgeOf = (id: string, over = {}) => {
      const i = Number(id.slice(1));
      return p.edge(id, nodes[i % 10]!, nodes[(i + 3) % 10]!, over);
    };
    h.feed(...nodes.map((id) => p.node(id)), ...edges.map((id) => edgeOf(id)));
    h.record(T0);
    const times = [T0];
    let gone: string | null = null;
    for (let i = 1; i <= 200; i++) {
      const payloads: Payload[] = [];
      if (gone !== null) {
        payloads.push(edgeOf(gone));
        gone = null;
      }
      for (let k = 0; k < 5; k++) payloads.push(p.stats(rng.pick(edges), { rps: i * 10 + k, errorRate: 0, p95Ms: k }));
      if (i % 7 === 0) payloads.push(p.status(rng.pick(nodes), rng.pick(['healthy', 'down'] as const)));
      if (i % 11 === 0) payloads.push(p.event(`e${i}`));
      if (i % 13 === 0) payloads.push(edgeOf(rng.pick(edges), { label: `l${i}` }));
      if (i % 17 === 0) {
        gone = rng.pick(edges);
        payloads.push(p.deleteEdge(gone));
      }
      h.feed(...payloads);
      h.record(T0 + i * 1_000);
      times.push(T0 + i * 1_000);
      expect(h.recorder.heldBytes(), `after moment ${i}`).toBeLessThanOrEqual(budgetBytes * OVER_BUDGET_SLACK);
    }
    return { ...h, times };
  }

  const unthinned = () => busy(Number.POSITIVE_INFINITY);

  it('holds everything while within the budget', () => {
    const { recorder, recorded, times } = unthinned();
    expect(recorder.momentTimes()).toEqual(times);
    expect(recorder.span()!.stepMs).toBe(1_000);
    // Forward, backward and at random: from the base, from a checkpoint, or on from the last moment shown.
    const rng = prng(3);
    const order = [...times, ...[...times].reverse(), ...Array.from({ length: 200 }, () => rng.pick(times))];
    for (const at of order) expectExactly(recorder.stateAt(at), recorded.get(at)!, `+${at - T0}`);
  });

  it('thins older history to stay within the budget, and stays exact where it keeps moments', () => {
    const all = unthinned().recorder.heldBytes();
    const budget = Math.floor(all / 2);
    const { recorder, recorded, times } = busy(budget);
    const kept = recorder.momentTimes();
    expect(kept.length).toBeLessThan(201);
    expect(recorder.heldBytes()).toBeLessThanOrEqual(budget * OVER_BUDGET_SLACK);
    expect(recorder.span()!.stepMs).toBeGreaterThan(1_000);
    expect(recorder.span()!.to).toBe(T0 + 200_000);
    // Merging pays here (the same edges change again and again): older history got coarser, none of it was lost.
    expect(recorder.span()!.from).toBe(T0);
    expect(recorder.thinningCounts()).toEqual({ merged: expect.any(Number), folded: 0 });

    // The newest moments are intact (every second), the older ones coarser.
    expect(kept.slice(-10)).toEqual(times.slice(-10));
    const gaps = kept.slice(1).map((at, i) => at - kept[i]!);
    const olderGaps = gaps.slice(0, gaps.length >> 1);
    expect(Math.max(...olderGaps)).toBeGreaterThan(1_000);
    expect(gaps.slice(-9).every((gap) => gap === 1_000)).toBe(true);
    // Kept moments are moments that were recorded.
    for (const at of kept) expect(recorded.has(at), `+${at - T0}`).toBe(true);

    // Exact at every kept moment, in any order; between kept moments, the earlier one.
    const order = [...kept].reverse().concat(kept);
    for (const at of order) expectExactly(recorder.stateAt(at), recorded.get(at)!, `+${at - T0}`);
    for (let i = 1; i < kept.length; i++) {
      const between = kept[i]! - 1;
      expectExactly(recorder.stateAt(between), recorded.get(kept[i - 1]!)!, `just before +${kept[i]! - T0}`);
    }
  });

  it('stays exact, and keeps the newest moment, under a tighter budget', () => {
    const all = unthinned().recorder.heldBytes();
    const budget = Math.floor(all * 0.4);
    const { recorder, recorded } = busy(budget);
    expect(recorder.heldBytes()).toBeLessThanOrEqual(budget * OVER_BUDGET_SLACK);
    expect(recorder.momentTimes().at(-1)).toBe(T0 + 200_000);
    for (const at of recorder.momentTimes()) expectExactly(recorder.stateAt(at), recorded.get(at)!, `+${at - T0}`);
  });

  /**
   * Checkpoints (full states kept to rebuild moments quickly) must not eat
   * the history's budget: when they counted toward it, thinning could not
   * free them, so a budget they took most of was never met and every moment
   * but the newest two was merged into one step back to the first.
   */
  it('stays within a budget that holds only a few moments', () => {
    const all = unthinned().recorder.heldBytes();
    const budget = Math.floor(all / 5);
    const { recorder, recorded } = busy(budget);
    expect(recorder.heldBytes()).toBeLessThanOrEqual(budget * OVER_BUDGET_SLACK);
    expect(recorder.momentTimes().at(-1)).toBe(T0 + 200_000);
    for (const at of recorder.momentTimes()) expectExactly(recorder.stateAt(at), recorded.get(at)!, `+${at - T0}`);
  });
});

describe('HistoryRecorder: what the budget counts', () => {
  it('counts the events only a moment keeps alive, not just the slots of its array', () => {
    // Two moments whose events arrays are equally long: one brings a single
    // new event to 999 already recorded, the other brings all 1,000.
    const one = harness();
    one.feed(...Array.from({ length: 999 }, (_, i) => p.event(`old ${i}`)));
    one.record(T0);
    one.feed(p.event('new'));
    one.record(T0 + 1_000);

    const all = harness();
    all.record(T0);
    all.feed(...Array.from({ length: 1_000 }, (_, i) => p.event(`new ${i}`)));
    all.record(T0 + 1_000);

    expect(one.store.getState().events).toHaveLength(1_000);
    expect(all.store.getState().events).toHaveLength(1_000);
    // At least a hundred bytes for each of the 999 more events it holds.
    expect(all.recorder.heldBytes() - one.recorder.heldBytes()).toBeGreaterThanOrEqual(999 * 100);
  });

  it('still counts them once their moment is merged with the next', () => {
    // Twenty edges' stats every second, and twenty new events at the first
    // moment: merging it with the next frees the stats both changed, never
    // the events the merged moment still keeps alive.
    const edges = Array.from({ length: 20 }, (_, i) => `e${i}`);
    const run = (budgetBytes: number) => {
      const h = harness({ budgetBytes });
      h.feed(p.node('a'), p.node('b'), ...edges.map((id) => p.edge(id, 'a', 'b')));
      h.record(T0);
      const held: number[] = [];
      for (let i = 1; i <= 3; i++) {
        if (i === 1) h.feed(...Array.from({ length: 20 }, (_, k) => p.event(`e${k}`)));
        h.feed(...edges.map((id) => p.stats(id, { rps: i, errorRate: 0, p95Ms: i })));
        h.record(T0 + i * 1_000);
        held.push(h.recorder.heldBytes());
      }
      return { ...h, held };
    };
    const unbounded = run(Number.POSITIVE_INFINITY);
    const eventsMoment = unbounded.held[0]!;
    const budget = unbounded.held[2]! - 1;
    const thinned = run(budget);
    expect(thinned.recorder.momentTimes(), 'the first two moments merged').toEqual([T0, T0 + 2_000, T0 + 3_000]);
    expect(thinned.recorder.heldBytes()).toBeLessThanOrEqual(budget * OVER_BUDGET_SLACK);
    expect(thinned.recorder.heldBytes(), 'at least what the moment with the events held').toBeGreaterThanOrEqual(eventsMoment);
    for (const at of thinned.recorder.momentTimes()) expectExactly(thinned.recorder.stateAt(at), thinned.recorded.get(at)!, `+${at - T0}`);
  });
});

describe('HistoryRecorder: an edge whose stats change with another field', () => {
  /** Hand-built states with one edge, so an edge can carry a field the wire's schema does not (yet) have. */
  function states(first: Record<string, unknown>, second: Record<string, unknown>): RecordedState[] {
    const state = (edge: Record<string, unknown>, version: number): RecordedState => {
      const edges = emptyRecord<RecordedState['edges'][string]>();
      edges['a->b'] = { id: 'a->b', source: 'a', target: 'b', ...edge } as RecordedState['edges'][string];
      return { nodes: emptyRecord(), edges, progress: emptyRecord(), statusHistory: emptyRecord(), seriesByNode: emptyRecord(), topologyVersion: version, events: [] };
    };
    return [state(first, 1), state(second, 1)];
  }
  const STATS_1 = { stats: { rps: 1, errorRate: 0, p95Ms: 1 } };
  const STATS_2 = { stats: { rps: 2, errorRate: 0, p95Ms: 2 } };

  it.each([
    ['loses a field it had', { ...STATS_1, weight: 3 }, { ...STATS_2 }],
    ['loses its label', { ...STATS_1, label: 'x' }, { ...STATS_2 }],
    ['gains a field', { ...STATS_1 }, { ...STATS_2, weight: 3 }],
    ['changes a field', { ...STATS_1, weight: 3 }, { ...STATS_2, weight: 4 }],
    ['keeps its fields', { ...STATS_1, weight: 3 }, { ...STATS_2, weight: 3 }],
    ['gets its first stats', {}, { ...STATS_2 }],
    ['loses its stats', { ...STATS_1 }, {}],
  ])('is rebuilt exactly when it %s', (_, first, second) => {
    const recorder = new HistoryRecorder();
    const [before, after] = states(first, second);
    recorder.record(before!, T0);
    recorder.record(after!, T0 + 1_000);
    const edge = recorder.stateAt(T0 + 1_000)!.edges['a->b']!;
    expect(edge).toStrictEqual(after!.edges['a->b']);
    expect(Object.keys(edge).sort()).toEqual(Object.keys(after!.edges['a->b']!).sort());
    expectExactly(recorder.stateAt(T0), before!);
  });
});

describe('HistoryRecorder: thinning that does not pay', () => {
  /** Bytes one moment of `perSecond` new nodes holds. */
  function momentBytes(perSecond: number) {
    const h = harness({ budgetBytes: Number.POSITIVE_INFINITY });
    h.record(T0);
    h.feed(...Array.from({ length: perSecond }, (_, i) => p.node(`probe-${i}`)));
    h.record(T0 + 1_000);
    return h.recorder.heldBytes();
  }

  it('folds the oldest moments into the base instead of merging all down to two when every second brings new ids', () => {
    const PER_SECOND = 5;
    const SECONDS = 240;
    const budget = 40 * momentBytes(PER_SECOND);
    const h = harness({ budgetBytes: budget });
    h.feed(p.node('root'));
    h.record(T0);
    let fewest = Number.POSITIVE_INFINITY;
    for (let i = 1; i <= SECONDS; i++) {
      h.feed(...Array.from({ length: PER_SECOND }, (_, k) => p.node(`n${i}-${k}`)));
      h.record(T0 + i * 1_000);
      expect(h.recorder.heldBytes(), `after moment ${i}`).toBeLessThanOrEqual(budget * OVER_BUDGET_SLACK);
      if (i > 40) fewest = Math.min(fewest, h.recorder.momentTimes().length);
    }
    // Once full, it keeps a recording's worth of moments, not two.
    expect(fewest).toBeGreaterThanOrEqual(15);
    const kept = h.recorder.momentTimes();
    expect(kept.at(-1)).toBe(T0 + SECONDS * 1_000);
    expect(kept.slice(-10)).toEqual(Array.from({ length: 10 }, (_, i) => T0 + (SECONDS - 9 + i) * 1_000));
    // The oldest history went, rather than being merged again every second.
    expect(h.recorder.span()!.from).toBeGreaterThan(T0 + (SECONDS - 100) * 1_000);
    const { merged, folded } = h.recorder.thinningCounts();
    expect(folded).toBeGreaterThan(0);
    expect(merged, 'merges in all').toBeLessThan(SECONDS / 2);
    // Exact where it keeps moments (a few of them: the mesh has grown to 1,200 nodes).
    for (const at of [kept[0]!, kept[kept.length >> 1]!, kept.at(-1)!]) expectExactly(h.recorder.stateAt(at), h.recorded.get(at)!, `+${at - T0}`);
  });

  it('folds a moment larger than the whole budget away, and goes on thinning by merging after it', () => {
    const edges = Array.from({ length: 10 }, (_, i) => `e${i}`);
    const stats = (i: number) => edges.slice(0, 3).map((id, k) => p.stats(id, { rps: i * 10 + k, errorRate: 0, p95Ms: 1 }));
    // The budget: thirty moments of three edges' stats, well below one moment of 500 new nodes.
    const small = harness({ budgetBytes: Number.POSITIVE_INFINITY });
    small.feed(p.node('a'), p.node('b'), ...edges.map((id) => p.edge(id, 'a', 'b')));
    small.record(T0);
    small.feed(...stats(1));
    small.record(T0 + 1_000);
    const budget = 30 * small.recorder.heldBytes();
    const big = harness({ budgetBytes: budget });
    big.feed(p.node('a'), p.node('b'), ...edges.map((id) => p.edge(id, 'a', 'b')));
    big.record(T0);
    for (let i = 1; i <= 20; i++) {
      big.feed(...stats(i));
      big.record(T0 + i * 1_000);
    }
    big.feed(...Array.from({ length: 500 }, (_, k) => p.node(`burst-${k}`)));
    big.record(T0 + 21_000);
    // Alone it is larger than the budget: it is all that is held beside the base.
    expect(big.recorder.momentTimes()).toEqual([T0 + 20_000, T0 + 21_000]);
    for (let i = 22; i <= 120; i++) {
      big.feed(...stats(i));
      big.record(T0 + i * 1_000);
      expect(big.recorder.heldBytes(), `after moment ${i}`).toBeLessThanOrEqual(budget * OVER_BUDGET_SLACK);
    }
    const kept = big.recorder.momentTimes();
    expect(kept[0]).toBeGreaterThanOrEqual(T0 + 21_000);
    expect(kept.length).toBeGreaterThan(20);
    // With the same edges changing every second, merging pays again: older moments are merged, not only dropped.
    expect(big.recorder.span()!.stepMs).toBeGreaterThan(1_000);
    for (const at of kept) expectExactly(big.recorder.stateAt(at), big.recorded.get(at)!, `+${at - T0}`);
  });
});
