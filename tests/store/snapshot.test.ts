import { describe, expect, it } from 'vitest';
import type { SnapshotState } from '../../src/protocol/frames.ts';
import { createRealtimeStore, STORE_LIMITS } from '../../src/store/realtime.ts';
import { countNotifications, p, sequencer, SMALL_LIMITS } from './fixtures.ts';

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

const emptyState: SnapshotState = { nodes: [], edges: [], progress: [], events: [], series: [], logs: [] };

const state: SnapshotState = {
  nodes: [
    { id: 'x', label: 'X', kind: 'frontier', status: 'healthy' },
    { id: 'y', label: 'Y', kind: 'fetcher', status: 'down' },
  ],
  edges: [{ id: 'x->y', source: 'x', target: 'y', stats: { rps: 5, errorRate: 0, p95Ms: 12 } }],
  progress: [{ id: 'crawl', label: 'Crawl', percent: 30, status: 'running' }],
  events: [
    { ts: 1, message: 'oldest', severity: 'info' },
    { ts: 2, message: 'newest', severity: 'warn', nodeId: 'y' },
  ],
  series: [{ series: 'y.rps', nodeId: 'y', points: [{ t: 1, y: 1 }, { t: 2, y: 2 }] }],
  logs: [{ nodeId: 'y', lines: [{ ts: 1, level: 'warn', text: 'slow' }] }],
};

/** A store with data of its own, all of which a snapshot must replace. */
function storeWithHistory(limits = STORE_LIMITS) {
  const store = createRealtimeStore(limits);
  const next = sequencer(1);
  store.getState().applyBatch(
    next(
      p.node('a'),
      p.edge('a->a', 'a', 'a'),
      p.event('before'),
      p.log('a', 'before'),
      p.point('a.cpu', 1, 1, 'a'),
      p.progress('old-job', 5),
    ),
  );
  return store;
}

describe('applySnapshot', () => {
  it('replaces nodes, edges, progress, events, charts and logs', () => {
    const store = storeWithHistory();
    store.getState().applySnapshot({ epoch: 'ep-1', seq: 500, state });
    const s = store.getState();
    expect(s.nodes).toEqual({ x: state.nodes[0], y: state.nodes[1] });
    expect(s.edges).toEqual({ 'x->y': state.edges[0] });
    expect(s.progress).toEqual({ crawl: state.progress[0] });
    expect(s.events.map(({ id: _id, ...e }) => e)).toEqual([
      { ts: 2, message: 'newest', severity: 'warn', nodeId: 'y' },
      { ts: 1, message: 'oldest', severity: 'info' },
    ]);
    expect(s.charts).toEqual({ 'y.rps': [{ t: 1, y: 1 }, { t: 2, y: 2 }] });
    expect(s.logs.y!.map(({ id: _id, ...line }) => line)).toEqual([{ ts: 1, level: 'warn', text: 'slow' }]);
    expect(Object.keys(s.logs)).toEqual(['y']);
  });

  it('sets epoch and lastSeq, counts the snapshot, and leaves received alone', () => {
    const store = storeWithHistory();
    const { received, lastBatch } = store.getState().stream;
    store.getState().applySnapshot({ epoch: 'ep-1', seq: 500, state });
    expect(store.getState().stream).toEqual({ epoch: 'ep-1', lastSeq: 500, received, rejected: 0, snapshots: 1, coalesced: 0, gaps: 0, sync: null, lastBatch });
    store.getState().applySnapshot({ epoch: 'ep-2', seq: 3, state: emptyState });
    expect(store.getState().stream).toMatchObject({ epoch: 'ep-2', lastSeq: 3, snapshots: 2 });
  });

  it('bumps topologyVersion, even for an identical snapshot', () => {
    const store = storeWithHistory();
    const v0 = store.getState().topologyVersion;
    store.getState().applySnapshot({ epoch: 'e', seq: 1, state });
    const v1 = store.getState().topologyVersion;
    store.getState().applySnapshot({ epoch: 'e', seq: 1, state });
    expect(v1).toBeGreaterThan(v0);
    expect(store.getState().topologyVersion).toBeGreaterThan(v1);
  });

  it('keeps the connection status and details', () => {
    const store = storeWithHistory();
    store.getState().setConnection('open', { url: 'ws://gateway/ws?project=p' });
    const { status, connection } = store.getState();
    store.getState().applySnapshot({ epoch: 'e', seq: 1, state });
    expect(store.getState().status).toBe(status);
    expect(store.getState().connection).toBe(connection);
  });

  it('notifies once', () => {
    const store = storeWithHistory();
    const notes = countNotifications(store);
    store.getState().applySnapshot({ epoch: 'e', seq: 1, state });
    expect(notes.count).toBe(1);
  });

  it('never mutates the snapshot it was given', () => {
    const store = storeWithHistory();
    const copy = structuredClone(state);
    store.getState().applySnapshot({ epoch: 'e', seq: 1, state });
    store.getState().applyBatch(sequencer(2)(p.point('y.rps', 3), p.status('y', 'healthy'), p.log('y', 'more')));
    expect(state).toEqual(copy);
  });

  describe('bounds', () => {
    it('keeps the newest 2,000 events, newest first', () => {
      const store = createRealtimeStore();
      const events = range(2_100).map((i) => ({ ts: i, message: `e${i}`, severity: 'info' as const }));
      store.getState().applySnapshot({ epoch: 'e', seq: 1, state: { ...emptyState, events } });
      const kept = store.getState().events;
      expect(kept).toHaveLength(2_000);
      expect(kept[0]!.message).toBe('e2099');
      expect(kept.at(-1)!.message).toBe('e100');
    });

    it('keeps the newest 600 points of each series', () => {
      const store = createRealtimeStore();
      const points = range(700).map((i) => ({ t: i, y: i }));
      store.getState().applySnapshot({ epoch: 'e', seq: 1, state: { ...emptyState, series: [{ series: 's', points }] } });
      const kept = store.getState().charts.s!;
      expect(kept).toHaveLength(600);
      expect(kept[0]).toEqual({ t: 100, y: 100 });
    });

    it('keeps the newest 1,000 lines of each node', () => {
      const store = createRealtimeStore();
      const lines = range(1_100).map((i) => ({ ts: i, level: 'info' as const, text: `l${i}` }));
      store.getState().applySnapshot({ epoch: 'e', seq: 1, state: { ...emptyState, logs: [{ nodeId: 'n', lines }] } });
      const kept = store.getState().logs.n!;
      expect(kept).toHaveLength(1_000);
      expect(kept[0]!.text).toBe('l100');
      expect(kept.at(-1)!.text).toBe('l1099');
    });

    it('keeps at most maxSeries series and maxLogNodes log buffers, the last ones listed', () => {
      const store = createRealtimeStore(SMALL_LIMITS);
      const series = range(5).map((i) => ({ series: `s${i}`, points: [{ t: i, y: i }] }));
      const logs = range(4).map((i) => ({ nodeId: `n${i}`, lines: [{ ts: i, level: 'info' as const, text: 'x' }] }));
      store.getState().applySnapshot({ epoch: 'e', seq: 1, state: { ...emptyState, series, logs } });
      expect(Object.keys(store.getState().charts).sort()).toEqual(['s2', 's3', 's4']);
      expect(Object.keys(store.getState().logs).sort()).toEqual(['n2', 'n3']);
    });

    it('keeps the custom caps on events, points and lines', () => {
      const store = createRealtimeStore(SMALL_LIMITS);
      store.getState().applySnapshot({
        epoch: 'e',
        seq: 1,
        state: {
          ...emptyState,
          events: range(9).map((i) => ({ ts: i, message: `e${i}`, severity: 'info' as const })),
          series: [{ series: 's', points: range(9).map((i) => ({ t: i, y: i })) }],
          logs: [{ nodeId: 'n', lines: range(9).map((i) => ({ ts: i, level: 'info' as const, text: `l${i}` })) }],
        },
      });
      const s = store.getState();
      expect(s.events.map((e) => e.message)).toEqual(['e8', 'e7', 'e6', 'e5', 'e4']);
      expect(s.charts.s!.map((pt) => pt.y)).toEqual([6, 7, 8]);
      expect(s.logs.n!.map((l) => l.text)).toEqual(['l5', 'l6', 'l7', 'l8']);
    });
  });

  describe('what follows a snapshot', () => {
    it('evicts the series the snapshot listed first when a new series arrives', () => {
      const store = createRealtimeStore(SMALL_LIMITS);
      const series = ['s1', 's2', 's3'].map((name) => ({ series: name, points: [{ t: 0, y: 0 }] }));
      store.getState().applySnapshot({ epoch: 'e', seq: 1, state: { ...emptyState, series } });
      store.getState().applyBatch(sequencer(2)(p.point('s4', 1)));
      expect(Object.keys(store.getState().charts).sort()).toEqual(['s2', 's3', 's4']);
    });

    it('forgets the series and log buffers the store held before, so the caps stay exact', () => {
      const store = createRealtimeStore(SMALL_LIMITS);
      store.getState().applyBatch(sequencer(1)(p.point('old1', 1), p.point('old2', 1), p.point('old3', 1), p.log('o1', 'x'), p.log('o2', 'x')));
      store.getState().applySnapshot({
        epoch: 'e',
        seq: 10,
        state: { ...emptyState, series: [{ series: 'kept', points: [] }], logs: [{ nodeId: 'k', lines: [] }] },
      });
      store.getState().applyBatch(sequencer(11)(p.point('new1', 1), p.point('new2', 1), p.log('m', 'x')));
      expect(Object.keys(store.getState().charts).sort()).toEqual(['kept', 'new1', 'new2']);
      expect(Object.keys(store.getState().logs).sort()).toEqual(['k', 'm']);
      // Stale entries would be evicted in place of live ones, letting the live ones exceed the cap.
      store.getState().applyBatch(sequencer(14)(p.point('new3', 1), p.log('n', 'x')));
      expect(Object.keys(store.getState().charts).sort()).toEqual(['new1', 'new2', 'new3']);
      expect(Object.keys(store.getState().logs).sort()).toEqual(['m', 'n']);
    });

    it("drops a snapshot series with its owning node on node-delete", () => {
      const store = createRealtimeStore();
      store.getState().applySnapshot({ epoch: 'e', seq: 1, state });
      store.getState().applyBatch(sequencer(2)(p.deleteNode('y')));
      const s = store.getState();
      expect(s.charts).toEqual({});
      expect(s.logs).toEqual({});
      expect(s.edges).toEqual({});
      expect(Object.keys(s.nodes)).toEqual(['x']);
    });

    it('continues event ids without reusing those given before the snapshot', () => {
      const store = storeWithHistory();
      const before = store.getState().events.map((e) => e.id);
      store.getState().applySnapshot({ epoch: 'e', seq: 1, state });
      store.getState().applyBatch(sequencer(2)(p.event('after')));
      const ids = store.getState().events.map((e) => e.id);
      expect(new Set([...ids, ...before]).size).toBe(ids.length + before.length);
    });
  });
});

describe('clearing the mesh (before a stream that starts without a snapshot)', () => {
  it('empties every mesh collection in one notification, keeping connection state and counters', () => {
    const store = createRealtimeStore();
    const next = sequencer();
    store.getState().setConnection('open', { url: 'ws://x' });
    store.getState().applySnapshot({ epoch: 'e1', seq: 4, state });
    store.getState().applyBatch(next(p.log('x', 'line'), p.point('x.cpu', 1, 1, 'x')), 2);
    const before = store.getState();
    const notes = countNotifications(store);
    store.getState().clearMesh();
    const after = store.getState();
    expect(notes.count).toBe(1);
    expect(after).toMatchObject({ nodes: {}, edges: {}, events: [], charts: {}, logs: {}, progress: {}, seriesByNode: {} });
    expect(after.topologyVersion).toBe(before.topologyVersion + 1);
    expect(after.stream).toEqual({ ...before.stream, epoch: null, lastSeq: -1 });
    expect(after.status).toBe('open');
    expect(after.connection).toBe(before.connection);
  });

  it('forgets series ownership too: a cleared series never returns in a node’s list', () => {
    const store = createRealtimeStore(SMALL_LIMITS);
    const next = sequencer();
    store.getState().applyBatch(next(p.point('x.cpu', 1, 1, 'x'), p.point('x.rps', 1, 1, 'x'), p.log('x', 'a')));
    store.getState().clearMesh();
    store.getState().applyBatch(next(p.point('z.cpu', 1, 1, 'z'), p.log('z', 'c')));
    expect(store.getState().seriesByNode).toEqual({ z: ['z.cpu'] });
    expect(Object.keys(store.getState().charts)).toEqual(['z.cpu']);
    expect(Object.keys(store.getState().logs)).toEqual(['z']);
  });
});
