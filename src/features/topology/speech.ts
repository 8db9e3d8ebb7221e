/**
 * What a screen reader says for a node or a group of nodes in the topology.
 *
 * The visible cards use compact forms (`4.1k/s`, `0.4 %`); read aloud those
 * become "4.1 k slash s", so these helpers spell units out and round numbers
 * the way a person would say them. Parts that carry no information are left
 * out rather than read: a 0 % error rate, a p95 of 0 ms, missing metrics.
 */
import { NODE_STATUSES, type MeshNode, type NodeStatus } from '../../protocol/mesh.ts';
import { formatCompact, formatMs, formatPercent } from '../../lib/format.ts';

export interface SpokenMetrics {
  rps: number;
  /** A ratio in [0, 1]. */
  errorRate: number;
  p95Ms: number;
}

/** `1.2k` → `1.2 thousand`, `3.0M` → `3 million`: the compact form, in words. */
export function speakNumber(value: number): string {
  return formatCompact(value)
    .replace(/\.0(?=k|M|$)/, '')
    .replace(/k$/, ' thousand')
    .replace(/M$/, ' million');
}

export function speakRate(rps: number): string {
  const spoken = speakNumber(rps);
  return `${spoken} ${spoken === '1' ? 'request' : 'requests'} per second`;
}

/** Undefined at 0 %: nearly every node has no errors, and saying so on every focus is noise. */
export function speakErrors(errorRate: number): string | undefined {
  if (!(errorRate > 0)) return undefined;
  // formatPercent shows one decimal below 10 %; anything that rounds to 0.0 still is not "no errors".
  if (errorRate < 0.0005) return 'under 0.1 percent errors';
  return `${formatPercent(errorRate).replace(/\.0 %$/, ' %').replace(/ %$/, ' percent')} errors`;
}

/** Undefined at 0 ms (no traffic measured yet). */
export function speakLatency(p95Ms: number): string | undefined {
  if (!(p95Ms > 0)) return undefined;
  const spoken = formatMs(p95Ms)
    .replace(/\.0 s$/, ' s')
    .replace(/ ms$/, ' milliseconds')
    .replace(/^1 s$/, '1 second')
    .replace(/ s$/, ' seconds');
  return `p95 latency ${spoken}`;
}

function speakMetrics(metrics: SpokenMetrics | null): string[] {
  if (!metrics) return [];
  return [speakRate(metrics.rps), speakErrors(metrics.errorRate), speakLatency(metrics.p95Ms)].filter(
    (part): part is string => part !== undefined,
  );
}

/**
 * "Fetcher 03, fetcher, degraded, 120 requests per second, 4 percent errors, p95 latency 87 milliseconds".
 * The label, or the id when the label is blank; the kind is skipped when it only repeats the name.
 */
export function describeNodeForSpeech(
  node: Pick<MeshNode, 'id' | 'label' | 'kind' | 'status'>,
  metrics: SpokenMetrics | null,
): string {
  const name = node.label.trim() || node.id;
  const parts = [name];
  if (node.kind.toLowerCase() !== name.toLowerCase()) parts.push(node.kind);
  parts.push(node.status, ...speakMetrics(metrics));
  return parts.join(', ');
}

/**
 * "fetchers, group of 48 nodes, 45 healthy, 3 degraded, 2.4 thousand requests per second, 1 percent errors, collapsed".
 * Statuses are said in the order of NODE_STATUSES, zero counts skipped. The
 * collapsed/expanded state is said only when `collapsed` is given.
 */
export function describeGroupForSpeech(
  group: string,
  count: number,
  statusCounts: Partial<Record<NodeStatus, number>>,
  metrics: SpokenMetrics | null,
  collapsed?: boolean,
): string {
  const parts = [group, `group of ${count} ${count === 1 ? 'node' : 'nodes'}`];
  for (const status of NODE_STATUSES) {
    const n = statusCounts[status] ?? 0;
    if (n > 0) parts.push(`${n} ${status}`);
  }
  parts.push(...speakMetrics(metrics));
  if (collapsed !== undefined) parts.push(collapsed ? 'collapsed' : 'expanded');
  return parts.join(', ');
}
