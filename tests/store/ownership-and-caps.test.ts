import { describe, expect, it } from 'vitest';
import { createRealtimeStore } from '../../src/store/realtime.ts';
import type { SnapshotFrame } from '../../src/protocol/frames.ts';
import { countNotifications, envelope, envelopes, p, SMALL_LIMITS, STORE_LIMITS } from './fixtures.ts';

describe('store: progress', () => {
  it(`keeps at most ${STORE_LIMITS.maxProgress} runs, dropping the one updated longest ago`, () => {
    const store = createRealtimeStore();
    const runs = Array.from({ length: STORE_LIMITS.maxProgress + 10 }, (_, i) => p.progress(`run-${i}`, 10));
    store.getState().applyBatch(envelopes([...runs, p.progress('run-0', 50)]));
    const progress = store.getState().progress;
    expect(Object.keys(progress)).toHaveLength(STORE_LIMITS.maxProgress);
    expect(progress['run-0']?.percent).toBe(50);
    expect(progress['run-1']).toBeUndefined();
    expect(progress[`run-${STORE_LIMITS.maxProgress + 9}`]).toBeDefined();
  });

  it('keeps the cap across batches and after a snapshot', () => {
    const store = createRealtimeStore(SMALL_LIMITS);
    store.getState().applyBatch(envelopes([p.progress('a', 1), p.progress('b', 1)]));
    store.getState().applyBatch(envelopes([p.progress('c', 1)], 3));
    expect(Object.keys(store.getState().progress).sort()).toEqual(['b', 'c']);
    store.getState().applySnapshot(snapshotWith({ progress: ['x', 'y', 'z'].map((id) => ({ id, label: id, percent: 1, status: 'running' as const })) }));
    expect(Object.keys(store.getState().progress).sort()).toEqual(['y', 'z']);
  });
});

describe('store: series ownership', () => {
  it('lists the series each node owns, and keeps the list identical while ownership is unchanged', () => {
    const store = createRealtimeStore();
    store.getState().applyBatch(envelopes([p.point('kafka.lag', 1, 1, 'kafka'), p.point('queue.depth', 5, 1, 'kafka'), p.point('crawl.rate', 9)]));
    const owned = store.getState().seriesByNode;
    expect(owned).toEqual({ kafka: ['kafka.lag', 'queue.depth'] });
    store.getState().applyBatch(envelopes([p.point('queue.depth', 6, 2, 'kafka'), p.point('crawl.rate', 10, 2)], 4));
    expect(store.getState().seriesByNode).toBe(owned);
  });

  it('forgets a series when it is evicted or its node deleted', () => {
    const store = createRealtimeStore(SMALL_LIMITS);
    store.getState().applyBatch(envelopes([p.node('a'), p.point('a.cpu', 1, 1, 'a'), p.point('b.cpu', 1, 1, 'b')]));
    store.getState().applyBatch(envelopes([p.deleteNode('a')], 4));
    expect(store.getState().seriesByNode).toEqual({ b: ['b.cpu'] });
    // Three more series with a cap of three: b.cpu goes.
    store.getState().applyBatch(envelopes([p.point('x', 1), p.point('y', 1), p.point('z', 1)], 5));
    expect(store.getState().seriesByNode).toEqual({});
  });

  it('restores ownership from a snapshot', () => {
    const store = createRealtimeStore();
    store.getState().applySnapshot(snapshotWith({ series: [{ series: 'postgres.tps', nodeId: 'postgres', points: [{ t: 1, y: 2 }] }] }));
    expect(store.getState().seriesByNode).toEqual({ postgres: ['postgres.tps'] });
  });
});

describe('store: deleting nodes in a batch', () => {
  it('removes every edge touching the deleted nodes, in one notification', () => {
    const store = createRealtimeStore();
    store.getState().applyBatch(
      envelopes([p.node('a'), p.node('b'), p.node('c'), p.edge('a-b', 'a', 'b'), p.edge('b-c', 'b', 'c'), p.edge('c-a', 'c', 'a')]),
    );
    const notifications = countNotifications(store);
    store.getState().applyBatch(envelopes([p.deleteNode('a'), p.deleteNode('b')], 7));
    expect(notifications.count).toBe(1);
    expect(Object.keys(store.getState().edges)).toEqual([]);
    expect(Object.keys(store.getState().nodes)).toEqual(['c']);
  });

  it('keeps an edge upserted after its endpoint was deleted, as message-by-message application would', () => {
    const batched = createRealtimeStore();
    const oneByOne = createRealtimeStore();
    const setup = envelopes([p.node('a'), p.node('b'), p.edge('a-b', 'a', 'b'), p.edge('b-a', 'b', 'a')]);
    const stream = envelopes([p.deleteNode('a'), p.node('a'), p.edge('a-b', 'a', 'b'), p.deleteNode('b')], 5);
    batched.getState().applyBatch(setup);
    oneByOne.getState().applyBatch(setup);
    batched.getState().applyBatch(stream);
    for (const message of stream) oneByOne.getState().apply(message);
    expect(batched.getState().edges).toEqual(oneByOne.getState().edges);
    expect(batched.getState().nodes).toEqual(oneByOne.getState().nodes);
  });
});

describe('store: a snapshot with the messages after it', () => {
  it('applies both with one notification', () => {
    const store = createRealtimeStore();
    const notifications = countNotifications(store);
    store.getState().applySnapshot(
      snapshotWith({ nodes: [{ id: 'a', label: 'A', kind: 'api', status: 'healthy' }] }, 10),
      [envelope({ type: 'node-status', id: 'a', status: 'down' }, 11)],
      2,
    );
    expect(notifications.count).toBe(1);
    const { nodes, stream } = store.getState();
    expect(nodes.a?.status).toBe('down');
    expect(stream).toMatchObject({ lastSeq: 11, received: 1, rejected: 2, snapshots: 1 });
  });
});

function snapshotWith(state: Partial<SnapshotFrame['state']>, seq = 1): SnapshotFrame {
  return {
    type: 'snapshot',
    epoch: 'e',
    seq,
    state: { nodes: [], edges: [], progress: [], events: [], series: [], logs: [], ...state },
  };
}
