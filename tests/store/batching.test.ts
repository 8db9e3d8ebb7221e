/**
 * STYLE 4: the number of `set`s is the cost that matters. These tests pin the
 * notification counts and the identity rules that narrow selectors rely on.
 */
import { describe, expect, it } from 'vitest';
import { createRealtimeStore, type RealtimeData } from '../../src/store/realtime.ts';
import { cloneData, countNotifications, envelopes, mixedStream, p, sequencer, SMALL_LIMITS } from './fixtures.ts';
import type { Payload } from '../../src/protocol/messages.ts';

function seededStore() {
  const store = createRealtimeStore();
  const next = sequencer();
  store.getState().applyBatch(
    next(
      p.node('a'),
      p.node('b'),
      p.edge('a->b', 'a', 'b', { stats: { rps: 1, errorRate: 0, p95Ms: 5 } }),
      p.event('hello'),
      p.log('a', 'booted'),
      p.log('b', 'booted'),
      p.point('a.cpu', 1, 1, 'a'),
      p.point('b.cpu', 1, 1, 'b'),
      p.progress('deploy', 10),
    ),
  );
  return { store, next };
}

const COLLECTIONS = ['nodes', 'edges', 'events', 'charts', 'logs', 'progress'] as const;
type Collection = (typeof COLLECTIONS)[number];

describe('store notifications', () => {
  it('notifies subscribers exactly once for a batch of many messages', () => {
    const store = createRealtimeStore();
    const notes = countNotifications(store);
    store.getState().applyBatch(envelopes(mixedStream(1, 500)));
    expect(notes.count).toBe(1);
  });

  it('notifies once per message through apply', () => {
    const store = createRealtimeStore();
    const notes = countNotifications(store);
    for (const message of envelopes(mixedStream(2, 37))) store.getState().apply(message);
    expect(notes.count).toBe(37);
  });

  it('notifies nothing for an empty batch', () => {
    const store = createRealtimeStore();
    const notes = countNotifications(store);
    const before = store.getState();
    store.getState().applyBatch([]);
    expect(notes.count).toBe(0);
    expect(store.getState()).toBe(before);
  });

  it('notifies once for an empty batch that carries a rejected count', () => {
    const store = createRealtimeStore();
    const notes = countNotifications(store);
    store.getState().applyBatch([], 3);
    expect(notes.count).toBe(1);
    expect(store.getState().stream.rejected).toBe(3);
  });

  it.each([
    ['clearNode', (s: ReturnType<typeof seededStore>['store']) => s.getState().clearNode('a')],
    ['clearEdge', (s: ReturnType<typeof seededStore>['store']) => s.getState().clearEdge('a->b')],
    ['clearEvents', (s: ReturnType<typeof seededStore>['store']) => s.getState().clearEvents()],
    [
      'applySnapshot',
      (s: ReturnType<typeof seededStore>['store']) =>
        s.getState().applySnapshot({
          epoch: 'e',
          seq: 1,
          state: { nodes: [], edges: [], progress: [], events: [], series: [], logs: [] },
        }),
    ],
    ['setConnection', (s: ReturnType<typeof seededStore>['store']) => s.getState().setConnection('open', { url: 'ws://x' })],
  ])('notifies exactly once for %s', (_name, act) => {
    const { store } = seededStore();
    const notes = countNotifications(store);
    act(store);
    expect(notes.count).toBe(1);
  });
});

describe('store identity per batch', () => {
  const cases: Array<{ what: string; payloads: Payload[]; touched: Collection[] }> = [
    { what: 'chart points', payloads: [p.point('a.cpu', 2), p.point('new', 1)], touched: ['charts'] },
    { what: 'log chunks', payloads: [p.log('a', 'x\ny'), p.log('c', 'z')], touched: ['logs'] },
    { what: 'events', payloads: [p.event('e1'), p.event('e2', 'warn', 'a')], touched: ['events'] },
    { what: 'node statuses', payloads: [p.status('a', 'down')], touched: ['nodes'] },
    { what: 'edge stats', payloads: [p.stats('a->b', { rps: 9, errorRate: 0.5, p95Ms: 1 })], touched: ['edges'] },
    { what: 'progress', payloads: [p.progress('deploy', 50)], touched: ['progress'] },
    { what: 'a node upsert', payloads: [p.node('c')], touched: ['nodes'] },
    { what: 'an edge delete', payloads: [p.deleteEdge('a->b')], touched: ['edges'] },
  ];

  it.each(cases)('a batch of $what replaces only $touched', ({ payloads, touched }) => {
    const { store, next } = seededStore();
    const before = store.getState();
    store.getState().applyBatch(next(...payloads));
    const after = store.getState();
    for (const key of COLLECTIONS) {
      if (touched.includes(key)) expect(after[key], `${key} should be a new object`).not.toBe(before[key]);
      else expect(after[key], `${key} should keep its identity`).toBe(before[key]);
    }
  });

  it('keeps the identity of series, log buffers, nodes and edges the batch did not touch', () => {
    const { store, next } = seededStore();
    const before = store.getState();
    store.getState().applyBatch(next(p.point('a.cpu', 5), p.log('a', 'more'), p.status('a', 'degraded')));
    const after = store.getState();
    expect(after.charts['b.cpu']).toBe(before.charts['b.cpu']);
    expect(after.charts['a.cpu']).not.toBe(before.charts['a.cpu']);
    expect(after.logs.b).toBe(before.logs.b);
    expect(after.logs.a).not.toBe(before.logs.a);
    expect(after.nodes.b).toBe(before.nodes.b);
    expect(after.nodes.a).not.toBe(before.nodes.a);
  });

  it('leaves nodes untouched when a node-status repeats the current status', () => {
    const { store, next } = seededStore();
    const before = store.getState();
    store.getState().applyBatch(next(p.status('a', 'healthy')));
    expect(store.getState().nodes).toBe(before.nodes);
  });
});

describe('store immutability per batch', () => {
  it('never mutates a series array a view already holds', () => {
    const { store, next } = seededStore();
    const held = store.getState().charts['a.cpu']!;
    const copy = held.slice();
    store.getState().applyBatch(next(p.point('a.cpu', 2), p.point('a.cpu', 3)));
    expect(held).toEqual(copy);
    expect(held).toHaveLength(1);
    expect(store.getState().charts['a.cpu']).toHaveLength(3);
  });

  it('never mutates a full series array when trimming it to the cap', () => {
    const store = createRealtimeStore(SMALL_LIMITS);
    const next = sequencer();
    store.getState().applyBatch(next(p.point('s', 1), p.point('s', 2), p.point('s', 3)));
    const held = store.getState().charts.s!;
    store.getState().applyBatch(next(p.point('s', 4)));
    expect(held.map((pt) => pt.y)).toEqual([1, 2, 3]);
    expect(store.getState().charts.s!.map((pt) => pt.y)).toEqual([2, 3, 4]);
  });

  it('never mutates a held log buffer or events array', () => {
    const store = createRealtimeStore(SMALL_LIMITS);
    const next = sequencer();
    store.getState().applyBatch(next(p.log('a', '1\n2\n3\n4'), p.event('e1'), p.event('e2')));
    const heldLines = store.getState().logs.a!;
    const heldEvents = store.getState().events;
    const linesCopy = structuredClone(heldLines);
    const eventsCopy = structuredClone(heldEvents);
    store.getState().applyBatch(next(p.log('a', '5\n6'), ...['e3', 'e4', 'e5', 'e6'].map((m) => p.event(m))));
    expect(heldLines).toEqual(linesCopy);
    expect(heldEvents).toEqual(eventsCopy);
  });

  it('never mutates any part of a state a view already holds, whatever the batch does', () => {
    const store = createRealtimeStore(SMALL_LIMITS);
    const stream = envelopes(mixedStream(3, 1_200));
    for (let at = 0; at < stream.length; at += 40) {
      const held: RealtimeData = store.getState();
      const copy = cloneData(held);
      store.getState().applyBatch(stream.slice(at, at + 40));
      expect(cloneData(held)).toEqual(copy);
    }
  });

  it('never mutates the message objects it was given', () => {
    const store = createRealtimeStore(SMALL_LIMITS);
    const stream = envelopes(mixedStream(4, 500));
    const copy = structuredClone(stream);
    store.getState().applyBatch(stream.slice(0, 250));
    for (const message of stream.slice(250)) store.getState().apply(message);
    expect(stream).toEqual(copy);
  });
});
