/**
 * The series every crawl dashboard charts, one point each per tick: crawl
 * throughput and error rate, queue depth (Kafka lag) and Postgres health.
 * Each is a bounded random walk pulled towards what the mesh's state implies,
 * so a crashed fetcher shows up as a dip in pages and a bump in errors.
 */
import type { Payload } from '../../protocol/messages.ts';
import type { Random } from '../../lib/prng.ts';
import { clamp, round, type SimulatedMesh } from './simulated-mesh.ts';

/** Series written every tick; `postgres.*` belong to node `postgres`, `queue.depth` to `kafka`. */
const CORE_SERIES = [
  'crawl.pages_per_sec',
  'crawl.error_rate',
  'queue.depth',
  'postgres.connections',
  'postgres.tps',
  'postgres.cache_hit_ratio',
] as const;

/** The core series' current values, written one point each per tick. */
export class CoreSeries {
  queueDepth = 3_000;
  private pgConnections = 110;
  private cacheHitRatio = 0.992;

  constructor(
    private readonly mesh: SimulatedMesh,
    private readonly random: Random,
    private readonly emit: (payload: Payload) => void,
  ) {}

  /** One point per series at time `t`. */
  write(t: number): void {
    const { mesh, random: r } = this;
    const pages = mesh.pagesPerSec();
    const down = mesh.fetchers.filter((id) => mesh.statusOf(id) === 'down').length;
    const degraded = mesh.edgeList.filter((edge) => edge.degraded).length;
    const queueTarget = 3_000 * mesh.intensity * (mesh.servingFetchers() / Math.max(1, mesh.baseFetchers));
    this.queueDepth = Math.max(0, this.queueDepth + (queueTarget - this.queueDepth) * 0.15 + r.wobble() * 300);
    const pgTarget = Math.min(290, 60 + mesh.fetchers.length * 1.5);
    this.pgConnections = clamp(this.pgConnections + (pgTarget - this.pgConnections) * 0.2 + r.wobble() * 6, 5, 300);
    this.cacheHitRatio = clamp(this.cacheHitRatio + (0.992 - this.cacheHitRatio) * 0.2 + r.wobble() * 0.002, 0.9, 0.9999);
    const errorRate = 0.018 + r.wobble() * 0.004 + 0.15 * (down / Math.max(1, mesh.fetchers.length)) + 0.03 * degraded;

    this.point(t, 'crawl.pages_per_sec', round(pages * (1 + 0.03 * r.wobble()), 1));
    this.point(t, 'crawl.error_rate', round(clamp(errorRate, 0, 1), 4));
    this.point(t, 'queue.depth', Math.round(this.queueDepth), 'kafka');
    this.point(t, 'postgres.connections', Math.round(this.pgConnections), 'postgres');
    this.point(t, 'postgres.tps', Math.round(Math.max(0, pages * 6.5 * (1 + 0.05 * r.wobble()))), 'postgres');
    this.point(t, 'postgres.cache_hit_ratio', round(this.cacheHitRatio, 4), 'postgres');
  }

  private point(t: number, series: (typeof CORE_SERIES)[number], y: number, nodeId?: string): void {
    const payload: Payload = { type: 'chart-point', series, value: { t, y } };
    if (nodeId !== undefined) payload.nodeId = nodeId;
    this.emit(payload);
  }
}
