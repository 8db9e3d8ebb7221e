/**
 * Live numbers derived from edge stats, selected per drawn node or edge so a
 * component re-renders only when its own numbers change. Each selector keeps
 * its last answer and returns it while the numbers are equal: the store
 * replaces `edges` on every stats message, but most nodes' sums stay the same.
 */
import type { EdgeStats, MeshEdge, NodeStatus } from '../../protocol/mesh.ts';
import { NODE_STATUSES } from '../../protocol/mesh.ts';
import type { RealtimeState } from '../../store/realtime.ts';

export interface NodeMetrics {
  /** Requests per second the node serves (its inbound edges), or sends when nothing calls it. */
  rps: number;
  /** Errors per request over the same edges, weighted by their traffic. */
  errorRate: number;
  /** The worst p95 over the same edges: a merged percentile cannot be computed, the worst one is honest. */
  p95Ms: number;
}

export const NO_METRICS: NodeMetrics = Object.freeze({ rps: 0, errorRate: 0, p95Ms: 0 });

/** Sums the stats of `ids`: traffic added, errors weighted by traffic, the worst p95. Undefined when none has stats. */
export function sumStats(edges: Readonly<Record<string, MeshEdge>>, ids: readonly string[]): EdgeStats | undefined {
  let rps = 0;
  let errors = 0;
  let errorRateSum = 0;
  let p95Ms = 0;
  let counted = 0;
  for (const id of ids) {
    const stats = edges[id]?.stats;
    if (!stats) continue;
    counted++;
    rps += stats.rps;
    errors += stats.rps * stats.errorRate;
    errorRateSum += stats.errorRate;
    if (stats.p95Ms > p95Ms) p95Ms = stats.p95Ms;
  }
  if (counted === 0) return undefined;
  // With no traffic at all, the plain mean says whether the idle edges fail.
  const errorRate = rps > 0 ? errors / rps : errorRateSum / counted;
  return { rps, errorRate: Math.min(1, errorRate), p95Ms };
}

export function sameStats(a: EdgeStats | undefined, b: EdgeStats | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.rps === b.rps && a.errorRate === b.errorRate && a.p95Ms === b.p95Ms);
}

/** A node's metrics from its inbound edges (or outbound, for a node nothing calls). */
export function nodeMetrics(edges: Readonly<Record<string, MeshEdge>>, inbound: readonly string[], outbound: readonly string[]): NodeMetrics {
  return sumStats(edges, inbound.length > 0 ? inbound : outbound) ?? NO_METRICS;
}

/** A selector of summed stats that returns its previous object while the sums are equal. */
export function summedStatsSelector(ids: readonly string[]): (state: RealtimeState) => EdgeStats | undefined {
  let lastEdges: RealtimeState['edges'] | null = null;
  let last: EdgeStats | undefined;
  return (state) => {
    if (state.edges === lastEdges) return last;
    lastEdges = state.edges;
    const next = sumStats(state.edges, ids);
    if (!sameStats(next, last)) last = next;
    return last;
  };
}

export function nodeMetricsSelector(inbound: readonly string[], outbound: readonly string[]): (state: RealtimeState) => NodeMetrics {
  const summed = summedStatsSelector(inbound.length > 0 ? inbound : outbound);
  return (state) => summed(state) ?? NO_METRICS;
}

export type StatusCounts = Readonly<Record<NodeStatus, number>>;

/** How many of `ids` are in each status, and the worst status among them; stable while the counts are. */
export function groupStatusSelector(ids: readonly string[]): (state: Pick<RealtimeState, 'nodes'>) => { counts: StatusCounts; worst: NodeStatus; present: number } {
  let lastNodes: RealtimeState['nodes'] | null = null;
  let last = { counts: countsOf([]), worst: 'unknown' as NodeStatus, present: 0 };
  return (state) => {
    if (state.nodes === lastNodes) return last;
    lastNodes = state.nodes;
    const counts: Record<NodeStatus, number> = { healthy: 0, degraded: 0, down: 0, starting: 0, unknown: 0 };
    let present = 0;
    for (const id of ids) {
      const node = state.nodes[id];
      if (!node) continue;
      counts[node.status]++;
      present++;
    }
    if (present !== last.present || NODE_STATUSES.some((s) => counts[s] !== last.counts[s])) {
      last = { counts, worst: worstStatus(counts), present };
    }
    return last;
  };
}

function countsOf(statuses: readonly NodeStatus[]): StatusCounts {
  const counts: Record<NodeStatus, number> = { healthy: 0, degraded: 0, down: 0, starting: 0, unknown: 0 };
  for (const s of statuses) counts[s]++;
  return counts;
}

/** Worst first: what a group's box is coloured by. */
const SEVERITY_ORDER: readonly NodeStatus[] = ['down', 'degraded', 'starting', 'unknown', 'healthy'];

export function worstStatus(counts: StatusCounts): NodeStatus {
  for (const status of SEVERITY_ORDER) if (counts[status] > 0) return status;
  return 'unknown';
}
