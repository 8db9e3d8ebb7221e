/** One request of a batch: what goes out, and what is left behind when the publisher abandons it. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeBatch, FRAMING_BYTES, postBatch, readAnswer, type PostRequest } from '../../src/publisher/transport.ts';
import type { QueuedPayload } from '../../src/publisher/queue.ts';

const entry = (id: number, json: string): QueuedPayload => ({ id, json, bytes: Buffer.byteLength(json) });

/** A fetch that answers only by failing when its signal aborts, or not at all when `deaf`. */
function hangingFetch(deaf = false) {
  return vi.fn(
    (_url: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        if (!deaf) init?.signal?.addEventListener('abort', () => reject(new Error('aborted')));
      }),
  );
}

function request(fetch: typeof globalThis.fetch, signal: AbortSignal): PostRequest {
  return { url: 'http://gateway.test/api/projects/p/publish', batch: encodeBatch([entry(0, '{}')], 'ndjson'), token: null, fetch, timeoutMs: 10_000, now: Date.now, signal };
}

describe('encodeBatch', () => {
  it.each(['ndjson', 'json'] as const)('writes %s bodies one separator per payload plus FRAMING_BYTES long', (format) => {
    const batch = [entry(0, '{"a":1}'), entry(1, '{"b":22}'), entry(2, '{}')];
    const perPayload = batch.reduce((sum, e) => sum + e.bytes + 1, 0);
    expect(Buffer.byteLength(encodeBatch(batch, format).body)).toBe(perPayload + FRAMING_BYTES[format]);
  });
});

describe('postBatch', () => {
  afterEach(() => vi.useRealTimers());

  it('sends nothing when the publisher was abandoned before the request started', async () => {
    vi.useFakeTimers();
    const fetch = vi.fn(async () => new Response('{"accepted":1,"refused":0,"seq":1,"errors":[]}', { status: 202 }));
    const abandoned = new AbortController();
    abandoned.abort();
    const answer = await postBatch(request(fetch, abandoned.signal));
    expect(fetch).not.toHaveBeenCalled();
    expect(answer).toEqual({ kind: 'retry', status: null, error: 'abandoned: the publisher closed', retryAfterMs: null });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timeout behind when abandoned, even with a fetch deaf to its signal', async () => {
    vi.useFakeTimers();
    const fetch = hangingFetch(true);
    const abandoned = new AbortController();
    void postBatch(request(fetch, abandoned.signal));
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(1);
    abandoned.abort();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('answers abandoned when the publisher abandons a request in flight', async () => {
    const abandoned = new AbortController();
    const answer = postBatch(request(hangingFetch(), abandoned.signal));
    abandoned.abort();
    expect(await answer).toEqual({ kind: 'retry', status: null, error: 'abandoned: the publisher closed', retryAfterMs: null });
  });
});

describe('readAnswer', () => {
  it.each([
    ['a 422 naming its payload', 422, { error: 'cap', code: 'node-limit', index: 3 }, 3],
    ['a 422 without an index', 422, { error: 'cap', code: 'node-limit' }, null],
    ['a 422 with a bad index', 422, { error: 'cap', index: 1.5 }, null],
  ])('reads %s', (_name, status, body, index) => {
    expect(readAnswer(status, body, null, 0)).toEqual({ kind: 'refused', status, error: 'cap', errors: [], index });
  });

  it.each([408, 425])('retries %i', (status) => {
    expect(readAnswer(status, {}, '2', 0)).toEqual({ kind: 'retry', status, error: `HTTP ${status}`, retryAfterMs: 2_000 });
  });
});
