/**
 * Watches animation frame intervals and reports, once, when rendering keeps
 * missing its budget, so a view can fall back to a cheaper mode.
 *
 * The test is a ratio: over one full window, more than `overRatio` of the
 * frame intervals took longer than `budgetMs`. A ratio, not a percentile,
 * because the option reads directly as "most frames are slow" and a few long
 * frames (a layout, a GC pause) in an otherwise smooth window do not trip it.
 * The p90 is still computed and passed along, for logging.
 *
 * Windows are tumbling: each starts empty when the previous one is judged.
 * A window is "full" when the frame time it has counted reaches `windowMs`;
 * intervals over 1 s are not counted at all, because they mean the tab was
 * hidden or timers were throttled, not that rendering was slow.
 */
export interface FrameBudgetStats {
  p90Ms: number;
  /** Intervals counted in the window that tripped the check. */
  frames: number;
}

export interface FrameBudgetOptions {
  budgetMs?: number;
  windowMs?: number;
  overRatio?: number;
  requestFrame?: (callback: FrameRequestCallback) => number;
  cancelFrame?: (handle: number) => void;
  onOverBudget: (stats: FrameBudgetStats) => void;
}

export interface FrameBudgetMonitor {
  /** Starts sampling; a no-op while already running. */
  start(): void;
  stop(): void;
}

/** Longer than this between two frames is a paused tab, not a slow frame. */
export const IGNORED_INTERVAL_MS = 1_000;

export function createFrameBudgetMonitor({
  budgetMs = 20,
  windowMs = 2_000,
  overRatio = 0.5,
  requestFrame = (callback) => requestAnimationFrame(callback),
  cancelFrame = (handle) => cancelAnimationFrame(handle),
  onOverBudget,
}: FrameBudgetOptions): FrameBudgetMonitor {
  let handle: number | null = null;
  let previous: number | null = null;
  let intervals: number[] = [];
  let counted = 0;

  const reset = () => {
    previous = null;
    intervals = [];
    counted = 0;
  };

  const stop = () => {
    if (handle !== null) cancelFrame(handle);
    handle = null;
    reset();
  };

  const onFrame = (time: number) => {
    handle = null;
    if (previous !== null) {
      const interval = time - previous;
      if (interval >= 0 && interval <= IGNORED_INTERVAL_MS) {
        intervals.push(interval);
        counted += interval;
      }
    }
    previous = time;

    if (counted >= windowMs) {
      const over = intervals.filter((ms) => ms > budgetMs).length;
      if (over / intervals.length > overRatio) {
        const stats = { p90Ms: percentile(intervals, 0.9), frames: intervals.length };
        stop();
        onOverBudget(stats);
        return;
      }
      intervals = [];
      counted = 0;
    }
    handle = requestFrame(onFrame);
  };

  return {
    start() {
      if (handle !== null) return;
      reset();
      handle = requestFrame(onFrame);
    },
    stop,
  };
}

/** Nearest-rank percentile of a non-empty list. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}
