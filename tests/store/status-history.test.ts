/** Each node's status history: what adds an entry, what does not, its bound, and how deletes and snapshots treat it. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MeshNode, NodeStatus } from '../../src/protocol/mesh.ts';
import type { SnapshotState } from '../../src/protocol/frames.ts';
import type { Payload } from '../../src/protocol/messages.ts';
import { createRealtimeStore, STORE_LIMITS, type RealtimeStore } from '../../src/store/realtime.ts';
import { statusHistoryOf } from '../../src/store/selectors.ts';
import { BASE_TS, envelope, envelopes, mixedStream, sequencer, p, SMALL_LIMITS } from './fixtures.ts';

const CYCLE: NodeStatus[] = ['healthy', 'degraded', 'down', 'starting'];

function storeWith(...payloads: Payload[]) {
  const store = createRealtimeStore();
  const next = sequencer();
  if (payloads.length > 0) store.getState().applyBatch(next(...payloads));
  const apply = (...more: Payload[]) => store.getState().applyBatch(next(...more));
  return { store, apply, state: () => store.getState() };
}

/** `[ts offset from BASE_TS, status]` pairs: short to read, exact to compare. */
function historyOf(store: RealtimeStore, id: string): Array<[number, NodeStatus]> {
  return statusHistoryOf(id)(store.getState()).map(({ ts, status }) => [ts - BASE_TS, status]);
}

const meshNode = (id: string, status: NodeStatus = 'healthy'): MeshNode => ({ id, label: id, kind: 'service', status });
const snapshotOf = (...nodes: MeshNode[]): SnapshotState => ({ nodes, edges: [], progress: [], events: [], series: [], logs: [] });

afterEach(() => vi.restoreAllMocks());

describe('status history', () => {
  describe('from messages', () => {
    it('starts with one entry, at the envelope ts, when a node first appears', () => {
      const { store } = storeWith(p.node('a'), p.node('b', { status: 'starting' }));
      expect(historyOf(store, 'a')).toEqual([[1, 'healthy']]);
      expect(historyOf(store, 'b')).toEqual([[2, 'starting']]);
    });

    it('appends, oldest first, whenever node-status or node-upsert changes the status', () => {
      const { store, apply } = storeWith(p.node('a'));
      apply(p.status('a', 'degraded'));
      apply(p.node('a', { status: 'down' }), p.status('a', 'starting'));
      apply(p.node('a', { status: 'healthy', label: 'renamed' }));
      expect(historyOf(store, 'a')).toEqual([
        [1, 'healthy'],
        [2, 'degraded'],
        [3, 'down'],
        [4, 'starting'],
        [5, 'healthy'],
      ]);
    });

    it('appends nothing for the same status, and keeps the arrays and the record as they were', () => {
      const { store, apply, state } = storeWith(p.node('a'), p.node('b'), p.status('b', 'down'));
      const record = state().statusHistory;
      const ofA = record.a;
      apply(p.node('a', { meta: { heartbeat: 1 } }), p.status('a', 'healthy'), p.status('b', 'down'), p.node('b', { status: 'down' }));
      expect(state().nodes.a?.meta).toEqual({ heartbeat: 1 });
      expect(state().statusHistory).toBe(record);
      expect(state().statusHistory.a).toBe(ofA);
      expect(historyOf(store, 'a')).toEqual([[1, 'healthy']]);
    });

    it('replaces only the changed node’s array, and leaves the history alone for messages about other things', () => {
      const { apply, state } = storeWith(p.node('a'), p.node('b'), p.edge('e', 'a', 'b'));
      const ofB = state().statusHistory.b;
      apply(p.status('a', 'down'));
      expect(state().statusHistory.b).toBe(ofB);
      const record = state().statusHistory;
      apply(p.stats('e', { rps: 1, errorRate: 0, p95Ms: 1 }), p.event('x', 'info', 'a'), p.log('a', 'line'), p.point('a.cpu', 1, 1, 'a'));
      expect(state().statusHistory).toBe(record);
    });

    it('ignores node-status for a node it does not hold', () => {
      const { state } = storeWith(p.status('ghost', 'down'));
      expect(Object.keys(state().statusHistory)).toEqual([]);
    });

    it(`keeps the last ${STORE_LIMITS.maxStatusHistoryPerNode} changes of a node, whether they come in one batch or many`, () => {
      const max = STORE_LIMITS.maxStatusHistoryPerNode;
      const changes = Array.from({ length: 3 * max + 7 }, (_, i) => p.status('a', CYCLE[(i + 1) % CYCLE.length]!));
      const oneBatch = storeWith(p.node('a'), ...changes);
      const many = storeWith(p.node('a'));
      for (const change of changes) many.apply(change);

      const kept = historyOf(oneBatch.store, 'a');
      expect(kept).toHaveLength(max);
      // The newest entry is the last message (seq 1 + changes.length), the oldest the one `max - 1` before it.
      expect(kept.at(-1)).toEqual([1 + changes.length, CYCLE[changes.length % CYCLE.length]]);
      expect(kept[0]![0]).toBe(1 + changes.length - (max - 1));
      expect(historyOf(many.store, 'a')).toEqual(kept);
    });

    it('drops a node’s history with the node, and starts afresh if it comes back', () => {
      const { store, apply, state } = storeWith(p.node('a'), p.status('a', 'down'), p.node('b'));
      apply(p.deleteNode('a'));
      expect(Object.keys(state().statusHistory)).toEqual(['b']);
      apply(p.node('a', { status: 'starting' }));
      expect(historyOf(store, 'a')).toEqual([[5, 'starting']]);
      // Deleted and re-added within one batch: only what came after the delete.
      apply(p.status('a', 'down'), p.deleteNode('a'), p.node('a', { status: 'down' }));
      expect(historyOf(store, 'a')).toEqual([[8, 'down']]);
    });

    it('drops a node’s history on clearNode, and empties on clearMesh', () => {
      const { store, state } = storeWith(p.node('a'), p.node('b'));
      store.getState().clearNode('a');
      expect(Object.keys(state().statusHistory)).toEqual(['b']);
      store.getState().clearMesh();
      expect(Object.keys(state().statusHistory)).toEqual([]);
    });

    it('holds ids that name what plain objects inherit as plain keys', () => {
      const ids = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
      const { store, apply, state } = storeWith(...ids.map((id) => p.node(id)));
      apply(...ids.map((id) => p.status(id, 'down')));
      expect(Object.getPrototypeOf(state().statusHistory)).toBeNull();
      expect(Object.keys(state().statusHistory).sort()).toEqual([...ids].sort());
      for (const id of ids) expect(historyOf(store, id).map(([, status]) => status)).toEqual(['healthy', 'down']);
      apply(p.deleteNode('__proto__'));
      expect(Object.keys(state().statusHistory).sort()).toEqual(['constructor', 'hasOwnProperty', 'toString']);
      expect(state().statusHistory['__proto__']).toBeUndefined();
    });

    it('is exercised past its bound by the mixed stream the batch-equivalence tests compare', () => {
      const store = createRealtimeStore(SMALL_LIMITS);
      store.getState().applyBatch(envelopes(mixedStream(1, 2_000)));
      const lengths = Object.values(store.getState().statusHistory).map((changes) => changes.length);
      expect(Math.max(...lengths)).toBe(SMALL_LIMITS.maxStatusHistoryPerNode);
      expect(Object.keys(store.getState().statusHistory).sort()).toEqual(Object.keys(store.getState().nodes).sort());
    });
  });

  describe('across a snapshot', () => {
    it('keeps the history (the same array) of a node whose status is unchanged', () => {
      const { store, state } = storeWith(p.node('a'), p.status('a', 'down'));
      const ofA = state().statusHistory.a;
      store.getState().applySnapshot({ epoch: 'e', seq: 10, state: snapshotOf(meshNode('a', 'down')) });
      expect(state().statusHistory.a).toBe(ofA);
    });

    it('times the entries it adds by the oldest message after the snapshot', () => {
      const { store } = storeWith(p.node('kept'), p.node('gone'));
      const after = [envelope(p.status('new', 'down'), 12, BASE_TS + 50), envelope(p.event('x'), 11, BASE_TS + 40)];
      store.getState().applySnapshot({ epoch: 'e', seq: 10, state: snapshotOf(meshNode('kept', 'degraded'), meshNode('new')) }, after);
      expect(historyOf(store, 'kept')).toEqual([
        [1, 'healthy'],
        [40, 'degraded'],
      ]);
      expect(historyOf(store, 'new')).toEqual([
        [40, 'healthy'],
        [50, 'down'],
      ]);
      expect(Object.keys(store.getState().statusHistory).sort()).toEqual(['kept', 'new']);
    });

    it('times them by the local clock when no message came with the snapshot, never before the change they follow', () => {
      const { store } = storeWith(p.node('a'), p.node('b'));
      vi.spyOn(Date, 'now').mockReturnValue(BASE_TS + 1_000);
      store.getState().applySnapshot({ epoch: 'e', seq: 10, state: snapshotOf(meshNode('a', 'down'), meshNode('c')) });
      expect(historyOf(store, 'a')).toEqual([
        [1, 'healthy'],
        [1_000, 'down'],
      ]);
      expect(historyOf(store, 'c')).toEqual([[1_000, 'healthy']]);

      // A local clock behind the gateway's.
      vi.spyOn(Date, 'now').mockReturnValue(BASE_TS - 5_000);
      store.getState().applySnapshot({ epoch: 'e', seq: 11, state: snapshotOf(meshNode('a', 'healthy')) });
      expect(historyOf(store, 'a')).toEqual([
        [1, 'healthy'],
        [1_000, 'down'],
        [1_000, 'healthy'],
      ]);
    });

    it('stays within the bound when it adds to a full history', () => {
      const max = STORE_LIMITS.maxStatusHistoryPerNode;
      const changes = Array.from({ length: max }, (_, i) => p.status('a', CYCLE[(i + 1) % CYCLE.length]!));
      const { store } = storeWith(p.node('a'), ...changes);
      const before = historyOf(store, 'a');
      expect(before).toHaveLength(max);
      const status = before.at(-1)![1] === 'unknown' ? 'healthy' : 'unknown';
      store.getState().applySnapshot({ epoch: 'e', seq: 100, state: snapshotOf(meshNode('a', status)) }, [envelope(p.event('x'), 101, BASE_TS + 500)]);
      expect(historyOf(store, 'a')).toEqual([...before.slice(1), [500, status]]);
    });

    it('keeps the history of a kept node whose id names a built-in', () => {
      const { store, state } = storeWith(p.node('__proto__'), p.node('constructor'));
      const kept = state().statusHistory['__proto__'];
      store.getState().applySnapshot(
        { epoch: 'e', seq: 5, state: snapshotOf(meshNode('__proto__'), meshNode('toString', 'down')) },
        [envelope(p.event('x'), 6, BASE_TS + 9)],
      );
      expect(Object.getPrototypeOf(state().statusHistory)).toBeNull();
      expect(Object.keys(state().statusHistory).sort()).toEqual(['__proto__', 'toString']);
      expect(state().statusHistory['__proto__']).toBe(kept);
      expect(historyOf(store, 'toString')).toEqual([[9, 'down']]);
    });
  });
});
