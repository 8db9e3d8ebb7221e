/**
 * A typed client for the gateway's HTTP publish endpoint
 * (`POST /api/projects/:id/publish`), for anything that feeds a project: a
 * service, a CI job, a script, a browser page. HTTP is the transport: the
 * gateway takes no publishes over its WebSocket (`/ws` is for viewers), and a
 * request per batch needs no connection state, so it survives restarts and
 * load balancers without a reconnect protocol of its own.
 *
 * It runs wherever `fetch` and `setTimeout` do (Node 20+, browsers, workers):
 * nothing here imports Node or the DOM, and it uses only the protocol module.
 *
 *   const mesh = createPublisher({ url: 'http://127.0.0.1:8080', project: 'shop', token: process.env.MESHWATCH_TOKEN });
 *   mesh.upsertNode({ id: 'db', label: 'Postgres', kind: 'postgres', status: 'healthy' });
 *   mesh.point('db.tps', 412, 'db');
 *   await mesh.close({ timeoutMs: 5_000 }); // without a timeout, waits as long as the gateway is down
 *
 * Methods never wait for the network: each validates its payload at once
 * (throwing a TypeError when it is bad) and queues it. Batches go out in
 * order, one request at a time; what may pass later is retried on its own,
 * what never will is reported to `onError` and counted.
 *
 * The queue is bounded by count (`maxQueue`, 100,000 payloads) and by size
 * (`maxQueueBytes`, 32 MiB of JSON): against a gateway that is down, the
 * oldest payloads are dropped (`stats().dropped`) rather than memory grown
 * without end (100,000 log chunks of 16 KiB are 1.6 GB of JSON alone).
 * Retries are unlimited by default, so `close()` without `timeoutMs` waits
 * for as long as the gateway stays unreachable: give it a timeout where the
 * process must exit.
 */
import { ProjectId } from '../protocol/mesh.ts';
import { Delivery, type PublisherStats, type PublishFailure } from './delivery.ts';
import { createEmitters, type Emitters } from './emitters.ts';
import { RETRY_DEFAULTS, type RetryPolicy } from './retry.ts';
import type { BatchFormat } from './transport.ts';
import { checkPayloads } from './validate.ts';

export type { PublisherStats, PublishFailure, LastError } from './delivery.ts';
export type { DockerStats } from './docker-stats.ts';
export type { Emitters, ProgressStatus } from './emitters.ts';
export type { RetryPolicy } from './retry.ts';
export type { BatchFormat, RefusedMessage } from './transport.ts';

/** A bearer token, or where to get one: called before every request, so a token can be refreshed. */
export type TokenOption = string | (() => string | null | undefined | Promise<string | null | undefined>);

/** Options of `createPublisher`; only `url` and `project` are required. */
export interface PublisherOptions {
  /** The gateway's HTTP(S) base URL, e.g. `http://127.0.0.1:8080` (a path prefix is kept). */
  url: string;
  /** The project to feed. */
  project: string;
  /** Sent as `Authorization: Bearer <token>` when the gateway has token auth on (the token needs `publish: true`). */
  token?: TokenOption;
  /** Longest a payload waits for companions before its batch is sent. Default 50 ms. */
  batchIntervalMs?: number;
  /** A batch is sent as soon as this many payloads wait. Default 500. */
  maxBatch?: number;
  /** Largest request body; a larger batch is split. Default 1 MiB, the gateway's default limit. Shrinks by itself on a 413. */
  maxBodyBytes?: number;
  /** Most payloads kept waiting; past it the oldest are dropped (`stats().dropped`). Default 100,000. */
  maxQueue?: number;
  /**
   * Most bytes of payloads (their JSON) kept waiting; past it the oldest are
   * dropped (`stats().dropped`), as past `maxQueue`. Default 32 MiB. The batch
   * in flight is not counted, and the newest payload is kept even when it
   * alone is larger.
   */
  maxQueueBytes?: number;
  /** `ndjson` (default): one payload per line; `json`: one array. */
  format?: BatchFormat;
  /** Backoff of retries; defaults in `RETRY_DEFAULTS` (250 ms × 1.8ⁿ up to 10 s, ±20 % jitter, unlimited retries). */
  retry?: Partial<RetryPolicy>;
  /** A request with no answer by then is abandoned and retried. Default 10 s. */
  requestTimeoutMs?: number;
  /**
   * Told about payloads that will never be published: a 4xx answer (other
   * than 408, 425 and 429) refuses a whole batch, except a 422 naming the
   * payload past a topology cap (that one alone is refused, the rest sent
   * again) and a 413 (the batch is sent again in smaller pieces; a single
   * payload too large is refused); a 202 may refuse some of its messages;
   * and a batch is given up after `retry.maxRetries`. Retried failures are
   * not reported; `stats().lastError` shows the latest.
   */
  onError?: (failure: PublishFailure) => void;
  /** Default: the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** For the jitter of retries; returns a number in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Stamps points given as a bare number, and `Retry-After` dates. Default `Date.now`. */
  now?: () => number;
}

/** A publisher for one project: the typed methods, plus flushing, closing and counters. */
export interface Publisher extends Emitters {
  /** Resolves once every payload queued so far is accepted, refused or dropped; sends at once rather than at the next interval. */
  flush(): Promise<void>;
  /**
   * Flushes, then stops; every later method call throws. With `timeoutMs`,
   * what is still pending by then is abandoned (counted as dropped), and no
   * request goes out after the promise resolved.
   *
   * Without `timeoutMs` it waits as long as the flush does, and retries are
   * unlimited by default (`retry.maxRetries`): against a gateway that is
   * down or unreachable it never resolves. Pass a timeout (e.g.
   * `close({ timeoutMs: 5_000 })`) wherever the process has to exit, such as
   * on SIGTERM.
   *
   * Idempotent: a second call returns the first one's promise.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
  stats(): PublisherStats;
}

/** Publisher defaults, as documented on `PublisherOptions`. */
export const PUBLISHER_DEFAULTS = {
  batchIntervalMs: 50,
  maxBatch: 500,
  maxBodyBytes: 1024 * 1024,
  maxQueue: 100_000,
  maxQueueBytes: 32 * 1024 * 1024,
  format: 'ndjson',
  requestTimeoutMs: 10_000,
} as const;

/** The publish endpoint of `project` on the gateway at `url`. */
export function publishUrl(url: string, project: string): string {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new TypeError(`meshwatch publisher: url must be an absolute http(s) URL, got '${url}'`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError(`meshwatch publisher: url must be http(s), got '${base.protocol}'`);
  }
  const path = base.pathname.replace(/\/+$/, '');
  return `${base.origin}${path}/api/projects/${encodeURIComponent(project)}/publish`;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || Number.isNaN(value)) throw new TypeError(`meshwatch publisher: ${name} must be a positive number, got ${value}`);
  return value;
}

/** A publisher for `options.project` on the gateway at `options.url`; throws a TypeError on bad options. */
export function createPublisher(options: PublisherOptions): Publisher {
  if (!ProjectId.safeParse(options.project).success) {
    throw new TypeError('meshwatch publisher: project must be 1 to 128 characters, not all blank');
  }
  const token = options.token;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw new TypeError('meshwatch publisher: no fetch in this runtime; pass options.fetch');
  const now = options.now ?? Date.now;
  const delivery = new Delivery({
    endpoint: publishUrl(options.url, options.project),
    token: typeof token === 'function' ? token : () => token,
    batchIntervalMs: Math.max(0, options.batchIntervalMs ?? PUBLISHER_DEFAULTS.batchIntervalMs),
    maxBatch: Math.floor(positive('maxBatch', options.maxBatch, PUBLISHER_DEFAULTS.maxBatch)),
    maxBodyBytes: positive('maxBodyBytes', options.maxBodyBytes, PUBLISHER_DEFAULTS.maxBodyBytes),
    maxQueue: Math.floor(positive('maxQueue', options.maxQueue, PUBLISHER_DEFAULTS.maxQueue)),
    maxQueueBytes: positive('maxQueueBytes', options.maxQueueBytes, PUBLISHER_DEFAULTS.maxQueueBytes),
    format: options.format ?? PUBLISHER_DEFAULTS.format,
    retry: { ...RETRY_DEFAULTS, ...options.retry },
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, PUBLISHER_DEFAULTS.requestTimeoutMs),
    onError: options.onError,
    // Called unbound: some runtimes' fetch throws "Illegal invocation" when called as a method of another object.
    fetch: (input, init) => fetchImpl(input, init),
    random: options.random ?? Math.random,
    now,
  });

  let closing: Promise<void> | null = null;
  const send = (payloads: readonly unknown[]) => {
    if (closing) throw new Error('meshwatch publisher: closed');
    delivery.enqueue(checkPayloads(payloads));
  };

  return {
    ...createEmitters(send, now),
    flush: () => closing ?? delivery.flush(),
    close(closeOptions = {}) {
      closing ??= (async () => {
        const flushed = delivery.flush();
        if (closeOptions.timeoutMs === undefined) await flushed;
        else await settleWithin(flushed, closeOptions.timeoutMs);
        delivery.abandon();
      })();
      return closing;
    },
    stats: () => delivery.stats(),
  };
}

/** Waits for `promise`, but no longer than `ms`; the timer does not outlive it. */
async function settleWithin(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
