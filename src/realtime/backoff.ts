/**
 * Reconnect delays (DESIGN.md, "Reconnect"): 1 s × 1.8ⁿ, capped at 30 s, with
 * jitter so that clients of a restarted gateway do not all return at once.
 */
export const BACKOFF = {
  initialMs: 1_000,
  factor: 1.8,
  maxMs: 30_000,
  /** Each delay is spread uniformly over ±20 % of its nominal value (and still capped). */
  jitter: 0.2,
  /** The attempt counter resets only once a link has stayed up this long. */
  stableAfterMs: 5_000,
} as const;

/** Nominal delay before reconnect attempt `attempt` (0-based), without jitter. */
export function nominalDelay(attempt: number): number {
  return Math.min(BACKOFF.maxMs, BACKOFF.initialMs * BACKOFF.factor ** Math.max(0, attempt));
}

/** The delay to wait before attempt `attempt`; `random` returns a number in [0, 1). */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const nominal = nominalDelay(attempt);
  const spread = 1 - BACKOFF.jitter + 2 * BACKOFF.jitter * random();
  return Math.round(Math.min(BACKOFF.maxMs, nominal * spread));
}
