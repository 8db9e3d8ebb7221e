/**
 * What `GET /metrics` answers: the gateway's counters and sizes, the publish
 * endpoint's, rates over the last ~10 s, and the process's memory and
 * event-loop lag, in Prometheus' text format. No label says which connection,
 * user or project: a label value per project would make every scrape (and
 * the scraper's storage) grow with them. Per-connection costs are a
 * distribution instead (`meshwatch_connection_buffered_bytes`).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { SNAPSHOT_REASONS } from '../../protocol/frames.ts';
import type { Gateway, GatewayStats } from '../gateway.ts';
import type { PublishEndpoint } from '../http/publish-endpoint.ts';
import type { SharedStreamStats } from '../scale/shared-streams.ts';
import { realScheduler, type Cancel, type Scheduler } from '../scheduler.ts';
import { histogramOf, PrometheusWriter, type Sample } from './prometheus.ts';
import { RateSampler } from './rate-sampler.ts';

/** Where the numbers come from. */
export interface GatewayMetricsSources {
  gateway: Pick<Gateway, 'stats' | 'connectionBufferedBytes'>;
  publishEndpoint?: Pick<PublishEndpoint, 'stats'> | null;
  /** Running simulations, when the server simulates. */
  simulations?: { readonly size: number } | null;
}

/** Options of `new GatewayMetrics`; every one has a default. */
export interface GatewayMetricsOptions {
  /** Monotonic time, and the timer that samples counters for the rates. Default `realScheduler`. */
  scheduler?: Scheduler;
  /** How far back the `_per_second` gauges look. Default 10 000 ms. */
  rateWindowMs?: number;
  /** How often counters are sampled between scrapes. Default 1 000 ms. */
  sampleIntervalMs?: number;
  /** Memory, uptime and event-loop lag of this process. Default true. */
  processMetrics?: boolean;
}

/** Upper bounds of the buffered-bytes buckets: up to the gateway's default soft (1 MiB) and hard (8 MiB) limits. */
export const BUFFERED_BYTES_BUCKETS = [1024, 16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024, 8 * 1024 * 1024] as const;

/** Close codes of connections refused at the door, with the AccessCounters field that counts each. */
const REFUSALS = [
  { code: 4401, reason: 'unauthorized', field: 'unauthorized' },
  { code: 4403, reason: 'forbidden', field: 'forbidden' },
  { code: 4404, reason: 'unknown-project', field: 'unknownProject' },
  { code: 4429, reason: 'connection-limit', field: 'connectionLimit' },
] as const satisfies readonly { code: number; reason: string; field: keyof GatewayStats['refused'] }[];

type RatedCounter = 'messagesPublished' | 'messagesSent' | 'framesSent';
const NS_PER_S = 1e9;
/** How often the event-loop monitor's timer fires. */
const EVENT_LOOP_RESOLUTION_MS = 10;

/** Renders the metrics on each `render()`; `close()` stops its sampling timer and the event-loop monitor. */
export class GatewayMetrics {
  private readonly scheduler: Scheduler;
  private readonly rates: RateSampler<RatedCounter>;
  private readonly stopSampling: Cancel;
  private readonly eventLoop: IntervalHistogram | null;
  /** Read once: computed at each scrape, it would wobble by the clocks' rounding. */
  private readonly processStartSeconds = Math.round(Date.now() / 1000 - process.uptime());

  constructor(
    private readonly sources: GatewayMetricsSources,
    options: GatewayMetricsOptions = {},
  ) {
    this.scheduler = options.scheduler ?? realScheduler;
    this.rates = new RateSampler({ windowMs: options.rateWindowMs ?? 10_000 });
    // The base of the first rates: a scrape before the first timer tick still has one.
    this.sampleRates(sources.gateway.stats());
    // Sampled between scrapes too, so a rate covers the last window rather than the time since the previous scrape.
    this.stopSampling = this.scheduler.setInterval(() => this.sampleRates(this.sources.gateway.stats()), options.sampleIntervalMs ?? 1_000);
    this.eventLoop = options.processMetrics === false ? null : monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
    this.eventLoop?.enable();
  }

  /** The exposition, for a response with PROMETHEUS_CONTENT_TYPE. */
  render(): string {
    const stats = this.sources.gateway.stats();
    const rates = this.sampleRates(stats);
    const out = new PrometheusWriter();
    writeGateway(out, stats, rates, this.sources.simulations?.size ?? 0);
    writeBuffered(out, this.sources.gateway.connectionBufferedBytes());
    writePublishEndpoint(out, stats, this.sources.publishEndpoint?.stats() ?? null);
    if (stats.shared) writeShared(out, stats.shared);
    if (this.eventLoop) {
      writeProcess(out, this.eventLoop, this.processStartSeconds);
      // Lag since the previous scrape: one stall long ago must not hide in every later p99.
      this.eventLoop.reset();
    }
    return out.toString();
  }

  close(): void {
    this.stopSampling();
    this.eventLoop?.disable();
  }

  private sampleRates(stats: GatewayStats): Record<RatedCounter, number> {
    return this.rates.observe(this.scheduler.now(), {
      messagesPublished: stats.messagesPublished,
      messagesSent: stats.messagesSent,
      framesSent: stats.framesSent,
    });
  }
}

function writeGateway(out: PrometheusWriter, stats: GatewayStats, rates: Record<RatedCounter, number>, simulations: number): void {
  out
    .gauge('meshwatch_gateway_info', 'The gateway process: its epoch and whether token auth is on. Always 1.', [
      { labels: { epoch: stats.epoch, auth: stats.authRequired ? 'on' : 'off' }, value: 1 },
    ])
    .gauge('meshwatch_connections', 'Open WebSocket connections, by mode: v1 (meshwatch.v1 subprotocol) or floor (seed 004, no subprotocol).', [
      { labels: { mode: 'v1' }, value: stats.connectionsByMode.v1 },
      { labels: { mode: 'floor' }, value: stats.connectionsByMode.floor },
    ])
    .gauge('meshwatch_rooms', 'Projects held in memory (rooms).', stats.rooms)
    .counter('meshwatch_rooms_dropped_total', 'Rooms dropped: idle, or evicted for another project.', stats.roomsDropped)
    .gauge('meshwatch_simulations', 'Simulated meshes running.', simulations)
    .counter('meshwatch_messages_published_total', 'Payloads published to the gateway and stamped with a seq (messages in).', stats.messagesPublished)
    .gauge('meshwatch_messages_published_per_second', 'Payloads published per second over the last ~10 s.', rates.messagesPublished)
    .counter('meshwatch_messages_sent_total', 'Envelopes sent to clients, in batches, replays and floor frames (messages out).', stats.messagesSent)
    .gauge('meshwatch_messages_sent_per_second', 'Envelopes sent per second over the last ~10 s.', rates.messagesSent)
    .counter('meshwatch_frames_sent_total', 'WebSocket frames sent to clients.', stats.framesSent)
    .gauge('meshwatch_frames_sent_per_second', 'Frames sent per second over the last ~10 s.', rates.framesSent)
    .counter('meshwatch_sent_chars_total', 'Characters of the frames sent (UTF-16 code units: bytes for ASCII JSON).', stats.charsSent)
    .counter('meshwatch_messages_dropped_total', 'Envelopes queued for a connection but never sent: it closed, or a snapshot superseded them.', stats.messagesDropped)
    .counter('meshwatch_messages_coalesced_total', 'Stats messages left out of a slow reader\'s batches for a later value of the same series.', stats.messagesCoalesced)
    .counter('meshwatch_slow_consumers_degraded_total', 'Connections whose send buffer passed the soft limit: stats coalesced, flushes spaced out.', stats.slowConsumersDegraded)
    .counter('meshwatch_slow_consumers_closed_total', 'Connections closed with 4409: send buffer past the hard limit.', stats.slowConsumersClosed)
    .counter('meshwatch_client_messages_rejected_total', 'Client frames rejected: binary, not JSON, unknown, too big or out of turn.', stats.clientMessagesRejected)
    .counter('meshwatch_rate_limited_total', 'Connections closed with 4429 for sending too many messages.', stats.rateLimited)
    .counter(
      'meshwatch_connections_refused_total',
      'Connections refused by close code: 4401 token, 4403 project not allowed, 4404 unknown project, 4429 connection limit.',
      REFUSALS.map(({ code, reason, field }): Sample => ({ labels: { code: String(code), reason }, value: stats.refused[field] })),
    )
    .counter('meshwatch_publishes_refused_total', 'Payloads the gateway refused to publish: a topology cap, too many projects, or closing.', stats.publishesRefused)
    .counter('meshwatch_replays_total', 'Reconnecting clients caught up from the replay buffer instead of a snapshot.', stats.replays)
    .counter('meshwatch_replayed_messages_total', 'Envelopes sent in replays.', stats.replayedMessages)
    .counter(
      'meshwatch_snapshots_sent_total',
      'Snapshots sent, by why: new client, epoch changed, gap too old or too large, ahead, client requested, reset.',
      SNAPSHOT_REASONS.map((reason): Sample => ({ labels: { reason }, value: stats.snapshotReasons[reason] })),
    )
    .gauge('meshwatch_replay_buffer_chars', 'Characters of envelopes held by every project\'s replay buffer.', stats.replayChars);
}

/** Only on a gateway that shares its projects through Redis (`meshwatch serve --redis`). */
function writeShared(out: PrometheusWriter, shared: SharedStreamStats): void {
  out
    .counter('meshwatch_shared_appended_total', 'Payloads this gateway appended to the shared (Redis) streams.', shared.appended)
    .counter('meshwatch_shared_ingested_total', 'Messages read from the shared streams and fanned out here, whichever gateway published them.', shared.ingested)
    .counter('meshwatch_shared_loads_total', 'Projects loaded from a shared snapshot and stream: opened here, or reloaded after a gap.', shared.loads)
    .counter('meshwatch_shared_incomplete_loads_total', 'Loads that found the stream trimmed past the latest snapshot (some history lost).', shared.incompleteLoads)
    .counter('meshwatch_shared_snapshots_written_total', 'Snapshots this gateway wrote for other gateways to start from.', shared.snapshotsWritten)
    .counter('meshwatch_shared_errors_total', 'Failed Redis calls (retried or reported).', shared.errors)
    .counter('meshwatch_shared_unreadable_total', 'Shared stream entries this gateway could not read (shown as a warning event, or skipped).', shared.unreadable)
    .counter('meshwatch_shared_regressions_total', 'Times a project\'s seq counter in Redis had gone back (a restart from older data) and was raised.', shared.regressions)
    .gauge('meshwatch_shared_projects_followed', 'Projects whose shared stream this gateway reads.', shared.following);
}

function writeBuffered(out: PrometheusWriter, sizes: readonly number[]): void {
  out
    .histogram(
      'meshwatch_connection_buffered_bytes',
      'Unsent data per open connection (its queue and socket buffer) at the time of the scrape: a distribution over the current connections.',
      histogramOf(sizes, BUFFERED_BYTES_BUCKETS),
    )
    .gauge('meshwatch_connection_buffered_bytes_max', 'The most unsent data any open connection holds.', sizes.reduce((max, size) => Math.max(max, size), 0));
}

function writePublishEndpoint(out: PrometheusWriter, stats: GatewayStats, publish: ReturnType<PublishEndpoint['stats']> | null): void {
  out.counter('meshwatch_origins_refused_total', 'Requests refused with 403 because they came from another site\'s page, by endpoint.', [
    { labels: { endpoint: 'websocket' }, value: stats.originsRefused },
    { labels: { endpoint: 'publish' }, value: publish?.originsRefused ?? 0 },
  ]);
  if (!publish) return;
  out
    .counter('meshwatch_publish_messages_accepted_total', 'Payloads published through POST /api/projects/:id/publish.', publish.accepted)
    .counter('meshwatch_publish_messages_refused_total', 'Payloads of publish requests not published: invalid, or refused by the gateway.', publish.messagesRefused)
    .counter('meshwatch_publish_requests_rejected_total', 'Publish requests turned away: unreadable, invalid, too large, unauthorised or refused by the gateway.', publish.rejected);
}

function writeProcess(out: PrometheusWriter, eventLoop: IntervalHistogram, startSeconds: number): void {
  const memory = process.memoryUsage();
  // Node records the whole time between the monitor's timer callbacks, its interval included: the lag is what is past it.
  // An empty histogram (no callback yet) reports nonsense extremes, not zeros.
  const lag = (nanoseconds: number) => (eventLoop.count > 0 ? Math.max(0, nanoseconds / NS_PER_S - EVENT_LOOP_RESOLUTION_MS / 1000) : 0);
  out
    .gauge('process_resident_memory_bytes', 'Resident set size of the process.', memory.rss)
    .gauge('nodejs_heap_used_bytes', 'V8 heap in use.', memory.heapUsed)
    .gauge('nodejs_heap_total_bytes', 'V8 heap allocated.', memory.heapTotal)
    .gauge('nodejs_eventloop_lag_p99_seconds', '99th percentile of event-loop delay since the previous scrape.', lag(eventLoop.percentile(99)))
    .gauge('nodejs_eventloop_lag_max_seconds', 'Longest event-loop delay since the previous scrape.', lag(eventLoop.max))
    .gauge('process_uptime_seconds', 'Seconds since the process started.', Math.round(process.uptime() * 1000) / 1000)
    .gauge('process_start_time_seconds', 'When the process started, in seconds since the Unix epoch.', startSeconds);
}
