import { describe, expect, it } from 'vitest';
import type { EdgeStats, MeshEdge, MeshNode, NodeStatus } from '../../../src/protocol/mesh.ts';
import type { Envelope, Payload } from '../../../src/protocol/messages.ts';
import { createRealtimeStore, type RealtimeStore } from '../../../src/store/realtime.ts';
import {
  groupStatusSelector,
  NO_METRICS,
  nodeMetrics,
  nodeMetricsSelector,
  sameStats,
  sumStats,
  summedStatsSelector,
  worstStatus,
} from '../../../src/features/topology/live-metrics.ts';
import { edge, node } from '../mesh-fixtures.ts';

function edgesOf(list: readonly MeshEdge[]): Record<string, MeshEdge> {
  const record = Object.create(null) as Record<string, MeshEdge>;
  for (const e of list) record[e.id] = e;
  return record;
}
const stats = (rps: number, errorRate: number, p95Ms: number): EdgeStats => ({ rps, errorRate, p95Ms });
const counts = (partial: Partial<Record<NodeStatus, number>>): Record<NodeStatus, number> => ({
  healthy: 0,
  degraded: 0,
  down: 0,
  starting: 0,
  unknown: 0,
  ...partial,
});

/** A real store, fed the way the realtime client feeds it. */
function storeWith(nodes: MeshNode[], edges: MeshEdge[]): { store: RealtimeStore; feed: (...payloads: Payload[]) => void } {
  const store = createRealtimeStore();
  store.getState().applySnapshot({ epoch: 'test', seq: 1, state: { nodes, edges, progress: [], events: [], series: [], logs: [] } });
  let seq = 1;
  const feed = (...payloads: Payload[]) =>
    store.getState().applyBatch(payloads.map((data): Envelope => ({ seq: ++seq, ts: Date.now(), data })));
  return { store, feed };
}

describe('sumStats', () => {
  const edges = edgesOf([
    edge('a', 'x', { stats: stats(100, 0.1, 50) }),
    edge('b', 'x', { stats: stats(300, 0.02, 120) }),
    edge('c', 'x'),
    edge('d', 'x', { stats: stats(0, 0.5, 900) }),
  ]);

  it('adds traffic, weights errors by traffic and keeps the worst p95', () => {
    const sum = sumStats(edges, ['a->x', 'b->x']);
    expect(sum?.rps).toBe(400);
    // (100 × 0.1 + 300 × 0.02) / 400 = 16 / 400
    expect(sum?.errorRate).toBeCloseTo(0.04, 12);
    expect(sum?.p95Ms).toBe(120);
  });

  it('lets an idle edge add its p95 but not weigh on the error rate', () => {
    const sum = sumStats(edges, ['a->x', 'd->x']);
    expect(sum).toEqual({ rps: 100, errorRate: 0.1, p95Ms: 900 });
  });

  it('averages error rates plainly when no edge has traffic', () => {
    const idle = edgesOf([edge('a', 'x', { stats: stats(0, 0.2, 10) }), edge('b', 'x', { stats: stats(0, 0.4, 30) })]);
    const sum = sumStats(idle, ['a->x', 'b->x']);
    expect(sum?.rps).toBe(0);
    expect(sum?.errorRate).toBeCloseTo(0.3, 12);
    expect(sum?.p95Ms).toBe(30);
    expect(sumStats(edgesOf([edge('a', 'x', { stats: stats(0, 0, 0) })]), ['a->x'])).toEqual({ rps: 0, errorRate: 0, p95Ms: 0 });
  });

  it('skips edges without stats or that are gone, and is undefined when none has stats', () => {
    expect(sumStats(edges, ['a->x', 'c->x', 'gone'])).toEqual({ rps: 100, errorRate: 0.1, p95Ms: 50 });
    expect(sumStats(edges, ['c->x', 'gone'])).toBeUndefined();
    expect(sumStats(edges, [])).toBeUndefined();
  });

  it('never reports an error rate above 1', () => {
    const all = edgesOf([edge('a', 'x', { stats: stats(10, 1, 5) }), edge('b', 'x', { stats: stats(30, 1, 5) })]);
    expect(sumStats(all, ['a->x', 'b->x'])?.errorRate).toBeLessThanOrEqual(1);
  });

  it('compares stats by value', () => {
    expect(sameStats(stats(1, 0, 2), stats(1, 0, 2))).toBe(true);
    expect(sameStats(stats(1, 0, 2), stats(1, 0, 3))).toBe(false);
    expect(sameStats(undefined, undefined)).toBe(true);
    expect(sameStats(stats(1, 0, 2), undefined)).toBe(false);
  });
});

describe('nodeMetrics', () => {
  const edges = edgesOf([edge('in', 'n', { stats: stats(40, 0.5, 10) }), edge('n', 'out', { stats: stats(90, 0, 7) }), edge('quiet', 'n')]);

  it('reads what a node serves from its inbound edges', () => {
    expect(nodeMetrics(edges, ['in->n'], ['n->out'])).toEqual({ rps: 40, errorRate: 0.5, p95Ms: 10 });
  });

  it('reads what it sends when nothing calls it', () => {
    expect(nodeMetrics(edges, [], ['n->out'])).toEqual({ rps: 90, errorRate: 0, p95Ms: 7 });
  });

  it('is NO_METRICS when its edges carry no stats', () => {
    expect(nodeMetrics(edges, ['quiet->n'], ['n->out'])).toBe(NO_METRICS);
    expect(nodeMetrics(edges, [], [])).toBe(NO_METRICS);
  });
});

describe('summedStatsSelector', () => {
  const nodes = [node('a', 'svc'), node('b', 'svc'), node('x', 'svc'), node('y', 'svc')];
  const edges = [
    edge('a', 'x', { stats: stats(10, 0, 5) }),
    edge('b', 'x', { stats: stats(30, 0.1, 9) }),
    edge('a', 'y', { stats: stats(1, 0, 1) }),
  ];

  it('returns the same object while the sums are equal, though the store replaces `edges` on every stats message', () => {
    const { store, feed } = storeWith(nodes, edges);
    const select = summedStatsSelector(['a->x', 'b->x']);
    const first = select(store.getState());
    expect(first).toMatchObject({ rps: 40, p95Ms: 9 });
    expect(select(store.getState())).toBe(first);

    // Another edge's stats: new `edges` record, same sums.
    const edgesBefore = store.getState().edges;
    feed({ type: 'edge-stats', id: 'a->y', stats: stats(500, 0, 1) });
    expect(store.getState().edges).not.toBe(edgesBefore);
    expect(select(store.getState())).toBe(first);

    // A member's stats sent again, equal: still the same object.
    feed({ type: 'edge-stats', id: 'a->x', stats: stats(10, 0, 5) });
    expect(select(store.getState())).toBe(first);

    // A member's numbers change: a new object.
    feed({ type: 'edge-stats', id: 'a->x', stats: stats(20, 0, 5) });
    const second = select(store.getState());
    expect(second).not.toBe(first);
    expect(second).toMatchObject({ rps: 50, p95Ms: 9 });
  });

  it('keeps separate memories per selector', () => {
    const { store } = storeWith(nodes, edges);
    const one = summedStatsSelector(['a->x']);
    const other = summedStatsSelector(['b->x']);
    expect(one(store.getState())?.rps).toBe(10);
    expect(other(store.getState())?.rps).toBe(30);
    expect(one(store.getState())?.rps).toBe(10);
  });

  it('is undefined for edges without stats, and NO_METRICS through nodeMetricsSelector', () => {
    const { store } = storeWith(nodes, [edge('a', 'x'), edge('x', 'y', { stats: stats(3, 0, 1) })]);
    expect(summedStatsSelector(['a->x'])(store.getState())).toBeUndefined();
    const select = nodeMetricsSelector(['a->x'], ['x->y']);
    expect(select(store.getState())).toBe(NO_METRICS);
    // For a node nothing calls, its outbound edges stand in.
    expect(nodeMetricsSelector([], ['x->y'])(store.getState())).toMatchObject({ rps: 3 });
  });

  it('returns the same NodeMetrics object from nodeMetricsSelector while the numbers are equal', () => {
    const { store, feed } = storeWith(nodes, edges);
    const select = nodeMetricsSelector(['a->x', 'b->x'], []);
    const first = select(store.getState());
    feed({ type: 'edge-stats', id: 'a->y', stats: stats(7, 0, 1) });
    expect(select(store.getState())).toBe(first);
  });
});

describe('groupStatusSelector', () => {
  const members = ['f-0', 'f-1', 'f-2', 'f-3'];
  const nodes = [
    node('f-0', 'fetcher'),
    node('f-1', 'fetcher'),
    node('f-2', 'fetcher', { status: 'degraded' }),
    node('f-3', 'fetcher', { status: 'starting' }),
    node('other', 'db'),
  ];

  it('counts members by status and names the worst', () => {
    const { store } = storeWith(nodes, []);
    const summary = groupStatusSelector(members)(store.getState());
    expect(summary.counts).toEqual(counts({ healthy: 2, degraded: 1, starting: 1 }));
    expect(summary.worst).toBe('degraded');
    expect(summary.present).toBe(4);
  });

  it('returns the same object while the counts are equal', () => {
    const { store, feed } = storeWith(nodes, []);
    const select = groupStatusSelector(members);
    const first = select(store.getState());

    // A node outside the group changes.
    feed({ type: 'node-status', id: 'other', status: 'down' });
    expect(select(store.getState())).toBe(first);
    // Two members swap statuses: the counts stay the same.
    feed({ type: 'node-status', id: 'f-0', status: 'degraded' }, { type: 'node-status', id: 'f-2', status: 'healthy' });
    expect(select(store.getState())).toBe(first);
    // A member's label changes, not its status.
    feed({ type: 'node-upsert', node: node('f-1', 'fetcher', { label: 'Fetcher one' }) });
    expect(select(store.getState())).toBe(first);

    feed({ type: 'node-status', id: 'f-1', status: 'down' });
    const second = select(store.getState());
    expect(second).not.toBe(first);
    expect(second.worst).toBe('down');
    expect(second.counts).toEqual(counts({ healthy: 1, degraded: 1, down: 1, starting: 1 }));
  });

  it('counts only members present, and changes when one leaves', () => {
    const { store, feed } = storeWith(nodes, []);
    const select = groupStatusSelector([...members, 'not-yet']);
    const first = select(store.getState());
    expect(first.present).toBe(4);
    feed({ type: 'node-delete', id: 'f-3' });
    const second = select(store.getState());
    expect(second).not.toBe(first);
    expect(second.present).toBe(3);
    expect(second.counts.starting).toBe(0);
  });

  it('is an empty, unknown summary for a group with no member present', () => {
    const { store } = storeWith([node('other', 'db')], []);
    const select = groupStatusSelector(['gone-1', 'gone-2']);
    const summary = select(store.getState());
    expect(summary).toEqual({ counts: counts({}), worst: 'unknown', present: 0 });
  });
});

describe('worstStatus', () => {
  it.each([
    [counts({ healthy: 5, down: 1, degraded: 2 }), 'down'],
    [counts({ healthy: 5, degraded: 2, starting: 1 }), 'degraded'],
    [counts({ healthy: 5, starting: 1, unknown: 3 }), 'starting'],
    [counts({ healthy: 5, unknown: 1 }), 'unknown'],
    [counts({ healthy: 5 }), 'healthy'],
    [counts({}), 'unknown'],
  ] as const)('%o → %s', (given, worst) => {
    expect(worstStatus(given)).toBe(worst);
  });
});
