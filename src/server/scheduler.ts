/**
 * The gateway's sense of time: a monotonic clock and the timers it schedules
 * with, behind one small interface so tests can step time by hand (see
 * tests/server/manual-scheduler.ts) while real sockets carry on underneath.
 */

/** Cancels a scheduled callback; calling it twice, or after the callback ran, is harmless. */
export type Cancel = () => void;

/** Monotonic time and timers. */
export interface Scheduler {
  /** Monotonic milliseconds (not wall-clock: a clock change must not time out every connection). */
  now(): number;
  /** Runs `callback` once, `ms` from now. */
  setTimeout(callback: () => void, ms: number): Cancel;
  /** Runs `callback` every `ms`. */
  setInterval(callback: () => void, ms: number): Cancel;
}

/**
 * `performance.now` and Node's timers. Its timers never keep the process
 * alive on their own (the sockets and servers they serve do), so a forgotten
 * heartbeat or grace period cannot hold up an exit.
 */
export const realScheduler: Scheduler = {
  now: () => performance.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
  setInterval(callback, ms) {
    const timer = setInterval(callback, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};
