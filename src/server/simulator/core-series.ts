/**
 * The series every crawl dashboard charts, one point each per tick: crawl
 * throughput and error rate, queue depth (Kafka lag) and Postgres health,
 * then each core service's own numbers (see SERVICE_SERIES), enough for a
 * dashboard of a dozen panels. Each is a bounded random walk pulled towards
 * what the mesh's state implies, so a crashed fetcher shows up as a dip in
 * pages and a bump in errors, and a degraded edge as a latency bump on both
 * its ends. A service that is down reports nothing: its series stop.
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

/**
 * Per-service series, grouped by their names into dashboard panels
 * (`redis:stats/hit_ratio` → panel `redis:stats`), each owned by the node
 * that reports it.
 */
export const SERVICE_SERIES = {
  'gateway/requests_per_s': 'api',
  'gateway/p95_ms': 'api',
  'frontier/urls_per_s': 'frontier',
  'frontier/queue_ms': 'frontier',
  'dns/lookups_per_s': 'dns',
  'dns/p95_ms': 'dns',
  'robots/hit_ratio': 'robots',
  'robots/fetches_per_s': 'robots',
  'kafka:lag/consumer_lag': 'kafka',
  'kafka:lag/bytes_in_per_s': 'kafka',
  'redis:stats/ops_per_s': 'redis',
  'redis:stats/hit_ratio': 'redis',
  'indexer/docs_per_s': 'indexer',
  'indexer/batch_ms': 'indexer',
  'search/queries_per_s': 'search',
  'search/query_p95_ms': 'search',
  'storage/bytes_written': 'object-storage',
  'storage/objects_per_s': 'object-storage',
} as const satisfies Record<string, string>;
type ServiceSeriesName = keyof typeof SERVICE_SERIES;

/** Bytes per crawled page, compressed, as Kafka and object storage see them. */
const BYTES_PER_PAGE = 48 * 1024;

/** The core series' current values, written one point each per tick. */
export class CoreSeries {
  queueDepth = 3_000;
  private pgConnections = 110;
  private cacheHitRatio = 0.992;
  private gatewayP95 = 45;
  private frontierQueueMs = 120;
  private robotsHitRatio = 0.97;
  private redisHitRatio = 0.93;
  private indexerBatchMs = 180;
  private searchP95 = 35;
  private searchQueries = 40;

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
    this.writeServices(t, pages);
  }

  /** One point per service series at `t`, skipping services that are down. */
  private writeServices(t: number, pages: number): void {
    const r = this.random;
    const walk = (value: number, target: number, spread: number, min: number, max: number) =>
      clamp(value + (target - value) * 0.2 + r.wobble() * spread, min, max);
    const jitter = (value: number, spread = 0.05) => Math.max(0, value * (1 + spread * r.wobble()));
    const slowed = (id: string) => (this.mesh.edgesOf(id).some((edge) => edge.degraded) ? 2.5 : 1);

    this.gatewayP95 = walk(this.gatewayP95, 45 * slowed('api'), 3, 5, 5_000);
    this.frontierQueueMs = walk(this.frontierQueueMs, 60 + this.queueDepth / 40, 8, 1, 60_000);
    this.robotsHitRatio = walk(this.robotsHitRatio, 0.97, 0.004, 0.5, 0.999);
    this.redisHitRatio = walk(this.redisHitRatio, 0.93, 0.006, 0.5, 0.999);
    this.indexerBatchMs = walk(this.indexerBatchMs, 180 * slowed('indexer'), 12, 10, 60_000);
    this.searchP95 = walk(this.searchP95, 35 * slowed('search'), 2.5, 2, 10_000);
    this.searchQueries = walk(this.searchQueries, 40, 3, 0, 10_000);
    // What Kafka archives to the bucket this second, as a StatsD-style counter flushed once a second.
    const archived = jitter(pages * 0.97 * BYTES_PER_PAGE, 0.1);

    this.service(t, 'gateway/requests_per_s', round(jitter(150 * this.mesh.intensity), 1));
    this.service(t, 'gateway/p95_ms', Math.round(this.gatewayP95));
    this.service(t, 'frontier/urls_per_s', round(jitter(pages * 1.05), 1));
    this.service(t, 'frontier/queue_ms', Math.round(this.frontierQueueMs));
    this.service(t, 'dns/lookups_per_s', round(jitter(pages * 0.3, 0.1), 1));
    this.service(t, 'dns/p95_ms', Math.round(jitter(14 * slowed('dns'), 0.1)));
    this.service(t, 'robots/hit_ratio', round(this.robotsHitRatio, 4));
    this.service(t, 'robots/fetches_per_s', round(jitter(pages * 0.1 * (1 - this.robotsHitRatio) * 10, 0.15), 2));
    this.service(t, 'kafka:lag/consumer_lag', Math.round(jitter(this.queueDepth * 0.8, 0.03)));
    this.service(t, 'kafka:lag/bytes_in_per_s', Math.round(archived));
    this.service(t, 'redis:stats/ops_per_s', Math.round(jitter(pages * 38)));
    this.service(t, 'redis:stats/hit_ratio', round(this.redisHitRatio, 4));
    this.service(t, 'indexer/docs_per_s', round(jitter(pages * 0.82), 1));
    this.service(t, 'indexer/batch_ms', Math.round(this.indexerBatchMs));
    this.service(t, 'search/queries_per_s', round(this.searchQueries, 1));
    this.service(t, 'search/query_p95_ms', Math.round(this.searchP95));
    this.service(t, 'storage/bytes_written', Math.round(archived * (1 + 0.02 * r.wobble())));
    this.service(t, 'storage/objects_per_s', round(jitter(pages * 0.97), 1));
  }

  private service(t: number, series: ServiceSeriesName, y: number): void {
    const nodeId = SERVICE_SERIES[series];
    const status = this.mesh.statusOf(nodeId);
    if (status === undefined || status === 'down') return;
    this.emit({ type: 'chart-point', series, nodeId, value: { t, y } });
  }

  private point(t: number, series: (typeof CORE_SERIES)[number], y: number, nodeId?: string): void {
    const payload: Payload = { type: 'chart-point', series, value: { t, y } };
    if (nodeId !== undefined) payload.nodeId = nodeId;
    this.emit(payload);
  }
}

