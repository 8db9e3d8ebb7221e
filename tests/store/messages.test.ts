/** What each message does to the store: seed 004's semantics, plus deletes, progress and the stream counters. */
import { describe, expect, it } from 'vitest';
import { createRealtimeStore } from '../../src/store/realtime.ts';
import type { Payload } from '../../src/protocol/messages.ts';
import { BASE_TS, countNotifications, envelope, envelopes, p, sequencer, SMALL_LIMITS } from './fixtures.ts';

function storeWith(...payloads: Payload[]) {
  const store = createRealtimeStore();
  const next = sequencer();
  if (payloads.length > 0) store.getState().applyBatch(next(...payloads));
  const apply = (...more: Payload[]) => store.getState().applyBatch(next(...more));
  return { store, apply, state: () => store.getState() };
}

describe('the realtime store', () => {
  it('starts empty, idle and before any seq', () => {
    const { state } = storeWith();
    expect(state()).toMatchObject({
      status: 'idle',
      nodes: {},
      edges: {},
      events: [],
      charts: {},
      logs: {},
      progress: {},
      topologyVersion: 0,
      stream: { epoch: null, lastSeq: -1, received: 0, rejected: 0, snapshots: 0 },
    });
  });

  describe('nodes', () => {
    it('adds a node on node-upsert and replaces it on the next', () => {
      const { state, apply } = storeWith(p.node('a'));
      expect(state().nodes.a).toEqual({ id: 'a', label: 'A', kind: 'service', status: 'healthy' });
      apply(p.node('a', { label: 'Alpha', meta: { zone: 'eu' } }));
      expect(state().nodes.a).toEqual({ id: 'a', label: 'Alpha', kind: 'service', status: 'healthy', meta: { zone: 'eu' } });
    });

    it('changes only the status on node-status', () => {
      const { state, apply } = storeWith(p.node('a', { group: 'g', meta: { x: 1 } }));
      apply(p.status('a', 'down'));
      expect(state().nodes.a).toEqual({ id: 'a', label: 'A', kind: 'service', status: 'down', group: 'g', meta: { x: 1 } });
    });

    it('ignores node-status for an unknown node', () => {
      const { state, apply } = storeWith(p.node('a'));
      const nodes = state().nodes;
      apply(p.status('ghost', 'down'));
      expect(state().nodes).toBe(nodes);
      expect(state().nodes.ghost).toBeUndefined();
    });

    it('applies node-status to a node added earlier in the same batch', () => {
      const { state } = storeWith(p.node('a'), p.status('a', 'starting'));
      expect(state().nodes.a!.status).toBe('starting');
    });
  });

  describe('edges', () => {
    const stats = { rps: 10, errorRate: 0.1, p95Ms: 30 };

    it('merges edge-stats into the edge, keeping its structure', () => {
      const { state, apply } = storeWith(p.edge('e', 'a', 'b', { label: 'http' }));
      apply(p.stats('e', stats));
      expect(state().edges.e).toEqual({ id: 'e', source: 'a', target: 'b', label: 'http', stats });
      apply(p.stats('e', { rps: 0, errorRate: 1, p95Ms: 900 }));
      expect(state().edges.e!.stats).toEqual({ rps: 0, errorRate: 1, p95Ms: 900 });
    });

    it('ignores edge-stats for an unknown edge', () => {
      const { state, apply } = storeWith(p.edge('e', 'a', 'b'));
      const edges = state().edges;
      apply(p.stats('ghost', stats));
      expect(state().edges).toBe(edges);
      expect(state().edges.ghost).toBeUndefined();
    });

    it('keeps the existing stats when an edge-upsert carries none', () => {
      const { state, apply } = storeWith(p.edge('e', 'a', 'b'), p.stats('e', stats));
      apply(p.edge('e', 'a', 'b', { label: 'grpc' }));
      expect(state().edges.e).toEqual({ id: 'e', source: 'a', target: 'b', label: 'grpc', stats });
    });

    it('replaces the stats when an edge-upsert carries them', () => {
      const fresh = { rps: 1, errorRate: 0, p95Ms: 2 };
      const { state, apply } = storeWith(p.edge('e', 'a', 'b', { stats }));
      apply(p.edge('e', 'a', 'b', { stats: fresh }));
      expect(state().edges.e!.stats).toEqual(fresh);
    });

    it('removes an edge on edge-delete', () => {
      const { state, apply } = storeWith(p.edge('e', 'a', 'b'), p.edge('f', 'b', 'a'));
      apply(p.deleteEdge('e'));
      expect(Object.keys(state().edges)).toEqual(['f']);
    });
  });

  describe('events', () => {
    it('records ts from the envelope, severity, message and nodeId', () => {
      const store = createRealtimeStore();
      store.getState().applyBatch([
        envelope(p.event('disk full', 'error', 'db'), 1, 111),
        envelope(p.event('deploy', 'info'), 2, 222),
      ]);
      const [newest, oldest] = store.getState().events;
      expect(newest).toMatchObject({ ts: 222, message: 'deploy', severity: 'info' });
      expect(newest).not.toHaveProperty('nodeId');
      expect(oldest).toMatchObject({ ts: 111, message: 'disk full', severity: 'error', nodeId: 'db' });
    });

    it('gives every event a distinct id, across batches', () => {
      const { state, apply } = storeWith(p.event('1'), p.event('2'));
      apply(p.event('3'));
      const ids = state().events.map((e) => e.id);
      expect(new Set(ids).size).toBe(3);
    });
  });

  describe('logs', () => {
    it.each([
      ['one line', 'GET /', ['GET /']],
      ['several lines', 'a\nb\nc', ['a', 'b', 'c']],
      ['a trailing newline', 'a\nb\n', ['a', 'b']],
      ['blank lines between', 'a\n\nb', ['a', 'b']],
    ])('splits a chunk of %s into lines', (_why, text, lines) => {
      const { state } = storeWith(p.log('n', text));
      expect(state().logs.n!.map((l) => l.text)).toEqual(lines);
    });

    it("gives every line of a chunk the envelope's ts and level 'info' when none is given", () => {
      const store = createRealtimeStore();
      store.getState().apply(envelope(p.log('n', 'a\nb'), 5, 777));
      expect(store.getState().logs.n!.map(({ ts, level, text }) => ({ ts, level, text }))).toEqual([
        { ts: 777, level: 'info', text: 'a' },
        { ts: 777, level: 'info', text: 'b' },
      ]);
    });

    it('keeps the level a chunk names', () => {
      const { state } = storeWith(p.log('n', 'x\ny', 'error'));
      expect(state().logs.n!.map((l) => l.level)).toEqual(['error', 'error']);
    });

    it('gives every line a distinct id', () => {
      const { state, apply } = storeWith(p.log('n', 'a\nb'));
      apply(p.log('n', 'c'));
      expect(new Set(state().logs.n!.map((l) => l.id)).size).toBe(3);
    });

    it('appends chunks in arrival order', () => {
      const { state, apply } = storeWith(p.log('n', '1'), p.log('n', '2'));
      apply(p.log('n', '3\n4'));
      expect(state().logs.n!.map((l) => l.text)).toEqual(['1', '2', '3', '4']);
    });
  });

  describe('charts and progress', () => {
    it('appends chart points to their series in order', () => {
      const { state, apply } = storeWith(p.point('cpu', 1, 10), p.point('mem', 5, 10));
      apply(p.point('cpu', 2, 11));
      expect(state().charts).toEqual({ cpu: [{ t: 10, y: 1 }, { t: 11, y: 2 }], mem: [{ t: 10, y: 5 }] });
    });

    it('keeps the latest progress per id', () => {
      const { state, apply } = storeWith(p.progress('build', 10), p.progress('deploy', 0));
      apply(p.progress('build', 100, 'complete'));
      expect(state().progress.build).toMatchObject({ percent: 100, status: 'complete' });
      expect(state().progress.deploy).toMatchObject({ percent: 0, status: 'running' });
    });
  });

  describe('topologyVersion', () => {
    const stats = { rps: 1, errorRate: 0, p95Ms: 1 };
    const base = [p.node('a'), p.node('b'), p.node('c'), p.edge('e', 'a', 'b', { label: 'http', stats })];
    it.each<[string, Payload, boolean]>([
      ['a node is added', p.node('d'), true],
      ['a node is relabelled', p.node('a', { label: 'Alpha' }), true],
      ['a node changes kind', p.node('a', { kind: 'db' }), true],
      ['a node changes group', p.node('a', { group: 'pool' }), true],
      ['a node is removed', p.deleteNode('c'), true],
      ['an edge is added', p.edge('f', 'b', 'c'), true],
      ['an edge is relabelled', p.edge('e', 'a', 'b', { label: 'grpc' }), true],
      ['an edge is rewired at its source', p.edge('e', 'c', 'b', { label: 'http' }), true],
      ['an edge is rewired at its target', p.edge('e', 'a', 'c', { label: 'http' }), true],
      ['an edge is removed', p.deleteEdge('e'), true],
      ['a node changes status', p.status('a', 'down'), false],
      ['a node-upsert changes only the status', p.node('a', { status: 'degraded' }), false],
      ['a node-upsert changes only meta', p.node('a', { meta: { v: 2 } }), false],
      ['a node-upsert is identical', p.node('a'), false],
      ['an edge-upsert is identical', p.edge('e', 'a', 'b', { label: 'http', stats }), false],
      ['an edge-upsert changes only stats', p.edge('e', 'a', 'b', { label: 'http', stats: { ...stats, rps: 9 } }), false],
      ['edge-stats arrive', p.stats('e', { rps: 2, errorRate: 0.5, p95Ms: 9 }), false],
      ['an unknown node is deleted', p.deleteNode('ghost'), false],
      ['an unknown edge is deleted', p.deleteEdge('ghost'), false],
      ['an event arrives', p.event('x'), false],
      ['a log chunk arrives', p.log('a', 'x'), false],
      ['a chart point arrives', p.point('a.cpu', 1, 1, 'a'), false],
      ['progress arrives', p.progress('x', 1), false],
    ])('when %s: bumps = %s', (_why, payload, bumps) => {
      const { state, apply } = storeWith(...base);
      const before = state().topologyVersion;
      apply(payload);
      if (bumps) expect(state().topologyVersion).toBeGreaterThan(before);
      else expect(state().topologyVersion).toBe(before);
    });

    it('bumps when the base topology first arrives', () => {
      expect(storeWith(...base).state().topologyVersion).toBeGreaterThan(0);
    });
  });

  describe('node-delete', () => {
    const mesh = [
      p.node('a'),
      p.node('b'),
      p.node('c'),
      p.edge('a->b', 'a', 'b'),
      p.edge('b->c', 'b', 'c'),
      p.edge('b->b', 'b', 'b'),
      p.edge('c->a', 'c', 'a'),
      p.log('b', 'b says hi'),
      p.log('c', 'c says hi'),
      p.point('b.cpu', 1, 1, 'b'),
      p.point('b.mem', 1, 1, 'b'),
      p.point('c.cpu', 1, 1, 'c'),
      p.point('global', 1),
    ];

    it('drops the node, its logs, its series and every edge touching it, in one notification', () => {
      const { store, state, apply } = storeWith(...mesh);
      const notes = countNotifications(store);
      const before = state().topologyVersion;
      apply(p.deleteNode('b'));
      expect(notes.count).toBe(1);
      expect(Object.keys(state().nodes).sort()).toEqual(['a', 'c']);
      expect(Object.keys(state().edges)).toEqual(['c->a']);
      expect(Object.keys(state().logs)).toEqual(['c']);
      expect(Object.keys(state().charts).sort()).toEqual(['c.cpu', 'global']);
      expect(state().topologyVersion).toBeGreaterThan(before);
    });

    it('drops edges, logs and series added earlier in the same batch', () => {
      const { state } = storeWith(...mesh, p.node('d'), p.edge('d->a', 'd', 'a'), p.log('d', 'x'), p.point('d.rps', 1, 1, 'd'), p.deleteNode('d'));
      expect(state().nodes.d).toBeUndefined();
      expect(state().edges['d->a']).toBeUndefined();
      expect(state().logs.d).toBeUndefined();
      expect(state().charts['d.rps']).toBeUndefined();
    });

    it('cleans up after a node the store never saw, if it owned edges, logs or series', () => {
      const { state, apply } = storeWith(p.node('a'), p.edge('x->a', 'x', 'a'), p.log('x', 'hi'), p.point('x.cpu', 1, 1, 'x'));
      apply(p.deleteNode('x'));
      expect(state().edges).toEqual({});
      expect(state().logs).toEqual({});
      expect(state().charts).toEqual({});
      expect(state().nodes.a).toBeDefined();
    });

    it('lets a deleted node come back with fresh buffers', () => {
      const { state, apply } = storeWith(...mesh);
      apply(p.deleteNode('b'), p.node('b'), p.log('b', 'back'), p.point('b.cpu', 7, 7, 'b'));
      expect(state().logs.b!.map((l) => l.text)).toEqual(['back']);
      expect(state().charts['b.cpu']).toEqual([{ t: 7, y: 7 }]);
    });
  });

  describe('local clears', () => {
    it('clearNode removes the node with its edges, logs and series, without counting a received message', () => {
      const { store, state } = storeWith(p.node('a'), p.node('b'), p.edge('e', 'a', 'b'), p.log('a', 'x'), p.point('a.cpu', 1, 1, 'a'));
      const stream = state().stream;
      const before = state().topologyVersion;
      store.getState().clearNode('a');
      expect(Object.keys(state().nodes)).toEqual(['b']);
      expect(state().edges).toEqual({});
      expect(state().logs).toEqual({});
      expect(state().charts).toEqual({});
      expect(state().stream).toEqual(stream);
      expect(state().topologyVersion).toBeGreaterThan(before);
    });

    it('clearEdge removes only that edge and bumps topologyVersion', () => {
      const { store, state } = storeWith(p.node('a'), p.node('b'), p.edge('e', 'a', 'b'), p.edge('f', 'b', 'a'));
      const before = state().topologyVersion;
      store.getState().clearEdge('e');
      expect(Object.keys(state().edges)).toEqual(['f']);
      expect(Object.keys(state().nodes)).toEqual(['a', 'b']);
      expect(state().topologyVersion).toBeGreaterThan(before);
      expect(state().stream.received).toBe(4);
    });

    it('clearEvents empties the events and nothing else', () => {
      const { store, state } = storeWith(p.node('a'), p.event('x'), p.event('y'));
      const nodes = state().nodes;
      store.getState().clearEvents();
      expect(state().events).toEqual([]);
      expect(state().nodes).toBe(nodes);
    });

    it('keeps events arriving after clearEvents bounded and newest first', () => {
      const store = createRealtimeStore(SMALL_LIMITS);
      store.getState().applyBatch(envelopes(['1', '2', '3'].map((m) => p.event(m))));
      store.getState().clearEvents();
      store.getState().applyBatch(envelopes(['4', '5', '6', '7', '8', '9'].map((m) => p.event(m)), 4));
      expect(store.getState().events.map((e) => e.message)).toEqual(['9', '8', '7', '6', '5']);
    });
  });

  describe('stream counters', () => {
    it('tracks the newest seq and counts every message received', () => {
      const store = createRealtimeStore();
      store.getState().applyBatch(envelopes([p.event('a'), p.status('ghost', 'down'), p.event('b')], 10));
      expect(store.getState().stream).toMatchObject({ lastSeq: 12, received: 3, rejected: 0 });
      store.getState().apply(envelope(p.event('c'), 13));
      expect(store.getState().stream).toMatchObject({ lastSeq: 13, received: 4 });
    });

    it('never moves lastSeq backwards for an older or duplicate message', () => {
      const store = createRealtimeStore();
      store.getState().apply(envelope(p.event('a'), 20));
      store.getState().applyBatch([envelope(p.event('b'), 5), envelope(p.event('c'), 20)]);
      expect(store.getState().stream).toMatchObject({ lastSeq: 20, received: 3 });
    });

    it('takes the highest seq of a batch, whatever its order', () => {
      const store = createRealtimeStore();
      store.getState().applyBatch([envelope(p.event('a'), 9), envelope(p.event('b'), 3)]);
      expect(store.getState().stream.lastSeq).toBe(9);
    });

    it('adds the rejected counts of every batch, with or without messages, to one counter', () => {
      const store = createRealtimeStore();
      store.getState().applyBatch(envelopes([p.event('a')]), 2);
      store.getState().applyBatch([], 3);
      store.getState().applyBatch([], 1);
      expect(store.getState().stream).toMatchObject({ received: 1, rejected: 6, lastSeq: 1 });
    });
  });

  describe('connection state', () => {
    it('records the status and its details, and when it last changed', () => {
      const store = createRealtimeStore();
      store.getState().setConnection('reconnecting', { attempt: 2, nextRetryAt: BASE_TS, lastError: 'closed 1006' });
      const first = store.getState().connection;
      expect(store.getState().status).toBe('reconnecting');
      expect(first).toMatchObject({ attempt: 2, nextRetryAt: BASE_TS, lastError: 'closed 1006' });
      store.getState().setConnection('reconnecting', { attempt: 3 });
      expect(store.getState().connection.since).toBe(first.since);
      expect(store.getState().connection).toMatchObject({ attempt: 3, lastError: 'closed 1006' });
    });
  });
});
