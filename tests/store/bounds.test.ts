/**
 * STYLE 7: every collection that grows with time has a cap, and a test that
 * fails if the cap is removed. Each bound is proven at its real size with the
 * default limits, and its edge cases with small custom limits.
 */
import { describe, expect, it } from 'vitest';
import { createRealtimeStore, STORE_LIMITS } from '../../src/store/realtime.ts';
import { envelopes, p, sequencer, SMALL_LIMITS } from './fixtures.ts';

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('the realtime store bounds', () => {
  it('uses the limits the design names', () => {
    expect(STORE_LIMITS).toMatchObject({ maxEvents: 2_000, maxLogLinesPerNode: 1_000, maxPointsPerSeries: 600 });
    expect(STORE_LIMITS.maxSeries).toBeGreaterThan(0);
    expect(STORE_LIMITS.maxLogNodes).toBeGreaterThan(0);
  });

  describe('events', () => {
    it('keeps the newest 2,000, newest first, when one batch brings more', () => {
      const store = createRealtimeStore();
      store.getState().applyBatch(envelopes(range(2_050, 1).map((i) => p.event(`e${i}`))));
      const { events } = store.getState();
      expect(events).toHaveLength(2_000);
      expect(events[0]!.message).toBe('e2050');
      expect(events[1_999]!.message).toBe('e51');
      expect(events.map((e) => e.message)).toEqual(range(2_000, 51).reverse().map((i) => `e${i}`));
    });

    it('keeps the newest 2,000, newest first, when messages arrive one at a time', () => {
      const store = createRealtimeStore();
      const next = sequencer();
      for (const i of range(2_010, 1)) store.getState().apply(next(p.event(`e${i}`))[0]!);
      const { events } = store.getState();
      expect(events).toHaveLength(2_000);
      expect(events[0]!.message).toBe('e2010');
      expect(events.at(-1)!.message).toBe('e11');
    });

    it('stays at the cap across batches that each fit but together do not', () => {
      const store = createRealtimeStore();
      const next = sequencer();
      store.getState().applyBatch(next(...range(1_990, 1).map((i) => p.event(`e${i}`))));
      store.getState().applyBatch(next(...range(20, 1_991).map((i) => p.event(`e${i}`))));
      const { events } = store.getState();
      expect(events).toHaveLength(2_000);
      expect(events[0]!.message).toBe('e2010');
      expect(events.at(-1)!.message).toBe('e11');
    });

    it.each([
      ['one batch larger than the cap', [8]],
      ['batches that straddle the cap', [3, 3, 2]],
      ['one message at a time', [1, 1, 1, 1, 1, 1, 1, 1]],
    ])('honours a custom cap with %s', (_why, sizes) => {
      const store = createRealtimeStore(SMALL_LIMITS);
      const next = sequencer();
      let i = 0;
      for (const size of sizes) store.getState().applyBatch(next(...range(size).map(() => p.event(`e${++i}`))));
      expect(store.getState().events.map((e) => e.message)).toEqual(['e8', 'e7', 'e6', 'e5', 'e4']);
    });
  });

  describe('log lines', () => {
    it('keeps the newest 1,000 lines of a node when one chunk brings more', () => {
      const store = createRealtimeStore();
      const text = range(1_200, 1).map((i) => `line ${i}`).join('\n');
      store.getState().apply(envelopes([p.log('n1', text)])[0]!);
      const lines = store.getState().logs.n1!;
      expect(lines).toHaveLength(1_000);
      expect(lines[0]!.text).toBe('line 201');
      expect(lines.at(-1)!.text).toBe('line 1200');
    });

    it('keeps the newest 1,000 lines of a node across many chunks and batches', () => {
      const store = createRealtimeStore();
      const next = sequencer();
      for (let batch = 0; batch < 11; batch++) {
        store.getState().applyBatch(next(...range(100, batch * 100 + 1).map((i) => p.log('n1', `line ${i}`))));
      }
      const lines = store.getState().logs.n1!;
      expect(lines).toHaveLength(1_000);
      expect(lines[0]!.text).toBe('line 101');
      expect(lines.at(-1)!.text).toBe('line 1100');
    });

    it('bounds each node separately', () => {
      const store = createRealtimeStore(SMALL_LIMITS);
      store.getState().applyBatch(envelopes([p.log('a', '1\n2\n3\n4\n5\n6'), p.log('b', 'x')]));
      expect(store.getState().logs.a!.map((l) => l.text)).toEqual(['3', '4', '5', '6']);
      expect(store.getState().logs.b!.map((l) => l.text)).toEqual(['x']);
    });
  });

  describe('chart points', () => {
    it('keeps the newest 600 points of a series', () => {
      const store = createRealtimeStore();
      store.getState().applyBatch(envelopes(range(650).map((i) => p.point('cpu', i))));
      const points = store.getState().charts.cpu!;
      expect(points).toHaveLength(600);
      expect(points[0]).toEqual({ t: 50, y: 50 });
      expect(points.at(-1)).toEqual({ t: 649, y: 649 });
    });

    it('keeps the newest 600 points when they arrive one at a time', () => {
      const store = createRealtimeStore();
      const next = sequencer();
      for (const i of range(605)) store.getState().apply(next(p.point('cpu', i))[0]!);
      const points = store.getState().charts.cpu!;
      expect(points).toHaveLength(600);
      expect(points[0]!.y).toBe(5);
    });

    it('honours a custom cap per series', () => {
      const store = createRealtimeStore(SMALL_LIMITS);
      store.getState().applyBatch(envelopes([...range(5).map((i) => p.point('a', i)), p.point('b', 9)]));
      expect(store.getState().charts.a!.map((pt) => pt.y)).toEqual([2, 3, 4]);
      expect(store.getState().charts.b!.map((pt) => pt.y)).toEqual([9]);
    });
  });

  describe('number of series', () => {
    it(`keeps at most ${STORE_LIMITS.maxSeries} series with the default limits, dropping the oldest`, () => {
      const store = createRealtimeStore();
      const count = STORE_LIMITS.maxSeries + 10;
      store.getState().applyBatch(envelopes(range(count).map((i) => p.point(`s${i}`, i))));
      const names = Object.keys(store.getState().charts);
      expect(names).toHaveLength(STORE_LIMITS.maxSeries);
      expect(names).not.toContain('s0');
      expect(names).not.toContain('s9');
      expect(names).toContain('s10');
      expect(names).toContain(`s${count - 1}`);
    });

    it('evicts the series updated longest ago, not the one created first', () => {
      const store = createRealtimeStore(SMALL_LIMITS);
      const next = sequencer();
      store.getState().applyBatch(next(p.point('a', 1), p.point('b', 1), p.point('c', 1)));
      store.getState().applyBatch(next(p.point('a', 2))); // a is now the most recently updated
      store.getState().applyBatch(next(p.point('d', 1)));
      expect(Object.keys(store.getState().charts).sort()).toEqual(['a', 'c', 'd']);
      store.getState().applyBatch(next(p.point('e', 1)));
      expect(Object.keys(store.getState().charts).sort()).toEqual(['a', 'd', 'e']);
    });

    it('evicts within a single batch in update order', () => {
      const store = createRealtimeStore(SMALL_LIMITS);
      store.getState().applyBatch(
        envelopes([p.point('a', 1), p.point('b', 1), p.point('c', 1), p.point('a', 2), p.point('d', 1), p.point('e', 1)]),
      );
      expect(Object.keys(store.getState().charts).sort()).toEqual(['a', 'd', 'e']);
      expect(store.getState().charts.a!.map((pt) => pt.y)).toEqual([1, 2]);
    });

    it('starts an evicted series afresh when it comes back', () => {
      const store = createRealtimeStore(SMALL_LIMITS);
      const next = sequencer();
      store.getState().applyBatch(next(p.point('a', 1), p.point('a', 2), p.point('b', 1), p.point('c', 1), p.point('d', 1)));
      expect(store.getState().charts.a).toBeUndefined();
      store.getState().applyBatch(next(p.point('a', 3)));
      expect(store.getState().charts.a).toEqual([{ t: 3, y: 3 }]);
      expect(Object.keys(store.getState().charts)).toHaveLength(SMALL_LIMITS.maxSeries);
    });

    it('frees a slot when a node-delete drops a series, so nothing else is evicted', () => {
      const store = createRealtimeStore(SMALL_LIMITS);
      const next = sequencer();
      store.getState().applyBatch(next(p.point('a', 1), p.point('b', 1), p.point('n.cpu', 1, 1, 'n')));
      store.getState().applyBatch(next(p.deleteNode('n'), p.point('c', 1)));
      expect(Object.keys(store.getState().charts).sort()).toEqual(['a', 'b', 'c']);
    });
  });

  describe('number of nodes with logs', () => {
    it(`keeps logs for at most ${STORE_LIMITS.maxLogNodes} nodes with the default limits, dropping the oldest`, () => {
      const store = createRealtimeStore();
      const count = STORE_LIMITS.maxLogNodes + 5;
      store.getState().applyBatch(envelopes(range(count).map((i) => p.log(`n${i}`, `hello ${i}`))));
      const nodes = Object.keys(store.getState().logs);
      expect(nodes).toHaveLength(STORE_LIMITS.maxLogNodes);
      expect(nodes).not.toContain('n4');
      expect(nodes).toContain('n5');
    });

    it('evicts the logs written to longest ago, not the node that logged first', () => {
      const store = createRealtimeStore(SMALL_LIMITS);
      const next = sequencer();
      store.getState().applyBatch(next(p.log('a', 'a1'), p.log('b', 'b1')));
      store.getState().applyBatch(next(p.log('a', 'a2')));
      store.getState().applyBatch(next(p.log('c', 'c1')));
      expect(Object.keys(store.getState().logs).sort()).toEqual(['a', 'c']);
      expect(store.getState().logs.a!.map((l) => l.text)).toEqual(['a1', 'a2']);
    });

    it('evicts within a single batch in write order', () => {
      const store = createRealtimeStore(SMALL_LIMITS);
      store.getState().applyBatch(envelopes([p.log('a', '1'), p.log('b', '1'), p.log('a', '2'), p.log('c', '1')]));
      expect(Object.keys(store.getState().logs).sort()).toEqual(['a', 'c']);
    });
  });
});
