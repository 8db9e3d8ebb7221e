import { describe, expect, it } from 'vitest';
import { ANIMATION_FRAME_BUDGET_MS, frameBudgetFor } from '../../../src/features/topology/animation-guard.tsx';

describe('the traffic animation frame budget', () => {
  it.each([
    [16.7, 25],
    [8.3, ANIMATION_FRAME_BUDGET_MS],
    [20, 30],
    [33.3, 50],
  ])('a display drawing every %s ms gets a budget of %s ms', (interval, budget) => {
    expect(frameBudgetFor(interval)).toBe(budget);
  });
});
