/**
 * Watches frame times while traffic animation is on and switches it off,
 * saying why, when frames run past the budget: moving dashes are a nicety,
 * a smooth live graph is the point.
 */
import { useEffect } from 'react';
import { createFrameBudgetMonitor } from '../../lib/frame-budget.ts';
import { useTopologyView } from './view-store.ts';

/** 50 fps: past this, animation costs more than it shows. */
export const ANIMATION_FRAME_BUDGET_MS = 20;

export function AnimationGuard() {
  const animate = useTopologyView((s) => s.animate);
  useEffect(() => {
    if (!animate) return;
    const monitor = createFrameBudgetMonitor({
      budgetMs: ANIMATION_FRAME_BUDGET_MS,
      onOverBudget: ({ p90Ms }) =>
        useTopologyView.getState().stopAnimation(`Traffic animation switched off: frames took ${Math.round(p90Ms)} ms (budget ${ANIMATION_FRAME_BUDGET_MS} ms).`),
    });
    monitor.start();
    return () => monitor.stop();
  }, [animate]);
  return null;
}
