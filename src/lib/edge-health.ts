import type { EdgeStats } from '../protocol/mesh.ts';
import { formatMs, formatPercent, formatRate } from './format.ts';

export type EdgeHealth = 'idle' | 'ok' | 'degraded' | 'failing';

/** Past these, an edge is shown degraded (amber) or failing (red). */
const EDGE_THRESHOLDS = {
  degradedErrorRate: 0.01,
  failingErrorRate: 0.05,
  degradedP95Ms: 750,
} as const;

export function edgeHealth(stats: EdgeStats | undefined): EdgeHealth {
  if (!stats || stats.rps === 0) return stats && stats.errorRate > 0 ? 'failing' : 'idle';
  if (stats.errorRate >= EDGE_THRESHOLDS.failingErrorRate) return 'failing';
  if (stats.errorRate > EDGE_THRESHOLDS.degradedErrorRate || stats.p95Ms >= EDGE_THRESHOLDS.degradedP95Ms) return 'degraded';
  return 'ok';
}

/** Stroke width grows with the log of throughput: 1 req/s and 10k req/s both stay legible. */
export function edgeWidth(stats: EdgeStats | undefined): number {
  if (!stats || stats.rps <= 0) return 1.25;
  return Math.min(6, 1.25 + Math.log10(1 + stats.rps) * 1.2);
}

/** `412/s`, then the error rate past 1 %, then p95 when it is what is wrong. */
export function edgeLabel(stats: EdgeStats): string {
  const parts = [formatRate(stats.rps)];
  if (stats.errorRate > EDGE_THRESHOLDS.degradedErrorRate) parts.push(`${formatPercent(stats.errorRate)} err`);
  if (stats.p95Ms >= EDGE_THRESHOLDS.degradedP95Ms) parts.push(`p95 ${formatMs(stats.p95Ms)}`);
  return parts.join(' · ');
}

export function edgeTitle(stats: EdgeStats): string {
  return `${formatRate(stats.rps)} · ${formatPercent(stats.errorRate)} errors · p95 ${formatMs(stats.p95Ms)}`;
}
