/**
 * Watches frame times while traffic animation is on and switches it off,
 * saying why, when frames run past the budget: moving dashes are a nicety,
 * a smooth live graph is the point.
 */
import { useEffect } from 'react';
import { createFrameBudgetMonitor } from '../../lib/frame-budget.ts';
import { useTopologyView } from './view-store.ts';

/** At least 50 fps' worth: past this, animation costs more than it shows. */
export const ANIMATION_FRAME_BUDGET_MS = 20;
/** A 30 Hz display's interval: a slower baseline is the page, not the display. */
const MAX_BASELINE_MS = 34;
/** Frames sampled before animating, to learn the display's own frame interval. */
const BASELINE_FRAMES = 20;

/**
 * The budget for this display: 20 ms, or 1.5 times its own frame interval on
 * a slower one (a 30 Hz wall screen draws every 33 ms however light the page).
 */
export function frameBudgetFor(baselineIntervalMs: number): number {
  // The baseline is sampled with the animation already running: a page it
  // already slows must not earn itself a budget it never exceeds.
  return Math.max(ANIMATION_FRAME_BUDGET_MS, Math.round(Math.min(baselineIntervalMs, MAX_BASELINE_MS) * 1.5));
}

export function AnimationGuard() {
  const animate = useTopologyView((s) => s.animate);
  useEffect(() => {
    if (!animate) return;
    let stopped = false;
    let monitor: ReturnType<typeof createFrameBudgetMonitor> | null = null;
    let frame = 0;
    const times: number[] = [];
    const sample = (time: number) => {
      if (stopped) return;
      times.push(time);
      if (times.length <= BASELINE_FRAMES) {
        frame = requestAnimationFrame(sample);
        return;
      }
      const intervals = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b);
      const budgetMs = frameBudgetFor(intervals[Math.floor(intervals.length / 2)]!);
      monitor = createFrameBudgetMonitor({
        budgetMs,
        onOverBudget: ({ p90Ms }) =>
          useTopologyView.getState().stopAnimation(`Traffic animation switched off: frames took ${Math.round(p90Ms)} ms (budget ${budgetMs} ms).`),
      });
      monitor.start();
    };
    frame = requestAnimationFrame(sample);
    return () => {
      stopped = true;
      cancelAnimationFrame(frame);
      monitor?.stop();
    };
  }, [animate]);
  return null;
}
