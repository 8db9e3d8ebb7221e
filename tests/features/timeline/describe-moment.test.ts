/** The timeline's words for a moment and for what it holds. */
import { describe, expect, it } from 'vitest';
import { describeAgo, describeHeld } from '../../../src/features/timeline/describe-moment.ts';

const NOW = Date.UTC(2026, 11, 7, 9, 30, 0);

describe('describeAgo', () => {
  it.each([
    [0, 'now'],
    [400, 'now'],
    [-5_000, 'now'],
    [1_000, '1 s ago'],
    [12_000, '12 s ago'],
    [12_400, '12 s ago'],
    [12_600, '13 s ago'],
    [59_000, '59 s ago'],
    [59_600, '1 min ago'],
    [60_000, '1 min ago'],
    [151_000, '2 min 31 s ago'],
    [600_000, '10 min ago'],
    [3_661_000, '61 min 1 s ago'],
  ])('says %i ms before now as "%s"', (ago, text) => {
    expect(describeAgo(NOW - ago, NOW)).toBe(text);
  });
});

describe('describeHeld', () => {
  it.each([
    [0, 1_000, 'holds 0 s'],
    [45_000, 1_000, 'holds 45 s'],
    [60_000, 1_000, 'holds 1 min'],
    [250_000, 1_000, 'holds 4 min 10 s'],
    [600_000, 1_000, 'holds 10 min'],
    [600_000, 1_500, 'holds 10 min'],
    [600_000, 1_600, 'holds 10 min, in steps of up to 2 s'],
    [250_000, 8_000, 'holds 4 min 10 s, in steps of up to 8 s'],
  ])('says a span of %i ms in steps of %i ms as "%s"', (span, stepMs, text) => {
    expect(describeHeld(NOW - span, NOW, stepMs)).toBe(text);
  });
});
