/**
 * Ids come from the wire, and some of them name what a plain object inherits.
 * Whatever the id, the store must hold exactly what was sent, never throw,
 * and never lose the rest of the batch.
 */
import { describe, expect, it } from 'vitest';
import type { SnapshotState } from '../../src/protocol/frames.ts';
import type { Payload } from '../../src/protocol/messages.ts';
import { createRealtimeStore, type RealtimeState } from '../../src/store/realtime.ts';
import { nodeById, seriesOwnedBy } from '../../src/store/selectors.ts';
import { envelopes, p } from './fixtures.ts';

const HOSTILE_IDS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'] as const;

const COLLECTIONS = ['nodes', 'edges', 'charts', 'logs', 'progress', 'seriesByNode', 'statusHistory'] as const;
type Collection = (typeof COLLECTIONS)[number];

/** Own keys of every collection, sorted: what the store really holds. */
function keysOf(state: RealtimeState): Record<Collection, string[]> {
  const out = {} as Record<Collection, string[]>;
  for (const name of COLLECTIONS) out[name] = Object.keys(state[name]).sort();
  return out;
}

/** Every collection answers a lookup of an id it does not hold with undefined, as views expect. */
function expectNoPhantoms(state: RealtimeState) {
  for (const name of COLLECTIONS) {
    const record = state[name] as Record<string, unknown>;
    const proto: unknown = Object.getPrototypeOf(record);
    expect(proto === null || proto === Object.prototype, `${name} keeps its prototype`).toBe(true);
    for (const id of HOSTILE_IDS) {
      if (!Object.keys(record).includes(id)) expect(record[id], `${name}[${id}]`).toBeUndefined();
    }
  }
}

const stats = { rps: 5, errorRate: 0, p95Ms: 12 };

/** A small mesh every case starts from, so a case also shows that its batch left the rest alone. */
const BASELINE: Payload[] = [p.node('a'), p.node('b'), p.edge('a->b', 'a', 'b')];
const BASE_KEYS: Record<Collection, string[]> = {
  nodes: ['a', 'b'],
  edges: ['a->b'],
  charts: [],
  logs: [],
  progress: [],
  seriesByNode: [],
  statusHistory: ['a', 'b'],
};
const sorted = (...keys: string[]) => keys.sort();

interface Case {
  name: string;
  payloads: (id: string) => Payload[];
  keys: (id: string) => Partial<Record<Collection, string[]>>;
  check?: (state: RealtimeState, id: string) => void;
}

const CASES: Case[] = [
  {
    name: 'node-upsert adds the node',
    payloads: (id) => [p.node(id)],
    keys: (id) => ({ nodes: sorted('a', 'b', id) }),
    check: (state, id) => expect(state.nodes[id]).toEqual({ id, label: id.toUpperCase(), kind: 'service', status: 'healthy' }),
  },
  { name: 'node-status for an unknown node changes nothing', payloads: (id) => [p.status(id, 'down')], keys: () => ({}) },
  {
    name: 'node-status changes a node of that id',
    payloads: (id) => [p.node(id), p.status(id, 'down')],
    keys: (id) => ({ nodes: sorted('a', 'b', id) }),
    check: (state, id) => expect(state.nodes[id]?.status).toBe('down'),
  },
  { name: 'node-delete of an unknown node changes nothing', payloads: (id) => [p.deleteNode(id)], keys: () => ({}) },
  {
    name: 'node-delete drops the node, its edges, logs and series',
    payloads: (id) => [p.node(id), p.edge(id, id, 'a'), p.log(id, 'up'), p.point(id, 1, 1, id), p.deleteNode(id)],
    keys: () => ({}),
  },
  {
    name: 'edge-upsert adds the edge',
    payloads: (id) => [p.edge(id, id, 'a')],
    keys: (id) => ({ edges: sorted('a->b', id) }),
    check: (state, id) => expect(state.edges[id]).toEqual({ id, source: id, target: 'a' }),
  },
  { name: 'edge-stats for an unknown edge changes nothing', payloads: (id) => [p.stats(id, stats)], keys: () => ({}) },
  {
    name: 'edge-stats updates an edge of that id',
    payloads: (id) => [p.edge(id, 'a', 'b'), p.stats(id, stats)],
    keys: (id) => ({ edges: sorted('a->b', id) }),
    check: (state, id) => expect(state.edges[id]).toEqual({ id, source: 'a', target: 'b', stats }),
  },
  { name: 'edge-delete of an unknown edge changes nothing', payloads: (id) => [p.deleteEdge(id)], keys: () => ({}) },
  {
    name: 'edge-delete drops an edge of that id',
    payloads: (id) => [p.edge(id, 'a', 'b'), p.deleteEdge(id)],
    keys: () => ({}),
  },
  {
    name: 'event keeps its node id',
    payloads: (id) => [p.event('hello', 'warn', id)],
    keys: () => ({}),
    check: (state, id) => expect(state.events.map((e) => [e.message, e.nodeId])).toEqual([['hello', id]]),
  },
  {
    name: 'log-chunk starts a log for the node',
    payloads: (id) => [p.log(id, 'one\ntwo'), p.log(id, 'three')],
    keys: (id) => ({ logs: [id] }),
    check: (state, id) => expect(state.logs[id]?.map((line) => line.text)).toEqual(['one', 'two', 'three']),
  },
  {
    name: 'chart-point starts a series owned by the node',
    payloads: (id) => [p.point(id, 1, 1, id), p.point(id, 2, 2, id)],
    keys: (id) => ({ charts: [id], seriesByNode: [id] }),
    check: (state, id) => {
      expect(state.charts[id]).toEqual([{ t: 1, y: 1 }, { t: 2, y: 2 }]);
      expect(state.seriesByNode[id]).toEqual([id]);
    },
  },
  {
    name: 'progress adds the run',
    payloads: (id) => [p.progress(id, 10), p.progress(id, 20)],
    keys: (id) => ({ progress: [id] }),
    check: (state, id) => expect(state.progress[id]?.percent).toBe(20),
  },
];

describe('ids that name what plain objects inherit', () => {
  describe.each(HOSTILE_IDS)('%s', (id) => {
    it.each(CASES)('$name, and keeps the rest of the batch', ({ payloads, keys, check }) => {
      const store = createRealtimeStore();
      const batch = envelopes([...BASELINE, ...payloads(id), p.node('after')]);
      expect(() => store.getState().applyBatch(batch)).not.toThrow();
      const state = store.getState();
      const expected = { ...BASE_KEYS, ...keys(id) };
      expected.nodes = sorted(...expected.nodes, 'after');
      // Every node has a status history, and only nodes do.
      expected.statusHistory = expected.nodes;
      expect(keysOf(state)).toEqual(expected);
      expect(state.stream.received).toBe(batch.length);
      expectNoPhantoms(state);
      check?.(state, id);
    });

    it('takes a snapshot that uses the id everywhere, and deltas after it', () => {
      const store = createRealtimeStore();
      const snap: SnapshotState = {
        nodes: [{ id, label: 'x', kind: 'service', status: 'healthy' }, { id: 'a', label: 'a', kind: 'service', status: 'healthy' }],
        edges: [{ id, source: id, target: 'a' }],
        progress: [{ id, label: 'run', percent: 50, status: 'running' }],
        events: [{ ts: 1, message: 'hi', severity: 'info', nodeId: id }],
        series: [{ series: id, nodeId: id, points: [{ t: 1, y: 1 }] }],
        logs: [{ nodeId: id, lines: [{ ts: 1, level: 'info', text: 'line' }] }],
      };
      const after = envelopes([p.status(id, 'down'), p.stats(id, stats), p.log(id, 'more'), p.point(id, 2, 2, id)], 8);
      expect(() => store.getState().applySnapshot({ epoch: 'e', seq: 7, state: snap }, after)).not.toThrow();
      const state = store.getState();
      expect(keysOf(state)).toEqual({
        nodes: sorted('a', id),
        edges: [id],
        charts: [id],
        logs: [id],
        progress: [id],
        seriesByNode: [id],
        statusHistory: sorted('a', id),
      });
      expectNoPhantoms(state);
      expect(state.statusHistory[id]?.map((change) => change.status)).toEqual(['healthy', 'down']);
      expect(state.nodes[id]?.status).toBe('down');
      expect(state.edges[id]?.stats).toEqual(stats);
      expect(state.logs[id]?.map((line) => line.text)).toEqual(['line', 'more']);
      expect(state.charts[id]).toEqual([{ t: 1, y: 1 }, { t: 2, y: 2 }]);
      expect(state.events[0]?.nodeId).toBe(id);

      store.getState().applyBatch(envelopes([p.deleteNode(id)], 12));
      // Progress belongs to no node.
      expect(keysOf(store.getState())).toEqual({ ...BASE_KEYS, nodes: ['a'], edges: [], progress: [id], statusHistory: ['a'] });
      expectNoPhantoms(store.getState());
    });

    it('reads as absent through the shared selectors before anything arrives', () => {
      const state = createRealtimeStore().getState();
      expect(nodeById(id)(state)).toBeUndefined();
      expect(seriesOwnedBy(id)(state)).toEqual([]);
      expectNoPhantoms(state);
    });
  });
});
