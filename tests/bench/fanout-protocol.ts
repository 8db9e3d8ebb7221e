/**
 * What the fan-out bench's parent process (servers, publisher) and its client
 * worker processes (fanout-clients.ts) say to each other over the IPC channel
 * of `child_process.fork`, and the latency histogram both sides share.
 */

/** Which server the workers' clients talk to; one client harness for both. */
export type FanoutSystem = 'meshwatch' | 'socketio';

/**
 * How a meshwatch client reads a frame: `json` is JSON.parse and a walk over
 * the envelopes (what socket.io-client does with its packets, so the two
 * harnesses cost alike); `validate` is `decodeServerFrame`, what the browser
 * does (zod on every envelope).
 */
export type FanoutDecode = 'json' | 'validate';

export type ParentCommand =
  | {
      type: 'open';
      system: FanoutSystem;
      /** Client `k` (counted across all workers from `firstIndex`) connects to `urls[k % urls.length]`. */
      urls: string[];
      count: number;
      firstIndex: number;
      project: string;
      decode: FanoutDecode;
    }
  /** Count what arrives from `from` to `to` (wall clock, ms since the Unix epoch). */
  | { type: 'measure'; from: number; to: number }
  /** Answer with a `report` of the window. */
  | { type: 'report' };

export type WorkerMessage =
  /** The worker listens for commands. */
  | { type: 'ready' }
  | { type: 'opened'; clients: number }
  | { type: 'failed'; error: string }
  /** Sent every PROGRESS_INTERVAL_MS: the lowest last seq among the worker's open clients (for flow control). */
  | { type: 'progress'; minSeq: number }
  | { type: 'report'; report: ClientReport };

/** What a worker's clients received in the measured window (gaps, duplicates, coalesced and lost clients: since they joined). */
export interface ClientReport {
  /** Envelopes received, summed over the worker's clients (duplicates excluded). */
  delivered: number;
  /** WebSocket messages that carried envelopes (meshwatch batches; socket.io events). */
  frames: number;
  /** Seqs skipped (a later seq arrived first), summed over clients; includes what the gateway coalesced. */
  gaps: number;
  /** Envelopes whose seq the client had already passed. */
  duplicates: number;
  /** Stats messages the gateway said it coalesced (batch `coalesced`). */
  coalesced: number;
  /** Envelopes `decodeServerFrame` rejected (validate mode only). */
  rejected: number;
  /** Clients whose connection ended while the bench ran, by close code or reason. */
  lostClients: Record<string, number>;
  /** CPU time of the worker process (user + system) from its first frame in the window to its first past it. */
  cpuMs: number;
  /** The wall-clock time `cpuMs` was taken over. */
  cpuElapsedMs: number;
  /** Latency histogram, sparse: [milliseconds, count] pairs. */
  latency: Array<[number, number]>;
}

export const PROGRESS_INTERVAL_MS = 25;

/** Latencies at or past this are counted in the last bucket. */
const MAX_LATENCY_MS = 120_000;

/**
 * Publish → receipt latencies in whole milliseconds: both ends read
 * `Date.now()`, so finer buckets would only show clock rounding.
 * A bucket per millisecond costs 480 KB and makes recording one array store,
 * which matters at millions of envelopes per second.
 */
export class LatencyHistogram {
  private counts = new Uint32Array(MAX_LATENCY_MS + 1);
  total = 0;

  record(ms: number): void {
    const bucket = ms <= 0 ? 0 : ms >= MAX_LATENCY_MS ? MAX_LATENCY_MS : Math.round(ms);
    this.counts[bucket]!++;
    this.total++;
  }

  recordMany(ms: number, count: number): void {
    const bucket = ms <= 0 ? 0 : ms >= MAX_LATENCY_MS ? MAX_LATENCY_MS : Math.round(ms);
    this.counts[bucket]! += count;
    this.total += count;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }

  toSparse(): Array<[number, number]> {
    const pairs: Array<[number, number]> = [];
    for (let ms = 0; ms < this.counts.length; ms++) if (this.counts[ms]! > 0) pairs.push([ms, this.counts[ms]!]);
    return pairs;
  }

  addSparse(pairs: ReadonlyArray<readonly [number, number]>): void {
    for (const [ms, count] of pairs) this.recordMany(ms, count);
  }

  /** The smallest latency at or under which a fraction `p` of the samples fall; NaN when empty. */
  percentile(p: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(p * this.total));
    let seen = 0;
    for (let ms = 0; ms < this.counts.length; ms++) {
      seen += this.counts[ms]!;
      if (seen >= rank) return ms;
    }
    return MAX_LATENCY_MS;
  }

  max(): number {
    for (let ms = this.counts.length - 1; ms >= 0; ms--) if (this.counts[ms]! > 0) return ms;
    return Number.NaN;
  }
}
