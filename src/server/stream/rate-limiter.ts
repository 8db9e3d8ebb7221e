/**
 * A token bucket for one connection's inbound messages: `perSecond` sustained,
 * `burst` at once. A client past it is closed with 4429 and a retry delay:
 * every message costs the gateway a parse, and some (a resync) a snapshot.
 */
import type { Scheduler } from '../scheduler.ts';

export class RateLimiter {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: Pick<Scheduler, 'now'>,
  ) {
    this.tokens = burst;
    this.refilledAt = clock.now();
  }

  /** Spends one token; false when none is left. */
  take(): boolean {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
