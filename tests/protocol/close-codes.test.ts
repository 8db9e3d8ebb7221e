import { describe, expect, it } from 'vitest';
import { closeReason, parseCloseReason } from '../../src/protocol/close-codes.ts';

describe('close reasons', () => {
  it.each([
    ['', {}],
    ['plain words', { message: 'plain words' }],
    ['{"reason":"slow","retryAfterMs":2500}', { message: 'slow', retryAfterMs: 2500 }],
    ['{"retryAfterMs":-5}', {}],
    ['{"retryAfterMs":"soon"}', {}],
    ['{"retryAfterMs":1e12}', { retryAfterMs: 600_000 }],
  ])('parses %j', (reason, expected) => {
    expect(parseCloseReason(reason)).toEqual(expected);
  });

  it('round-trips what the gateway writes, within the 123-byte limit even for long or multi-byte text', () => {
    for (const text of ['too slow to keep up', 'é'.repeat(200), '🚀'.repeat(100), 'x'.repeat(500), '"\\'.repeat(100)]) {
      const written = closeReason(text, { retryAfterMs: 1500 });
      expect(new TextEncoder().encode(written).length).toBeLessThanOrEqual(123);
      const read = parseCloseReason(written);
      expect(read.retryAfterMs).toBe(1500);
      expect(text.startsWith(read.message ?? '')).toBe(true);
    }
  });

  it('carries extra fields as JSON beside the reason', () => {
    expect(JSON.parse(closeReason('too slow', { bufferedBytes: 42 }))).toEqual({ reason: 'too slow', bufferedBytes: 42 });
  });
});
