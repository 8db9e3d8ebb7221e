/** Builders shared by the store tests: payloads, envelopes, a notification counter and a seeded PRNG. */
import type { EdgeStats, MeshEdge, MeshNode, NodeStatus, Progress, Severity } from '../../src/protocol/mesh.ts';
import type { Envelope, Payload } from '../../src/protocol/messages.ts';
import { STORE_LIMITS, type RealtimeData, type RealtimeStore, type StoreLimits } from '../../src/store/realtime.ts';
import { prng } from '../support/prng.ts';

/** Bounds small enough to reach in a handful of messages. */
export const SMALL_LIMITS: StoreLimits = {
  maxEvents: 5,
  maxLogLinesPerNode: 4,
  maxPointsPerSeries: 3,
  maxSeries: 3,
  maxLogNodes: 2,
  maxProgress: 2,
  maxStatusHistoryPerNode: 3,
};
export { STORE_LIMITS };

export const BASE_TS = 1_700_000_000_000;

export const p = {
  node: (id: string, over: Partial<MeshNode> = {}): Payload => ({
    type: 'node-upsert',
    node: { id, label: id.toUpperCase(), kind: 'service', status: 'healthy', ...over },
  }),
  status: (id: string, status: NodeStatus): Payload => ({ type: 'node-status', id, status }),
  deleteNode: (id: string): Payload => ({ type: 'node-delete', id }),
  edge: (id: string, source: string, target: string, over: Partial<MeshEdge> = {}): Payload => ({
    type: 'edge-upsert',
    edge: { id, source, target, ...over },
  }),
  stats: (id: string, stats: EdgeStats): Payload => ({ type: 'edge-stats', id, stats }),
  deleteEdge: (id: string): Payload => ({ type: 'edge-delete', id }),
  event: (message: string, severity: Severity = 'info', nodeId?: string): Payload =>
    nodeId === undefined ? { type: 'event', message, severity } : { type: 'event', message, severity, nodeId },
  log: (nodeId: string, text: string, level?: Severity): Payload =>
    level === undefined ? { type: 'log-chunk', nodeId, text } : { type: 'log-chunk', nodeId, text, level },
  point: (series: string, y: number, t = y, nodeId?: string): Payload =>
    nodeId === undefined
      ? { type: 'chart-point', series, value: { t, y } }
      : { type: 'chart-point', series, value: { t, y }, nodeId },
  progress: (id: string, percent: number, status: Progress['status'] = 'running'): Payload => ({
    type: 'progress',
    progress: { id, label: id, percent, status },
  }),
};

/** Wraps payloads in envelopes with contiguous `seq`s from `firstSeq`, and `ts = BASE_TS + seq`. */
export function envelopes(payloads: readonly Payload[], firstSeq = 1): Envelope[] {
  return payloads.map((data, i) => ({ seq: firstSeq + i, ts: BASE_TS + firstSeq + i, data }));
}

export function envelope(data: Payload, seq = 1, ts = BASE_TS + seq): Envelope {
  return { seq, ts, data };
}

/** A stream-like sequence: each call continues the previous one's `seq`. */
export function sequencer(firstSeq = 1) {
  let seq = firstSeq;
  return (...payloads: Payload[]): Envelope[] => {
    const out = envelopes(payloads, seq);
    seq += payloads.length;
    return out;
  };
}

/** Counts store notifications; each is one call of every listener. */
export function countNotifications(store: RealtimeStore) {
  let count = 0;
  const unsubscribe = store.subscribe(() => {
    count++;
  });
  return {
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
    unsubscribe,
  };
}

/** The store's data without ids, which are per-store counters and not part of what was received. */
export function comparableData(state: RealtimeData) {
  return {
    nodes: state.nodes,
    edges: state.edges,
    events: state.events.map(({ id: _id, ...rest }) => rest),
    charts: state.charts,
    logs: Object.fromEntries(
      Object.entries(state.logs).map(([nodeId, lines]) => [nodeId, lines.map(({ id: _id, ...rest }) => rest)]),
    ),
    progress: state.progress,
    seriesByNode: state.seriesByNode,
    statusHistory: state.statusHistory,
    lastSeq: state.stream.lastSeq,
    received: state.stream.received,
  };
}

/** Only the data fields, deep-copied: a snapshot to compare a held state against later. */
export function cloneData(state: RealtimeData) {
  const { nodes, edges, events, charts, logs, progress, statusHistory, stream, topologyVersion } = state;
  return structuredClone({ nodes, edges, events, charts, logs, progress, statusHistory, stream, topologyVersion });
}

export { prng } from '../support/prng.ts';

const STATUSES: NodeStatus[] = ['healthy', 'degraded', 'down', 'starting', 'unknown'];
const SEVERITIES: Severity[] = ['debug', 'info', 'warn', 'error'];

/**
 * A deterministic stream over a small mesh that uses every message type,
 * including deletes of nodes that own edges, logs and series, re-adds, and
 * enough distinct series and log nodes to force evictions under small limits.
 */
export function mixedStream(seed: number, length: number): Payload[] {
  const rng = prng(seed);
  const nodeIds = Array.from({ length: 8 }, (_, i) => `n${i}`);
  const out: Payload[] = [];
  for (let i = 0; i < length; i++) {
    const a = rng.pick(nodeIds);
    const b = rng.pick(nodeIds);
    const roll = rng.int(100);
    if (roll < 8) out.push(p.node(a, { label: rng.pick(['A', 'B']), status: rng.pick(STATUSES), group: rng.pick(['g1', 'g2']) }));
    else if (roll < 16) out.push(p.status(a, rng.pick(STATUSES)));
    else if (roll < 19) out.push(p.deleteNode(a));
    else if (roll < 27) {
      const withStats = rng.next() < 0.5;
      out.push(p.edge(`${a}->${b}`, a, b, withStats ? { stats: { rps: rng.int(100), errorRate: rng.next(), p95Ms: rng.int(500) } } : {}));
    } else if (roll < 37) out.push(p.stats(`${a}->${b}`, { rps: rng.int(100), errorRate: rng.next(), p95Ms: rng.int(500) }));
    else if (roll < 40) out.push(p.deleteEdge(`${a}->${b}`));
    else if (roll < 52) out.push(p.event(`event ${i}`, rng.pick(SEVERITIES), rng.next() < 0.5 ? a : undefined));
    else if (roll < 70) {
      const lines = Array.from({ length: 1 + rng.int(3) }, (_, k) => `line ${i}.${k}`).join('\n');
      out.push(p.log(a, lines, rng.next() < 0.5 ? rng.pick(SEVERITIES) : undefined));
    } else if (roll < 95) {
      const metric = rng.pick(['rps', 'cpu', 'mem']);
      const owned = rng.next() < 0.7;
      out.push(p.point(owned ? `${a}.${metric}` : `global.${metric}`, rng.int(1000), i, owned ? a : undefined));
    } else out.push(p.progress(`job${rng.int(3)}`, rng.int(101), rng.pick(['running', 'complete', 'failed'] as const)));
  }
  return out;
}
