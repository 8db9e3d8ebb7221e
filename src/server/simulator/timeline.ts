/**
 * Simulated time: timers that fire only when the simulator is told time has
 * passed, in time order (ties in the order they were set), so a run is the
 * same whatever the step sizes that got it there.
 */
interface Timer {
  at: number;
  order: number;
  run: () => void;
}

/** Simulated timers on a clock that only moves when `advanceTo` is called. */
export class Timeline {
  private readonly timers: Timer[] = [];
  private nextOrder = 0;

  constructor(private current: number) {}

  /** Simulated wall-clock ms. */
  get now(): number {
    return this.current;
  }

  /** Runs `run` once, `delayMs` from now (at least 1 ms, so a timer can never starve the clock). */
  schedule(delayMs: number, run: () => void): void {
    this.timers.push({ at: this.current + Math.max(1, delayMs), order: this.nextOrder++, run });
  }

  /** Fires every timer due by `end`, moving the clock to each one's time, then to `end`. */
  advanceTo(end: number): void {
    for (;;) {
      // A handful of timers at most: a linear scan beats keeping a heap.
      let next = -1;
      for (let i = 0; i < this.timers.length; i++) {
        const timer = this.timers[i]!;
        if (timer.at > end) continue;
        const best = next === -1 ? undefined : this.timers[next]!;
        if (!best || timer.at < best.at || (timer.at === best.at && timer.order < best.order)) next = i;
      }
      if (next === -1) break;
      const [timer] = this.timers.splice(next, 1);
      this.current = Math.max(this.current, timer!.at);
      timer!.run();
    }
    this.current = Math.max(this.current, end);
  }
}
