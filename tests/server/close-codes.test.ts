import { describe, expect, it } from 'vitest';
import { closeReason } from '../../src/server/close-codes.ts';

describe('close reasons', () => {
  it('are short JSON with the reason and any extra fields', () => {
    expect(JSON.parse(closeReason('too slow', { bufferedBytes: 42 }))).toEqual({ reason: 'too slow', bufferedBytes: 42 });
  });

  it.each(['x'.repeat(500), 'é'.repeat(200), '"\\'.repeat(100)])('stay within the 123 bytes RFC 6455 allows, and still parse', (text) => {
    const reason = closeReason(text, { retryAfterMs: 60_000 });
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(JSON.parse(reason).retryAfterMs).toBe(60_000);
  });
});
