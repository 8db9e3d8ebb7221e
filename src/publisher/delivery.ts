/**
 * Getting queued payloads to the gateway, in order: one request in flight at
 * a time (so a retried batch can never be overtaken by a later one), a batch
 * every `batchIntervalMs` or as soon as one is full, retries with backoff for
 * whatever may pass later, and a report for whatever never will.
 *
 * Delivery is at least once: a request whose answer is lost (a timeout, a cut
 * connection) is sent again, and the gateway may then publish it twice.
 * Topology payloads are idempotent by key; a duplicated event, log chunk or
 * point is the price of not losing one.
 */
import type { Payload } from '../protocol/messages.ts';
import { PayloadQueue, utf8Length, type QueuedPayload } from './queue.ts';
import { retryDelay, type RetryPolicy } from './retry.ts';
import { abandonedAnswer, encodeBatch, FRAMING_BYTES, postBatch, type Answer, type BatchFormat, type RefusedMessage } from './transport.ts';

/** Payloads the gateway (or the publisher, giving up on them) refused, for `onError`. */
export interface PublishFailure {
  /** The HTTP status, or null when the batch got no answer (retries exhausted). */
  status: number | null;
  /** The gateway's reason, or what went wrong. */
  error: string;
  /** Per-message reasons, when the gateway gave them (`index` is the payload's position in its batch, not in `payloads`). */
  errors: RefusedMessage[];
  /** The refused payloads, in order. */
  payloads: Payload[];
}

/** The last thing that went wrong, for `stats()`. */
export interface LastError {
  status: number | null;
  message: string;
  /** When, in ms since the epoch. */
  at: number;
}

/** What a publisher has done since it was created. */
export interface PublisherStats {
  /** Payloads waiting or in flight. */
  queued: number;
  /** Payloads taken off the queue into a request (each counted once, however often it is retried). */
  sent: number;
  /** Payloads the gateway published. */
  accepted: number;
  /** Payloads refused: by the gateway (invalid, not allowed, over a cap), or given up on after `maxRetries`. */
  refused: number;
  /** Payloads dropped unsent: the oldest, past `maxQueue` or `maxQueueBytes`, or what a `close` with a timeout left behind. */
  dropped: number;
  /** Requests sent again after a failure. */
  retries: number;
  lastError: LastError | null;
}

/** Everything `Delivery` is told; `publisher.ts` fills in the defaults. */
export interface DeliverySettings {
  endpoint: string;
  token: () => string | null | undefined | Promise<string | null | undefined>;
  batchIntervalMs: number;
  maxBatch: number;
  maxBodyBytes: number;
  maxQueue: number;
  maxQueueBytes: number;
  format: BatchFormat;
  retry: RetryPolicy;
  requestTimeoutMs: number;
  onError: ((failure: PublishFailure) => void) | undefined;
  fetch: typeof globalThis.fetch;
  random: () => number;
  now: () => number;
}

interface FlushWaiter {
  /** Settled once no payload with an id below this is pending. */
  through: number;
  resolve: () => void;
}

/** A queued payload as it was handed over, for a failure report (the queue keeps only its JSON). */
function payloadOf(entry: QueuedPayload): Payload {
  return JSON.parse(entry.json) as Payload;
}

/** The queue and the loop that empties it. */
export class Delivery {
  private readonly queue: PayloadQueue;
  private inFlight: QueuedPayload[] | null = null;
  private nextId = 0;
  private bodyLimit: number;
  private batchTimer: ReturnType<typeof setTimeout> | null = null;
  private batchTimerImmediate = false;
  private waiters: FlushWaiter[] = [];
  private readonly counts = { sent: 0, accepted: 0, refused: 0, dropped: 0, retries: 0 };
  private lastError: LastError | null = null;
  /** Set by `abandon`: the loop stops at its next step, and a retry's wait ends at once. */
  private readonly abandoned = new AbortController();
  private wakeRetry: (() => void) | null = null;

  constructor(private readonly settings: DeliverySettings) {
    this.queue = new PayloadQueue(settings.maxQueue, settings.maxQueueBytes);
    this.bodyLimit = settings.maxBodyBytes;
  }

  /** Queues valid payloads, in order; may drop the oldest waiting ones. */
  enqueue(payloads: readonly Payload[]): void {
    let dropped = 0;
    for (const payload of payloads) {
      const json = JSON.stringify(payload);
      dropped += this.queue.push({ id: this.nextId++, json, bytes: utf8Length(json) });
    }
    if (dropped > 0) {
      this.counts.dropped += dropped;
      this.settleWaiters();
    }
    this.schedule();
  }

  /** Resolves once every payload queued so far is accepted, refused or dropped; sends at once rather than at the next interval. */
  flush(): Promise<void> {
    const through = this.nextId;
    if (this.oldestPending() >= through) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ through, resolve });
      this.schedule();
    });
  }

  /** Gives up on everything pending (counted as dropped), abandons the request in flight and stops. */
  abandon(): void {
    this.abandoned.abort();
    this.wakeRetry?.();
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    this.counts.dropped += this.queue.clear() + (this.inFlight?.length ?? 0);
    this.inFlight = null;
    this.settleWaiters();
  }

  stats(): PublisherStats {
    return { queued: this.queue.size + (this.inFlight?.length ?? 0), ...this.counts, lastError: this.lastError };
  }

  /** Starts a request now, or sets the batch timer; a no-op while one is in flight (its end schedules the next). */
  private schedule(): void {
    if (this.inFlight || this.queue.size === 0 || this.abandoned.signal.aborted) return;
    const full =
      this.queue.size >= this.settings.maxBatch || this.queue.bytes + this.queue.size + FRAMING_BYTES[this.settings.format] >= this.bodyLimit;
    // A timer even when sending "now": the caller's loop of emits finishes first, and fills the batch.
    const delay = full || this.waiters.length > 0 ? 0 : this.settings.batchIntervalMs;
    // A timer already set stays, unless this one must fire sooner.
    if (this.batchTimer && (delay > 0 || this.batchTimerImmediate)) return;
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimerImmediate = delay === 0;
    this.batchTimer = setTimeout(() => {
      this.batchTimer = null;
      void this.sendNext();
    }, delay);
  }

  private async sendNext(): Promise<void> {
    if (this.inFlight || this.queue.size === 0 || this.abandoned.signal.aborted) return;
    const batch = this.queue.take(this.settings.maxBatch, this.bodyLimit, FRAMING_BYTES[this.settings.format]);
    this.inFlight = batch;
    this.counts.sent += batch.length;
    try {
      await this.deliver(batch);
    } catch (error) {
      // Only a callback of the caller's could get here (onError is guarded): never leave the loop stuck.
      this.note(null, `delivery failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (this.abandoned.signal.aborted) return;
    this.inFlight = null;
    this.settleWaiters();
    this.schedule();
  }

  /** Sends `batch` until it is accepted, refused, split (413), rid of a payload past a cap (422) or abandoned. */
  private async deliver(batch: QueuedPayload[]): Promise<void> {
    const body = encodeBatch(batch, this.settings.format);
    for (let attempt = 0; ; attempt++) {
      const answer = await this.post(body);
      if (this.abandoned.signal.aborted) return;
      if (answer.kind === 'accepted') return this.accepted(batch, answer);
      if (answer.kind === 'refused') {
        if (answer.status === 413 && batch.length > 1) return this.split(batch, body.body);
        const culprit = answer.status === 422 ? answer.index : null;
        if (culprit !== null && culprit < batch.length) return this.refuseOne(batch, culprit, answer);
        return this.refuse(batch, answer.status, answer.error, answer.errors);
      }
      this.note(answer.status, answer.error);
      if (attempt >= this.settings.retry.maxRetries) {
        return this.refuse(batch, null, `gave up after ${attempt} retries: ${answer.error}`, []);
      }
      const backoff = retryDelay(attempt, this.settings.retry, this.settings.random);
      await this.wait(Math.max(backoff, answer.retryAfterMs ?? 0));
      if (this.abandoned.signal.aborted) return;
      this.counts.retries++;
    }
  }

  private async post(batch: ReturnType<typeof encodeBatch>): Promise<Answer> {
    let token: string | null | undefined;
    try {
      token = await this.settings.token();
    } catch (error) {
      // A token source that fails (its endpoint down) may work next time: like a network error.
      return { kind: 'retry', status: null, error: `token: ${error instanceof Error ? error.message : String(error)}`, retryAfterMs: null };
    }
    // Closed while the token was on its way: nothing may go out after `close()` resolved.
    if (this.abandoned.signal.aborted) return abandonedAnswer();
    return postBatch({
      url: this.settings.endpoint,
      batch,
      token: token ?? null,
      fetch: this.settings.fetch,
      timeoutMs: this.settings.requestTimeoutMs,
      now: this.settings.now,
      signal: this.abandoned.signal,
    });
  }

  private accepted(batch: QueuedPayload[], answer: Answer & { kind: 'accepted' }): void {
    const refused = Math.min(batch.length, answer.refused);
    this.counts.accepted += answer.accepted ?? batch.length - refused;
    if (refused === 0) return;
    this.counts.refused += refused;
    const payloads = answer.errors.flatMap((error) => {
      const entry = batch[error.index];
      return entry ? [payloadOf(entry)] : [];
    });
    this.note(answer.status, `${refused} of ${batch.length} payloads refused`);
    this.report({ status: answer.status, error: `${refused} of ${batch.length} payloads refused`, errors: answer.errors, payloads });
  }

  private refuse(batch: QueuedPayload[], status: number | null, error: string, errors: RefusedMessage[]): void {
    this.counts.refused += batch.length;
    this.note(status, error);
    this.report({ status, error, errors, payloads: batch.map(payloadOf) });
  }

  /**
   * The gateway refused the batch for one payload (past a topology cap): that
   * one is refused, and the rest (events, points, logs, other nodes) go back
   * to the front of the queue, to be sent again without it.
   */
  private refuseOne(batch: QueuedPayload[], index: number, answer: Answer & { kind: 'refused' }): void {
    this.refuse([batch[index]!], answer.status, answer.error, []);
    const rest = [...batch.slice(0, index), ...batch.slice(index + 1)];
    this.counts.sent -= rest.length;
    this.queue.putBack(rest);
  }

  /**
   * The gateway takes smaller bodies than ours: halve the limit (for good) and
   * send the batch again in smaller pieces. Halving the refused body's size,
   * with no floor, makes the next batch of these payloads strictly shorter,
   * down to one payload, which a 413 then refuses: a floor would send a
   * batch that fits under it but not under the gateway's limit forever.
   */
  private split(batch: QueuedPayload[], body: string): void {
    const bytes = utf8Length(body);
    this.note(413, `body of ${bytes} bytes too large; sending smaller batches`);
    this.bodyLimit = Math.max(1, Math.floor(Math.min(this.bodyLimit, bytes) / 2));
    this.counts.sent -= batch.length;
    this.queue.putBack(batch);
  }

  private report(failure: PublishFailure): void {
    try {
      this.settings.onError?.(failure);
    } catch {
      // The caller's handler failing is no reason to stop delivering.
    }
  }

  private note(status: number | null, message: string): void {
    this.lastError = { status, message, at: this.settings.now() };
  }

  /** Resolves after `ms`, or at once when the delivery is abandoned. */
  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeRetry = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeRetry = done;
    });
  }

  /** The id of the oldest payload not yet accepted, refused or dropped; `nextId` when there is none. */
  private oldestPending(): number {
    return this.inFlight?.[0]?.id ?? this.queue.peek()?.id ?? this.nextId;
  }

  private settleWaiters(): void {
    if (this.waiters.length === 0) return;
    const oldest = this.oldestPending();
    const still: FlushWaiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.through <= oldest) waiter.resolve();
      else still.push(waiter);
    }
    this.waiters = still;
  }
}
