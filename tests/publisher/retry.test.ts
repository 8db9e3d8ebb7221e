import { describe, expect, it } from 'vitest';
import { isRetryableStatus, MAX_RETRY_AFTER_MS, parseRetryAfter, RETRY_DEFAULTS, retryDelay } from '../../src/publisher/retry.ts';

describe('retry delays', () => {
  it.each([
    [0, 250],
    [1, 450],
    [2, 810],
    [5, 4_724],
    [7, 10_000],
    [50, 10_000],
  ])('waits 250 ms × 1.8^n, capped at 10 s, before retry %i (no jitter: %i ms)', (attempt, expected) => {
    expect(retryDelay(attempt, RETRY_DEFAULTS, () => 0.5)).toBe(expected);
  });

  it('spreads each delay over ±20 % and never past the cap', () => {
    expect(retryDelay(0, RETRY_DEFAULTS, () => 0)).toBe(200);
    expect(retryDelay(0, RETRY_DEFAULTS, () => 0.999999)).toBe(300);
    expect(retryDelay(20, RETRY_DEFAULTS, () => 0.999999)).toBe(10_000);
    expect(retryDelay(20, RETRY_DEFAULTS, () => 0)).toBe(8_000);
  });
});

describe('Retry-After', () => {
  const now = Date.UTC(2026, 0, 31, 12, 0, 0);
  it.each([
    ['absent', null, null],
    ['empty', ' ', null],
    ['seconds', '3', 3_000],
    ['fractional seconds', '0.5', 500],
    ['zero', '0', 0],
    ['an HTTP date 5 s ahead', new Date(now + 5_000).toUTCString(), 5_000],
    ['an HTTP date in the past', new Date(now - 60_000).toUTCString(), 0],
    ['hours', '86400', MAX_RETRY_AFTER_MS],
    ['garbage', 'soon', null],
    ['a negative number', '-5', null],
  ])('reads %s', (_name, header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});

describe('which answers are retried', () => {
  it.each([
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [408, true],
    [425, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [413, false],
    [422, false],
  ])('%i: %s', (status, retried) => {
    expect(isRetryableStatus(status)).toBe(retried);
  });
});
