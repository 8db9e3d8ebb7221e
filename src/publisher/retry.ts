/**
 * When the publisher tries a batch again. A gateway that is restarting, shedding
 * load or briefly unreachable should be met by publishers that come back
 * gradually and not in step: 250 ms × 1.8ⁿ up to 10 s, each delay spread by
 * jitter, and never sooner than the gateway asked (`Retry-After`).
 */

/** How a failed batch is retried; every field has a default (`RETRY_DEFAULTS`). */
export interface RetryPolicy {
  /** The first retry's nominal delay. */
  initialDelayMs: number;
  /** Each retry waits this much longer than the one before. */
  factor: number;
  /** No nominal delay is longer. */
  maxDelayMs: number;
  /** Each delay is spread uniformly over ±`jitter` of its nominal value (and still capped). */
  jitter: number;
  /**
   * Retries of one batch before its payloads count as refused. Unbounded by
   * default: the queue is bounded (the oldest payloads are dropped), so
   * waiting out a long outage costs no more memory than `maxQueue` payloads
   * and `maxQueueBytes` of them. It also means that `close()` without a
   * timeout never resolves while the gateway is unreachable.
   */
  maxRetries: number;
}

export const RETRY_DEFAULTS: Readonly<RetryPolicy> = {
  initialDelayMs: 250,
  factor: 1.8,
  maxDelayMs: 10_000,
  jitter: 0.2,
  maxRetries: Number.POSITIVE_INFINITY,
};

/** A `Retry-After` longer than this is taken as this: a bogus header must not silence a publisher for hours. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** The delay before retry `attempt` (0-based); `random` returns a number in [0, 1). */
export function retryDelay(attempt: number, policy: Readonly<RetryPolicy> = RETRY_DEFAULTS, random: () => number = Math.random): number {
  const nominal = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** Math.max(0, attempt));
  const spread = 1 - policy.jitter + 2 * policy.jitter * random();
  return Math.round(Math.min(policy.maxDelayMs, nominal * spread));
}

/**
 * Milliseconds a `Retry-After` header asks for (delta-seconds or an HTTP
 * date), capped at `MAX_RETRY_AFTER_MS`; null when absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | null {
  if (header == null) return null;
  const text = header.trim();
  if (text === '') return null;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1_000;
  else {
    // An HTTP date names its day and month; without letters, `Date.parse` would read '-5' as a year.
    const at = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(at)) return null;
    ms = at - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(ms)));
}

/**
 * Whether an answer with `status` may succeed if sent again: a request that
 * timed out on its way (408, as proxies answer a slow upload), one sent too
 * early (425), rate limits (429) and server-side failures (5xx, 503 above
 * all). Any other 4xx is the request's own fault and would fail the same way
 * again.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599);
}
