/**
 * A Scheduler whose time moves only when a test says so: heartbeats, flush
 * windows, grace periods and idle timeouts become steps in the test, while
 * real sockets (and `waitFor`) keep running on Node's own timers.
 */
import type { Cancel, Scheduler } from '../../src/server/scheduler.ts';

interface Timer {
  at: number;
  /** Order of creation, so timers due at the same time run in the order they were set. */
  order: number;
  every: number | null;
  callback: () => void;
}

export class ManualScheduler implements Scheduler {
  private time = 0;
  private created = 0;
  private readonly timers = new Set<Timer>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): Cancel {
    return this.add(callback, ms, null);
  }

  setInterval(callback: () => void, ms: number): Cancel {
    return this.add(callback, ms, Math.max(1, ms));
  }

  /** Timers waiting to run. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way, each at its own time. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const timer of this.timers) {
        if (timer.at <= end && (!next || timer.at < next.at || (timer.at === next.at && timer.order < next.order))) next = timer;
      }
      if (!next) break;
      this.time = next.at;
      if (next.every === null) this.timers.delete(next);
      else {
        next.at += next.every;
        next.order = this.created++;
      }
      next.callback();
    }
    this.time = end;
  }

  private add(callback: () => void, ms: number, every: number | null): Cancel {
    const timer: Timer = { at: this.time + Math.max(0, ms), order: this.created++, every, callback };
    this.timers.add(timer);
    return () => void this.timers.delete(timer);
  }
}
