/**
 * Store throughput: how many messages per second each store folds in, with
 * its buffers already full and one subscriber attached, on a realistic mixed
 * stream over a 500-node mesh.
 *
 * The reference is seed 004's store, one `set` per message (what the seed's
 * hook did for every frame). Ours is `applyBatch`, fed in batches of what one
 * animation frame would carry. Both get the same pre-parsed envelopes, so
 * decoding is not part of either figure.
 */
import type { MeshEdge, MeshNode, NodeStatus, Severity } from '../../src/protocol/mesh.ts';
import type { SnapshotState } from '../../src/protocol/frames.ts';
import type { Envelope, Payload } from '../../src/protocol/messages.ts';
import { createRealtimeStore, STORE_LIMITS, type RealtimeState, type RealtimeStore } from '../../src/store/realtime.ts';
import { createSeedReferenceStore, type SeedReferenceStore, type RealtimeState as SeedState } from './seed-reference-store.ts';
import { prng } from '../support/prng.ts';

export interface BenchResult {
  name: string;
  messagesPerSecond: number;
  detail?: string;
}

export const REFERENCE_NAME = 'store: seed 004 reference, apply ×1';

const MESH = {
  nodes: 500,
  edgesPerNode: 3,
  /** Nodes with three series each (cpu, rps, p95): 60 series. */
  chartedNodes: 20,
  loggingNodes: 200,
  streamLength: 5_000,
} as const;

const MIX = { chartPoint: 35, logChunk: 25, edgeStats: 25, nodeStatus: 8, event: 7 } as const;
const METRICS = ['cpu', 'rps', 'p95'] as const;
const STATUSES: NodeStatus[] = ['healthy', 'healthy', 'healthy', 'degraded', 'down', 'starting'];
const SEVERITIES: Severity[] = ['debug', 'info', 'info', 'warn', 'error'];
const BASE_TS = 1_700_000_000_000;


// ---------------------------------------------------------------------------
// The workload
// ---------------------------------------------------------------------------

interface Workload {
  nodeIds: string[];
  edgeIds: string[];
  series: Array<{ series: string; nodeId: string }>;
  loggingNodes: string[];
  stream: Envelope[];
  /** Fresh objects on every call, so the two stores share nothing they might mutate. */
  prefill: () => SnapshotState;
}

function buildWorkload(seed = 4): Workload {
  const rng = prng(seed);
  const nodeIds = Array.from({ length: MESH.nodes }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
  const edgePairs = new Map<string, [string, string]>();
  for (const source of nodeIds) {
    const targets = new Set<string>();
    while (targets.size < MESH.edgesPerNode) {
      const target = rng.pick(nodeIds);
      if (target !== source) targets.add(target);
    }
    for (const target of targets) edgePairs.set(`${source}->${target}`, [source, target]);
  }
  const edgeIds = [...edgePairs.keys()];
  const chartedNodes = nodeIds.slice(0, MESH.chartedNodes);
  const series = chartedNodes.flatMap((nodeId) => METRICS.map((metric) => ({ series: `${nodeId}.${metric}`, nodeId })));
  const loggingNodes = nodeIds.filter((_, i) => i % Math.round(MESH.nodes / MESH.loggingNodes) === 0).slice(0, MESH.loggingNodes);

  const stats = () => ({ rps: Math.round(rng.next() * 5_000) / 10, errorRate: Math.round(rng.next() * 50) / 1_000, p95Ms: 5 + rng.int(400) });
  const stream: Envelope[] = [];
  for (let i = 0; i < MESH.streamLength; i++) {
    const roll = rng.int(100);
    const ts = BASE_TS + i * 2;
    let data: Payload;
    if (roll < MIX.chartPoint) {
      const s = rng.pick(series);
      data = { type: 'chart-point', series: s.series, nodeId: s.nodeId, value: { t: ts, y: Math.round(rng.next() * 1_000) / 10 } };
    } else if (roll < MIX.chartPoint + MIX.logChunk) {
      const nodeId = rng.pick(loggingNodes);
      data = { type: 'log-chunk', nodeId, text: `GET /api/v1/items/${rng.int(100_000)} 200 ${rng.int(300)}ms`, level: rng.pick(SEVERITIES) };
    } else if (roll < MIX.chartPoint + MIX.logChunk + MIX.edgeStats) {
      data = { type: 'edge-stats', id: rng.pick(edgeIds), stats: stats() };
    } else if (roll < MIX.chartPoint + MIX.logChunk + MIX.edgeStats + MIX.nodeStatus) {
      data = { type: 'node-status', id: rng.pick(nodeIds), status: rng.pick(STATUSES) };
    } else {
      data = { type: 'event', message: `event ${i}: ${rng.pick(['deploy', 'restart', 'scale', 'timeout'])}`, severity: rng.pick(SEVERITIES), nodeId: rng.pick(nodeIds) };
    }
    stream.push({ seq: i + 1, ts, data });
  }

  const prefill = (): SnapshotState => {
    const fill = prng(seed + 1);
    const nodes: MeshNode[] = nodeIds.map((id, i) => ({ id, label: `Service ${i}`, kind: i % 5 === 0 ? 'postgres' : 'fetcher', status: 'healthy', group: `pool-${i % 10}` }));
    const edges: MeshEdge[] = [...edgePairs].map(([id, [source, target]]) => ({ id, source, target, stats: { rps: 1, errorRate: 0, p95Ms: 10 } }));
    return {
      nodes,
      edges,
      progress: [],
      events: Array.from({ length: STORE_LIMITS.maxEvents }, (_, i) => ({ ts: BASE_TS - 10_000 + i, message: `earlier event ${i}`, severity: 'info' as const, nodeId: fill.pick(nodeIds) })),
      series: series.map(({ series: name, nodeId }) => ({
        series: name,
        nodeId,
        points: Array.from({ length: STORE_LIMITS.maxPointsPerSeries }, (_, i) => ({ t: BASE_TS - 10_000 + i, y: fill.int(100) })),
      })),
      logs: loggingNodes.map((nodeId) => ({
        nodeId,
        lines: Array.from({ length: STORE_LIMITS.maxLogLinesPerNode }, (_, i) => ({ ts: BASE_TS - 10_000 + i, level: 'info' as const, text: `earlier line ${i}` })),
      })),
    };
  };

  return { nodeIds, edgeIds, series, loggingNodes, stream, prefill };
}

// ---------------------------------------------------------------------------
// The two stores, pre-filled, each with a subscriber that reads as a view would
// ---------------------------------------------------------------------------

/** Reads what a few narrow views would: the newest event, one chart, one node, one edge. */
function makeView(workload: Workload) {
  const series = workload.series[0]!.series;
  const node = workload.nodeIds[0]!;
  const edge = workload.edgeIds[0]!;
  let sink = 0;
  let calls = 0;
  const read = (state: RealtimeState | SeedState) => {
    calls++;
    sink += state.events.length + (state.charts[series]?.length ?? 0) + (state.nodes[node] ? 1 : 0) + (state.edges[edge]?.stats?.rps ?? 0);
  };
  return { read, get calls() { return calls; }, get sink() { return sink; } };
}

function referenceStore(workload: Workload): SeedReferenceStore {
  const store = createSeedReferenceStore();
  const snap = workload.prefill();
  store.setState({
    nodes: Object.fromEntries(snap.nodes.map((n) => [n.id, n])),
    edges: Object.fromEntries(snap.edges.map((e) => [e.id, e])),
    events: snap.events.map(({ ts, message, severity, nodeId }) => ({ ts, message, severity, nodeId })).reverse(),
    charts: Object.fromEntries(snap.series.map((s) => [s.series, s.points])),
    logs: Object.fromEntries(snap.logs.map((l) => [l.nodeId, l.lines.map((line) => line.text)])),
  });
  return store;
}

function ourStore(workload: Workload): RealtimeStore {
  const store = createRealtimeStore();
  store.getState().applySnapshot({ epoch: 'bench', seq: 0, state: workload.prefill() });
  return store;
}

// ---------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------

interface Timed {
  messagesPerSecond: number;
  rounds: number;
  notifications: number;
}

/** One untimed round to warm up, then whole rounds until `seconds` have passed. */
function time(round: () => void, seconds: number, notifications: () => number): Timed {
  round();
  const before = notifications();
  const started = performance.now();
  let rounds = 0;
  do {
    round();
    rounds++;
  } while (performance.now() - started < seconds * 1_000);
  const elapsed = (performance.now() - started) / 1_000;
  return { messagesPerSecond: (rounds * MESH.streamLength) / elapsed, rounds, notifications: notifications() - before };
}

// ---------------------------------------------------------------------------
// Honesty: the stores must end up agreeing on everything both of them model
// ---------------------------------------------------------------------------

function minPerKey(stream: readonly Envelope[], key: (data: Payload) => string | null): number {
  const counts = new Map<string, number>();
  for (const { data } of stream) {
    const k = key(data);
    if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return Math.min(...counts.values());
}

function assertAgree(workload: Workload, reference: SeedState, ours: RealtimeState, label: string): void {
  const problems: string[] = [];
  const check = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`${what}: reference ${JSON.stringify(a)?.slice(0, 120)} vs ours ${JSON.stringify(b)?.slice(0, 120)}`);
  };
  // Every round is identical and each store ran at least two, so the tail of
  // every buffer that one round fills is the same in both, however many rounds each ran.
  const pointsPerRound = minPerKey(workload.stream, (d) => (d.type === 'chart-point' ? d.series : null));
  const linesPerRound = minPerKey(workload.stream, (d) => (d.type === 'log-chunk' ? d.nodeId : null));
  const eventsPerRound = workload.stream.filter((m) => m.data.type === 'event').length;

  check('node count', Object.keys(reference.nodes).length, Object.keys(ours.nodes).length);
  for (const id of workload.nodeIds) check(`status of ${id}`, reference.nodes[id]?.status, ours.nodes[id]?.status);
  check('edge count', Object.keys(reference.edges).length, Object.keys(ours.edges).length);
  for (const id of workload.edgeIds) check(`stats of ${id}`, reference.edges[id]?.stats, ours.edges[id]?.stats);
  check('event count', reference.events.length, ours.events.length);
  const event = (e: { ts: number; message: string; severity: string; nodeId?: string | undefined }) => [e.ts, e.message, e.severity, e.nodeId ?? null];
  check('newest events', reference.events.slice(0, Math.min(eventsPerRound, 2_000)).map(event), ours.events.slice(0, Math.min(eventsPerRound, 2_000)).map(event));
  check('series count', Object.keys(reference.charts).length, Object.keys(ours.charts).length);
  for (const { series } of workload.series) {
    check(`length of ${series}`, reference.charts[series]?.length, ours.charts[series]?.length);
    check(`newest points of ${series}`, reference.charts[series]?.slice(-pointsPerRound), ours.charts[series]?.slice(-pointsPerRound));
  }
  check('log node count', Object.keys(reference.logs).length, Object.keys(ours.logs).length);
  for (const nodeId of workload.loggingNodes) {
    check(`lines of ${nodeId}`, reference.logs[nodeId]?.length, ours.logs[nodeId]?.length);
    check(`newest lines of ${nodeId}`, reference.logs[nodeId]?.slice(-linesPerRound), ours.logs[nodeId]?.slice(-linesPerRound).map((l) => l.text));
  }
  // The buffers were full before timing and must still be at their caps.
  check('events at cap', STORE_LIMITS.maxEvents, ours.events.length);
  check('points at cap', STORE_LIMITS.maxPointsPerSeries, ours.charts[workload.series[0]!.series]?.length);
  check('lines at cap', STORE_LIMITS.maxLogLinesPerNode, ours.logs[workload.loggingNodes[0]!]?.length);
  if (problems.length > 0) {
    throw new Error(`store bench: ${label} and the reference disagree (${problems.length} differences):\n  ${problems.slice(0, 10).join('\n  ')}`);
  }
}

// ---------------------------------------------------------------------------

export function benchStoreThroughput(options: { seconds?: number; batchSize?: number } = {}): BenchResult[] {
  const seconds = options.seconds ?? 2;
  const frameBatch = options.batchSize ?? 100;
  const workload = buildWorkload();
  const { stream } = workload;

  const reference = referenceStore(workload);
  const referenceView = makeView(workload);
  reference.subscribe(referenceView.read);
  const ref = time(
    () => {
      const { apply } = reference.getState();
      for (let i = 0; i < stream.length; i++) apply(stream[i]!);
    },
    seconds,
    () => referenceView.calls,
  );
  const results: BenchResult[] = [
    {
      name: REFERENCE_NAME,
      messagesPerSecond: ref.messagesPerSecond,
      detail: `${ref.rounds} × ${stream.length}-message rounds, ${ref.notifications} notifications`,
    },
  ];

  const batchSizes = [...new Set([1, frameBatch, 1_000])].sort((a, b) => a - b);
  for (const batchSize of batchSizes) {
    const store = ourStore(workload);
    const view = makeView(workload);
    store.subscribe(view.read);
    const batches: Envelope[][] = [];
    for (let at = 0; at < stream.length; at += batchSize) batches.push(stream.slice(at, at + batchSize));
    const ours = time(
      () => {
        const { applyBatch } = store.getState();
        for (let i = 0; i < batches.length; i++) applyBatch(batches[i]!);
      },
      seconds,
      () => view.calls,
    );
    const label = `store: meshwatch applyBatch ×${batchSize}${batchSize === frameBatch ? ' (one frame)' : ''}`;
    assertAgree(workload, reference.getState(), store.getState(), label);
    if (ours.notifications !== ours.rounds * batches.length) {
      throw new Error(`store bench: ${label} notified ${ours.notifications} times for ${ours.rounds * batches.length} batches`);
    }
    results.push({
      name: label,
      messagesPerSecond: ours.messagesPerSecond,
      detail: `${ours.rounds} × ${stream.length}-message rounds, ${ours.notifications} notifications, ${(ours.messagesPerSecond / ref.messagesPerSecond).toFixed(1)}× the reference`,
    });
  }
  return results;
}
