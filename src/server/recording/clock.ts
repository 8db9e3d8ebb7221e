/**
 * Time for the recorder and the replayer, behind one small interface so tests
 * drive it by hand: pacing and durations are checked without real waiting.
 */

export interface RecordingClock {
  /** Monotonic ms: what elapsed time and pacing are measured with. */
  now(): number;
  /** Wall-clock ms since the Unix epoch: what a header's `startedAt` says. */
  wallNow(): number;
  /** Resolves after `ms`, or at once when `signal` aborts (it never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: RecordingClock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};
