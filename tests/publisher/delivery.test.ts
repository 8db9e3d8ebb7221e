/**
 * How the publisher gets its queue to a gateway: batching, one request at a
 * time, retries, refusals, the bounded queue, flush and close. A scripted
 * HTTP server stands in for the gateway; intervals are tiny, and nothing
 * asserts how long anything took.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Payload } from '../../src/protocol/messages.ts';
import { createPublisher, PUBLISHER_DEFAULTS, type Publisher, type PublisherOptions, type PublishFailure } from '../../src/publisher/publisher.ts';
import { waitFor } from '../server/support.ts';
import { acceptAll, startScriptedServer, type Script, type ScriptedAnswer, type ScriptedServer } from './scripted-server.ts';

let server: ScriptedServer | null = null;
const publishers: Publisher[] = [];

afterEach(async () => {
  for (const publisher of publishers.splice(0)) await publisher.close({ timeoutMs: 0 }).catch(() => {});
  await server?.close();
  server = null;
});

/** A publisher on a scripted server, with tiny intervals and no jitter. */
async function setUp(script: Script, options: Partial<PublisherOptions> = {}): Promise<{ publisher: Publisher; server: ScriptedServer; failures: PublishFailure[] }> {
  server = await startScriptedServer(script);
  const failures: PublishFailure[] = [];
  const publisher = createPublisher({
    url: server.url,
    project: 'shop',
    batchIntervalMs: 1,
    retry: { initialDelayMs: 1, maxDelayMs: 5, jitter: 0 },
    onError: (failure) => failures.push(failure),
    ...options,
  });
  publishers.push(publisher);
  return { publisher, server, failures };
}

const event = (i: number): Payload => ({ type: 'event', message: `e${i}`, severity: 'info' });
const events = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => event(from + i));

/** A script whose first `n` answers are `answer`, then 202 for everything. */
const failFirst =
  (n: number, answer: ScriptedAnswer): Script =>
  (request, i) =>
    i < n ? answer : acceptAll(request, i);

describe('the publisher', () => {
  it('sends a batch as NDJSON to the project endpoint, and counts what was accepted', async () => {
    const { publisher, server } = await setUp(acceptAll);
    publisher.publish(events(0, 3));
    await publisher.flush();
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/api/projects/shop/publish' });
    expect(request!.headers['content-type']).toBe('application/x-ndjson');
    expect(request!.headers.authorization).toBeUndefined();
    expect(request!.payloads).toEqual(events(0, 3));
    expect(publisher.stats()).toEqual({ queued: 0, sent: 3, accepted: 3, refused: 0, dropped: 0, retries: 0, lastError: null });
  });

  it('sends a JSON array when asked to, to a base URL with a path prefix', async () => {
    server = await startScriptedServer(acceptAll);
    const publisher = createPublisher({ url: `${server.url}/meshwatch/`, project: 'a b/c', format: 'json', batchIntervalMs: 1 });
    publishers.push(publisher);
    publisher.publish(events(0, 2));
    await publisher.flush();
    expect(server.requests[0]!.url).toBe('/meshwatch/api/projects/a%20b%2Fc/publish');
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(server.requests[0]!.body)).toEqual(events(0, 2));
  });

  it('sends a full batch at once, without waiting for the interval', async () => {
    const { publisher, server } = await setUp(acceptAll, { batchIntervalMs: 60_000, maxBatch: 3 });
    publisher.publish(events(0, 3));
    await waitFor(() => server.requests.length === 1, 'the full batch');
    expect(server.requests[0]!.payloads).toEqual(events(0, 3));
  });

  it('sends at once on flush, without waiting for the interval', async () => {
    const { publisher, server } = await setUp(acceptAll, { batchIntervalMs: 60_000 });
    publisher.event('now', 'info');
    await publisher.flush();
    expect(server.accepted).toEqual([{ type: 'event', message: 'now', severity: 'info' }]);
  });

  it('splits batches by count and by body size, keeping their order, one request at a time', async () => {
    const slow: Script = async (request, n) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return acceptAll(request, n);
    };
    const { publisher, server } = await setUp(slow, { maxBatch: 4, maxBodyBytes: 200 });
    publisher.publish(events(0, 30));
    await publisher.flush();
    expect(server.accepted).toEqual(events(0, 30));
    expect(server.requests.length).toBeGreaterThanOrEqual(8);
    for (const request of server.requests) {
      expect(request.payloads.length).toBeLessThanOrEqual(4);
      expect(Buffer.byteLength(request.body)).toBeLessThanOrEqual(200);
    }
    expect(server.maxConcurrent).toBe(1);
  });

  it('retries a batch answered 503 twice, and delivers it once, in order', async () => {
    const { publisher, server, failures } = await setUp(failFirst(2, { status: 503, body: { error: 'gateway is shutting down', code: 'gateway-closed' } }));
    publisher.publish(events(0, 3));
    await publisher.flush();
    expect(server.requests.map((r) => r.payloads)).toEqual([events(0, 3), events(0, 3), events(0, 3)]);
    expect(server.accepted).toEqual(events(0, 3));
    expect(publisher.stats()).toMatchObject({ queued: 0, sent: 3, accepted: 3, refused: 0, retries: 2 });
    expect(publisher.stats().lastError).toMatchObject({ status: 503, message: 'gateway is shutting down' });
    expect(failures).toEqual([]);
  });

  it('keeps later batches behind a batch being retried', async () => {
    let failed = 0;
    const script: Script = async (request, n) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      // The first batch fails three times; everything queued meanwhile must wait for it.
      if ((request.payloads[0] as { message: string }).message === 'e0' && failed < 3) {
        failed++;
        return { status: 502 };
      }
      return acceptAll(request, n);
    };
    const { publisher, server } = await setUp(script, { maxBatch: 2 });
    for (let i = 0; i < 10; i++) publisher.publish(event(i));
    await publisher.flush();
    expect(server.accepted).toEqual(events(0, 10));
    expect(publisher.stats()).toMatchObject({ accepted: 10, retries: 3 });
    expect(server.maxConcurrent).toBe(1);
  });

  it('retries when the connection is cut, and when the token source fails', async () => {
    let tokenCalls = 0;
    const token = () => {
      tokenCalls++;
      if (tokenCalls === 2) throw new Error('token endpoint down');
      return `t${tokenCalls}`;
    };
    const { publisher, server } = await setUp(failFirst(1, { status: 0, destroy: true }), { token });
    publisher.publish(events(0, 2));
    await publisher.flush();
    expect(server.accepted).toEqual(events(0, 2));
    // Asked for a token before each try: t1 (cut), none (failed: no request), t3.
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer t1', 'Bearer t3']);
    expect(publisher.stats()).toMatchObject({ accepted: 2, retries: 2 });
  });

  it('retries 429 and other 5xx, but not other 4xx', async () => {
    const answers = [{ status: 429 }, { status: 500 }, { status: 504 }];
    const { publisher, server } = await setUp((request, n) => answers[n] ?? acceptAll(request, n));
    publisher.event('x', 'info');
    await publisher.flush();
    expect(server.requests).toHaveLength(4);
    expect(publisher.stats()).toMatchObject({ accepted: 1, retries: 3 });
  });

  it.each([400, 401, 403, 404, 422])('reports a batch answered %i without retrying it, and goes on with the next', async (status) => {
    const { publisher, server, failures } = await setUp(failFirst(1, { status, body: { error: 'no', code: 'x' } }), { maxBatch: 2 });
    publisher.publish(events(0, 4));
    await publisher.flush();
    expect(server.requests.map((r) => r.payloads)).toEqual([events(0, 2), events(2, 4)]);
    expect(failures).toEqual([{ status, error: 'no', errors: [], payloads: events(0, 2) }]);
    expect(publisher.stats()).toMatchObject({ sent: 4, accepted: 2, refused: 2, retries: 0, lastError: { status, message: 'no' } });
  });

  it('reports the messages a 202 refused, by their payloads', async () => {
    const partial: Script = (request) => ({
      status: 202,
      body: { accepted: 2, refused: 1, seq: 2, errors: [{ index: 1, line: 2, error: 'invalid payload', issues: [{ path: 'severity', message: 'no' }] }] },
    });
    const { publisher, failures } = await setUp(partial);
    publisher.publish(events(0, 3));
    await publisher.flush();
    expect(failures).toEqual([
      {
        status: 202,
        error: '1 of 3 payloads refused',
        errors: [{ index: 1, line: 2, error: 'invalid payload', issues: [{ path: 'severity', message: 'no' }] }],
        payloads: [event(1)],
      },
    ]);
    expect(publisher.stats()).toMatchObject({ accepted: 2, refused: 1 });
  });

  it('gives up on a batch after maxRetries, reports it, and goes on', async () => {
    const { publisher, server, failures } = await setUp((request, n) => (n < 3 ? { status: 500 } : acceptAll(request, n)), {
      retry: { initialDelayMs: 1, jitter: 0, maxRetries: 2 },
      maxBatch: 1,
    });
    publisher.publish(events(0, 2));
    await publisher.flush();
    expect(server.requests.map((r) => r.payloads)).toEqual([[event(0)], [event(0)], [event(0)], [event(1)]]);
    expect(failures).toEqual([{ status: null, error: 'gave up after 2 retries: HTTP 500', errors: [], payloads: [event(0)] }]);
    expect(publisher.stats()).toMatchObject({ accepted: 1, refused: 1, retries: 2 });
  });

  it('keeps delivering when onError throws', async () => {
    const { publisher, server } = await setUp(failFirst(1, { status: 400 }), {
      maxBatch: 1,
      onError: () => {
        throw new Error('handler bug');
      },
    });
    publisher.publish(events(0, 2));
    await publisher.flush();
    expect(server.accepted).toEqual([event(1)]);
  });

  it('drops the oldest waiting payloads past maxQueue, counts them, and sends the rest in order', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { publisher, server } = await setUp(
      async (request, n) => {
        if (n === 0) await held;
        return acceptAll(request, n);
      },
      { maxQueue: 5, maxBatch: 2 },
    );
    publisher.publish(events(0, 2));
    await waitFor(() => server.requests.length === 1, 'the first batch in flight');
    for (let i = 2; i < 12; i++) publisher.publish(event(i));
    expect(publisher.stats()).toMatchObject({ queued: 2 + 5, dropped: 5 });
    release();
    await publisher.flush();
    expect(server.accepted).toEqual([...events(0, 2), ...events(7, 12)]);
    expect(publisher.stats()).toMatchObject({ queued: 0, sent: 7, accepted: 7, dropped: 5 });
  });

  it('resolves a flush once what was queued before it is settled, not what came after', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { publisher } = await setUp(
      async (request, n) => {
        if (n === 1) await held; // the second batch: what came after the flush
        return acceptAll(request, n);
      },
      { batchIntervalMs: 60_000, maxBatch: 1 },
    );
    publisher.event('before', 'info');
    const flushed = publisher.flush();
    publisher.event('after', 'info');
    await flushed;
    expect(publisher.stats()).toMatchObject({ accepted: 1 });
    const again = publisher.flush();
    release();
    await again;
    expect(publisher.stats()).toMatchObject({ accepted: 2, queued: 0 });
  });

  it('sends a fresh token with every request', async () => {
    let n = 0;
    const { publisher, server } = await setUp(acceptAll, { token: async () => `tok-${n++}`, maxBatch: 1 });
    publisher.publish(events(0, 3));
    await publisher.flush();
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-0', 'Bearer tok-1', 'Bearer tok-2']);
  });

  it('closes after flushing; later calls throw, and a second close is the first', async () => {
    const { publisher, server } = await setUp(acceptAll, { batchIntervalMs: 60_000 });
    publisher.publish(events(0, 2));
    const closing = publisher.close();
    expect(publisher.close()).toBe(closing);
    await closing;
    expect(server.accepted).toEqual(events(0, 2));
    expect(() => publisher.event('late', 'info')).toThrow(/closed/);
    expect(publisher.stats()).toMatchObject({ queued: 0, accepted: 2 });
  });

  it('drops the oldest waiting payloads past maxQueueBytes, counts them, and sends the rest in order', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const chunk = (i: number): Payload => ({ type: 'log-chunk', nodeId: 'api', text: `${String(i).padStart(4, '0')} ${'x'.repeat(995)}` });
    const bytes = Buffer.byteLength(JSON.stringify(chunk(0)));
    const { publisher, server } = await setUp(
      async (request, n) => {
        if (n === 0) await held;
        return acceptAll(request, n);
      },
      { maxQueueBytes: 3 * bytes + 10, maxBatch: 2 },
    );
    publisher.publish([chunk(0), chunk(1)]);
    await waitFor(() => server.requests.length === 1, 'the first batch in flight');
    for (let i = 2; i < 12; i++) publisher.publish(chunk(i));
    // Three fit in the budget (the batch in flight is not counted); the seven oldest waiting are dropped.
    expect(publisher.stats()).toMatchObject({ queued: 2 + 3, dropped: 7 });
    release();
    await publisher.flush();
    expect(server.accepted).toEqual([chunk(0), chunk(1), chunk(9), chunk(10), chunk(11)]);
    expect(publisher.stats()).toMatchObject({ queued: 0, sent: 5, accepted: 5, dropped: 7 });
  });

  it('shrinks a batch on every 413, down to one payload, and refuses a payload too large alone', async () => {
    const limit = 500;
    // A gateway that takes bodies up to 500 bytes; after 20 requests it takes anything, so that a publisher resending forever still ends.
    const { publisher, server, failures } = await setUp((request, n) =>
      n < 20 && Buffer.byteLength(request.body) > limit ? { status: 413, body: { error: `body larger than ${limit} bytes` } } : acceptAll(request, n),
    );
    const sized = (i: number, length: number): Payload => ({ type: 'event', message: `${i} ${'x'.repeat(length)}`, severity: 'info' });
    const pair = [sized(0, 331), sized(1, 331)];
    expect(pair.map((p) => Buffer.byteLength(JSON.stringify(p)))).toEqual([380, 380]);
    publisher.publish(pair);
    await publisher.flush();
    expect(server.requests.map((r) => r.payloads.length)).toEqual([2, 1, 1]);
    expect(server.accepted).toEqual(pair);

    const big = sized(2, 551);
    publisher.publish(big);
    await publisher.flush();
    expect(server.requests).toHaveLength(4);
    expect(failures).toEqual([{ status: 413, error: `body larger than ${limit} bytes`, errors: [], payloads: [big] }]);
    expect(publisher.stats()).toMatchObject({ sent: 3, accepted: 2, refused: 1, retries: 0 });
  });

  it.each([
    ['four payloads, when their array is exactly maxBodyBytes long', 1, 4],
    ['three payloads, when four would be one byte over', 0, 3],
  ])('counts the brackets of a JSON array against maxBodyBytes: sends %s', async (_name, slack, perBatch) => {
    const message = (i: number): Payload => ({ type: 'event', message: `m${i}${'x'.repeat(300)}`, severity: 'info' });
    const bytes = Buffer.byteLength(JSON.stringify(message(0)));
    // Four payloads with a comma each, less the last comma, plus two brackets: 4 × (bytes + 1) + 1.
    const limit = 4 * (bytes + 1) + slack;
    // After 20 requests the gateway takes anything, so that a publisher resending forever still ends.
    const { publisher, server, failures } = await setUp(
      (request, n) => (n < 20 && Buffer.byteLength(request.body) > limit ? { status: 413, body: { error: 'too large' } } : acceptAll(request, n)),
      { format: 'json', maxBodyBytes: limit, batchIntervalMs: 60_000 },
    );
    const all = Array.from({ length: 8 }, (_, i) => message(i));
    publisher.publish(all);
    await publisher.flush();
    expect(server.requests.map((r) => Buffer.byteLength(r.body) <= limit)).toEqual(server.requests.map(() => true));
    expect(server.requests[0]!.payloads).toHaveLength(perBatch);
    expect(server.accepted).toEqual(all);
    expect(failures).toEqual([]);
    expect(publisher.stats().lastError).toBeNull();
  });

  it('refuses only the payload a 422 names (past a topology cap), and sends the rest again, as often as it takes', async () => {
    const upsert = (id: string): Payload => ({ type: 'node-upsert', node: { id, label: id, kind: 'svc', status: 'healthy' } });
    const overCap = new Set(['b', 'c']);
    // A gateway at its node cap: a batch with a new node is refused whole, naming the first such payload.
    const capped: Script = (request, n) => {
      const index = request.payloads.findIndex((p) => (p as Payload).type === 'node-upsert' && overCap.has((p as { node: { id: string } }).node.id));
      return index < 0 ? acceptAll(request, n) : { status: 422, body: { error: 'project has 1 nodes, the most allowed', code: 'node-limit', index } };
    };
    const { publisher, server, failures } = await setUp(capped, { batchIntervalMs: 60_000 });
    const batch = [event(0), upsert('a'), upsert('b'), event(1), upsert('c'), event(2)];
    publisher.publish(batch);
    await publisher.flush();
    expect(server.requests.map((r) => r.payloads)).toEqual([
      batch,
      [event(0), upsert('a'), event(1), upsert('c'), event(2)],
      [event(0), upsert('a'), event(1), event(2)],
    ]);
    expect(server.accepted).toEqual([event(0), upsert('a'), event(1), event(2)]);
    expect(failures).toEqual([
      { status: 422, error: 'project has 1 nodes, the most allowed', errors: [], payloads: [upsert('b')] },
      { status: 422, error: 'project has 1 nodes, the most allowed', errors: [], payloads: [upsert('c')] },
    ]);
    expect(publisher.stats()).toMatchObject({ queued: 0, sent: 6, accepted: 4, refused: 2, retries: 0 });
  });

  it.each([
    ['an index past the batch', { index: 2 }],
    ['a negative index', { index: -1 }],
    ['an index that is not a number', { index: '0' }],
  ])('refuses a whole batch answered 422 with %s', async (_name, fields) => {
    const { publisher, server, failures } = await setUp(failFirst(1, { status: 422, body: { error: 'cap', code: 'node-limit', ...fields } }), { maxBatch: 2 });
    publisher.publish(events(0, 4));
    await publisher.flush();
    expect(server.requests.map((r) => r.payloads)).toEqual([events(0, 2), events(2, 4)]);
    expect(failures).toEqual([{ status: 422, error: 'cap', errors: [], payloads: events(0, 2) }]);
    expect(publisher.stats()).toMatchObject({ sent: 4, accepted: 2, refused: 2 });
  });

  it('retries 408 (a proxy timing the upload out) and 425 rather than losing the batch', async () => {
    const answers = [{ status: 408, body: { error: 'request timeout' } }, { status: 425 }];
    const { publisher, server, failures } = await setUp((request, n) => answers[n] ?? acceptAll(request, n));
    publisher.publish(events(0, 2));
    await publisher.flush();
    expect(server.requests.map((r) => r.payloads)).toEqual([events(0, 2), events(0, 2), events(0, 2)]);
    expect(server.accepted).toEqual(events(0, 2));
    expect(failures).toEqual([]);
    expect(publisher.stats()).toMatchObject({ accepted: 2, refused: 0, retries: 2 });
  });
});

describe('the publisher, on a fake clock', () => {
  afterEach(() => vi.useRealTimers());

  /** A fetch that answers from a list, then 202. */
  function fakeFetch(answers: Response[]) {
    const bodies: string[] = [];
    const fetch = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
      bodies.push(String(init?.body));
      const answer = answers.shift();
      return answer ?? new Response(JSON.stringify({ accepted: 1, refused: 0, seq: 1, errors: [] }), { status: 202 });
    });
    return { fetch, bodies };
  }

  it('waits as long as Retry-After asks when that is longer than its backoff', async () => {
    vi.useFakeTimers();
    const { fetch } = fakeFetch([new Response('{}', { status: 429, headers: { 'retry-after': '30' } })]);
    const publisher = createPublisher({ url: 'http://gateway.test', project: 'p', fetch, random: () => 0.5, batchIntervalMs: 10 });
    publisher.event('x', 'info');
    await vi.advanceTimersByTimeAsync(10);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fetch).toHaveBeenCalledTimes(2);
    await publisher.close();
    expect(publisher.stats()).toMatchObject({ accepted: 1, retries: 1 });
  });

  it('backs off 250 ms × 1.8ⁿ between tries of a failing batch', async () => {
    vi.useFakeTimers();
    const { fetch } = fakeFetch([503, 503, 503].map((status) => new Response('{}', { status })));
    const publisher = createPublisher({ url: 'http://gateway.test', project: 'p', fetch, random: () => 0.5, batchIntervalMs: 0 });
    publisher.event('x', 'info');
    await vi.advanceTimersByTimeAsync(0);
    const callsAt: number[] = [];
    for (const step of [249, 1, 449, 1, 809, 1]) {
      await vi.advanceTimersByTimeAsync(step);
      callsAt.push(fetch.mock.calls.length);
    }
    expect(callsAt).toEqual([1, 2, 2, 3, 3, 4]);
    await publisher.close();
  });

  it('abandons what it cannot deliver when a close times out, counting it as dropped, and stops', async () => {
    vi.useFakeTimers();
    const fetch = vi.fn(async () => new Response('{}', { status: 503 }));
    const publisher = createPublisher({ url: 'http://gateway.test', project: 'p', fetch, maxBatch: 2, batchIntervalMs: 0, random: () => 0.5 });
    publisher.publish(events(0, 5));
    const closed = publisher.close({ timeoutMs: 5_000 });
    await vi.advanceTimersByTimeAsync(5_000);
    await closed;
    expect(publisher.stats()).toMatchObject({ queued: 0, accepted: 0, dropped: 5 });
    const calls = fetch.mock.calls.length;
    expect(calls).toBeGreaterThan(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetch.mock.calls.length).toBe(calls);
  });

  it('abandons a request that gets no answer in time, and retries it', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const fetch = vi.fn((_url: string | URL | Request, init?: RequestInit) => {
      calls++;
      if (calls > 1) return Promise.resolve(new Response('{"accepted":1,"refused":0,"seq":1,"errors":[]}', { status: 202 }));
      return new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    });
    const publisher = createPublisher({ url: 'http://gateway.test', project: 'p', fetch, requestTimeoutMs: 1_000, batchIntervalMs: 0, random: () => 0.5 });
    publisher.event('x', 'info');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(publisher.stats().lastError).toMatchObject({ status: null, message: 'no answer within 1000 ms' });
    await vi.advanceTimersByTimeAsync(250);
    await publisher.close();
    expect(publisher.stats()).toMatchObject({ accepted: 1, retries: 1 });
  });

  it('holds at most 32 MiB of payloads by default, dropping the oldest past it', async () => {
    vi.useFakeTimers();
    expect(PUBLISHER_DEFAULTS.maxQueueBytes).toBe(32 * 1024 * 1024);
    // A gateway that never answers: everything published waits.
    const fetch = vi.fn((_url: string | URL | Request, init?: RequestInit) => new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted')))));
    const publisher = createPublisher({ url: 'http://gateway.test', project: 'p', fetch, batchIntervalMs: 60_000 });
    const text = 'x'.repeat(16 * 1024);
    const bytes = Buffer.byteLength(JSON.stringify({ type: 'log-chunk', nodeId: 'api', text }));
    const kept = Math.floor(PUBLISHER_DEFAULTS.maxQueueBytes / bytes);
    for (let i = 0; i < kept + 100; i++) publisher.log('api', text);
    // Nothing has been taken yet (the batch timer has not fired): the queue alone holds what is left.
    expect(publisher.stats()).toMatchObject({ queued: kept, dropped: 100 });
    const closed = publisher.close({ timeoutMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    await closed;
    expect(publisher.stats()).toMatchObject({ queued: 0, dropped: kept + 100 });
  });

  it('sends nothing, and leaves no timer, when it closes while a token is on its way', async () => {
    vi.useFakeTimers();
    let giveToken!: (token: string) => void;
    const token = vi.fn(() => new Promise<string>((resolve) => (giveToken = resolve)));
    const fetch = vi.fn((_url: string | URL | Request, init?: RequestInit) => new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted')))));
    const publisher = createPublisher({ url: 'http://gateway.test', project: 'p', fetch, token, batchIntervalMs: 0 });
    publisher.event('x', 'info');
    await vi.advanceTimersByTimeAsync(0);
    expect(token).toHaveBeenCalledTimes(1);
    const closed = publisher.close({ timeoutMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    await closed;
    giveToken('late');
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
    expect(publisher.stats()).toMatchObject({ queued: 0, sent: 1, accepted: 0, dropped: 1 });
  });
});

describe('createPublisher', () => {
  it.each([
    ['a relative url', { url: '/gateway', project: 'p' }, /absolute/],
    ['a ws url', { url: 'ws://127.0.0.1:8080', project: 'p' }, /http\(s\)/],
    ['a blank project', { url: 'http://127.0.0.1:8080', project: '  ' }, /project/],
    ['a zero maxBatch', { url: 'http://127.0.0.1:8080', project: 'p', maxBatch: 0 }, /maxBatch/],
    ['a NaN maxQueue', { url: 'http://127.0.0.1:8080', project: 'p', maxQueue: Number.NaN }, /maxQueue/],
    ['a zero maxQueueBytes', { url: 'http://127.0.0.1:8080', project: 'p', maxQueueBytes: 0 }, /maxQueueBytes/],
  ])('refuses %s with a TypeError', (_name, options, message) => {
    expect(() => createPublisher(options)).toThrow(TypeError);
    expect(() => createPublisher(options)).toThrow(message);
  });
});
