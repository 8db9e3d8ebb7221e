/**
 * The fan-out bench's publishing side: the payloads (the simulator's stream),
 * one publisher per way of getting them to clients (the gateway in process,
 * the gateway's HTTP endpoint, socket.io one emit per message or batched),
 * and the pacer that feeds a publisher at a fixed rate or as fast as the
 * slowest client keeps up.
 *
 * Publish time: meshwatch's envelope `ts` is stamped by the gateway when it
 * takes the payload (in process: the publish call itself; over HTTP: when it
 * handles the POST). The socket.io publishers stamp the same envelope shape
 * with `Date.now()` just before the emit (or, batched, when the message joins
 * the batch). Clients subtract that `ts` from their own `Date.now()`.
 */
import type { Server as SocketIoServer } from 'socket.io';
import type { Envelope, Payload } from '../../src/protocol/messages.ts';
import type { Gateway } from '../../src/server/gateway.ts';
import { CrawlSimulator } from '../../src/server/simulator/simulator.ts';

/** Something that gets payloads to every client of one project. */
export interface FanoutPublisher {
  /** The seq of the last message published; what clients' progress is compared with. */
  readonly lastSeq: number;
  /**
   * Publishes `payloads` in order. An in-process publisher is fed one payload
   * at a time, so a tick can keep to its time budget; a `remote` one gets
   * everything due in one call and is waited for before the next.
   */
  publish(payloads: readonly Payload[]): void | Promise<void>;
  /** Publishes over the network (its `publish` returns a promise). */
  readonly remote?: boolean;
  /** Sends what it still holds (a pending batch) and stops its timers. */
  stop(): void;
}

/**
 * The simulator's stream (a 200-node crawler mesh), minus log chunks, which
 * the app subscribes to only for the node it shows: edge stats, chart points,
 * events, the odd node status and progress. `initial` is the topology.
 */
export function payloadPool(count: number, size = 200): { initial: Payload[]; stream: Payload[] } {
  const sim = new CrawlSimulator({ seed: 'fanout', size, ratePerSecond: 5_000, now: Date.now() });
  const initial = sim.initial();
  const stream: Payload[] = [];
  while (stream.length < count) for (const payload of sim.step(100)) if (payload.type !== 'log-chunk') stream.push(payload);
  return { initial, stream };
}

/** `gateway.publish` in this process, one payload at a time, as a simulator does. */
export function gatewayPublisher(gateway: Gateway, project: string): FanoutPublisher {
  return {
    get lastSeq() {
      return gateway.room(project)?.seq ?? 0;
    },
    publish(payloads) {
      for (const payload of payloads) {
        const outcome = gateway.publish(project, payload);
        if (!outcome.ok) throw new Error(`gateway refused a publish: ${outcome.reason}`);
      }
    },
    stop() {},
  };
}

/** Most payloads in one POST: well under the endpoint's 1 MiB body limit. */
const MAX_HTTP_BATCH = 2_000;

/**
 * `POST /api/projects/:id/publish` with every payload due as one array (one
 * request in flight at a time), as a real mesh's publisher would.
 */
export function httpPublisher(publishUrl: string): FanoutPublisher {
  let lastSeq = 0;
  return {
    remote: true,
    get lastSeq() {
      return lastSeq;
    },
    async publish(payloads) {
      for (let start = 0; start < payloads.length; start += MAX_HTTP_BATCH) {
        const response = await fetch(publishUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(payloads.slice(start, start + MAX_HTTP_BATCH)),
        });
        const body = (await response.json()) as { seq?: number; error?: string };
        if (response.status !== 202 || body.seq === undefined) throw new Error(`publish endpoint answered ${response.status}: ${body.error ?? ''}`);
        lastSeq = body.seq;
      }
    },
    stop() {},
  };
}

/** socket.io's plain broadcast: one `emit` per message to the project's room (socket.io batches nothing). */
export function socketIoPublisher(io: SocketIoServer, room: string): FanoutPublisher {
  let seq = 0;
  return {
    get lastSeq() {
      return seq;
    },
    publish(payloads) {
      const target = io.to(room);
      for (const data of payloads) {
        const envelope: Envelope = { seq: ++seq, ts: Date.now(), data };
        target.emit('m', envelope);
      }
    },
    stop() {},
  };
}

/**
 * socket.io with batching added by hand, shaped like the gateway's: a batch
 * (an array of envelopes in one emit) leaves `windowMs` after its first
 * message, or at once when it holds `maxBatch`.
 */
export function socketIoBatchedPublisher(io: SocketIoServer, room: string, windowMs = 100, maxBatch = 500): FanoutPublisher {
  let seq = 0;
  let batch: Envelope[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (batch.length === 0) return;
    io.to(room).emit('b', batch);
    batch = [];
  };
  return {
    get lastSeq() {
      return seq;
    },
    publish(payloads) {
      for (const data of payloads) {
        batch.push({ seq: ++seq, ts: Date.now(), data });
        if (batch.length >= maxBatch) flush();
      }
      if (batch.length > 0) timer ??= setTimeout(flush, windowMs);
    },
    stop: flush,
  };
}

/** What the publisher is asked for: a fixed rate, or as fast as the slowest client keeps up. */
export type Offered = { kind: 'rate'; perSecond: number } | { kind: 'max' };

const TICK_MS = 5;
/** Longest a tick publishes (in-process publishers); what is due past it is held back. */
const TICK_BUDGET_MS = 20;
/**
 * In max mode a tick publishes at most this share of `maxInFlight`: spread
 * over ticks, publishing keeps the pipeline fed instead of refilling it in one
 * burst each time the slowest client catches up (stop and go).
 */
const MAX_MODE_TICK_SHARE = 1 / 8;

/**
 * Feeds a publisher from the pool, every 5 ms. At a fixed rate it publishes
 * what is due since it started; in max mode, up to an eighth of
 * `maxInFlight` a tick (a ceiling far above what any case reaches). Either
 * way at most `maxInFlight` messages may be past the slowest open client's
 * last seq, and a tick publishes for at most 20 ms: a fixed-rate message
 * that would pass either is not published (counted in `heldBack`), so a
 * system that falls behind shows a published rate under the offered one
 * instead of filling memory or stalling the bench.
 */
export class Pacer {
  published = 0;
  heldBack = 0;
  private scheduled = 0;
  private next = 0;
  private acked: number;
  private startedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private stopped = false;
  private failure: unknown = null;

  constructor(
    private readonly publisher: FanoutPublisher,
    private readonly pool: readonly Payload[],
    private readonly offered: Offered,
    private readonly maxInFlight: number,
  ) {
    this.acked = publisher.lastSeq;
  }

  start(): void {
    this.startedAt = performance.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** The slowest open client's last seq, from the workers' progress reports. */
  acknowledge(seq: number): void {
    this.acked = Math.max(this.acked, seq);
  }

  /** Stops publishing; throws what a publish threw, if any. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.publisher.stop();
    if (this.failure) throw this.failure;
  }

  get inFlight(): number {
    return this.publisher.lastSeq - this.acked;
  }

  private tick(): void {
    if (this.busy || this.stopped) return;
    const room = Math.max(0, this.maxInFlight - this.inFlight);
    let due: number;
    let want: number;
    if (this.offered.kind === 'rate') {
      due = Math.floor((this.offered.perSecond * (performance.now() - this.startedAt)) / 1000) - this.scheduled;
      this.scheduled += due;
      want = Math.min(due, room);
    } else {
      due = 0;
      want = Math.min(room, Math.ceil(this.maxInFlight * MAX_MODE_TICK_SHARE));
    }
    try {
      if (this.publisher.remote) {
        if (want > 0) this.publishRemote(this.take(want));
        this.heldBack += Math.max(0, due - want);
        return;
      }
      // One payload at a time against the clock: socket.io writes to every socket inside each
      // emit (5 ms a message at 1,000 clients), and a tick that ran for seconds would stall the
      // timers that end the measurement along with everything else.
      const deadline = performance.now() + TICK_BUDGET_MS;
      let sent = 0;
      while (sent < want && performance.now() < deadline) {
        this.publisher.publish(this.take(1));
        sent++;
      }
      this.published += sent;
      this.heldBack += Math.max(0, due - sent);
    } catch (error) {
      this.fail(error);
    }
  }

  private take(count: number): Payload[] {
    const payloads: Payload[] = [];
    for (let i = 0; i < count; i++) {
      payloads.push(this.pool[this.next]!);
      this.next = (this.next + 1) % this.pool.length;
    }
    return payloads;
  }

  private publishRemote(payloads: Payload[]): void {
    this.busy = true;
    Promise.resolve(this.publisher.publish(payloads)).then(
      () => {
        this.busy = false;
        this.published += payloads.length;
      },
      (error: unknown) => this.fail(error),
    );
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }
}
