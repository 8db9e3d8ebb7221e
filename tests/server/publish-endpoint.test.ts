/**
 * The publish endpoint's bodies (one payload, an array, NDJSON) and its
 * per-message errors, against the standalone server; and its handling of a
 * gateway that answers later (or not at all), against a bare HTTP server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Payload } from '../../src/protocol/messages.ts';
import { createPublishEndpoint, MAX_INVALID_MESSAGES, MAX_LISTED_ERRORS, MAX_MESSAGES_PER_REQUEST, type PublishTarget } from '../../src/server/http/publish-endpoint.ts';
import { configureLog } from '../../src/server/log.ts';
import type { PublishAllOutcome } from '../../src/server/room.ts';
import { createStandaloneServer, type StandaloneServer } from '../../src/server/standalone.ts';
import { TestClient, waitFor } from './support.ts';

let app: StandaloneServer | null = null;
let bare: Server | null = null;
let base: string;
const clients: TestClient[] = [];

async function startApp(options: Parameters<typeof createStandaloneServer>[0] = {}): Promise<void> {
  app = createStandaloneServer({ simulation: { enabled: false, size: 30, ratePerSecond: 0 }, gateway: { flushIntervalMs: 10 }, ...options });
  base = `http://127.0.0.1:${(await app.listen(0)).port}`;
}

/** A bare server with only the endpoint, publishing through `target`. */
async function startBare(target: PublishTarget): Promise<ReturnType<typeof createPublishEndpoint>> {
  const endpoint = createPublishEndpoint(target);
  bare = createServer((req, res) => {
    if (!endpoint.handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => bare!.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
  return endpoint;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await app?.close();
  app = null;
  if (bare) {
    bare.closeAllConnections();
    await new Promise<void>((resolve) => bare!.close(() => resolve()));
    bare = null;
  }
});

function post(body: string, contentType = 'application/json', project = 'prod') {
  return fetch(`${base}/api/projects/${project}/publish`, { method: 'POST', headers: { 'content-type': contentType }, body });
}

const upsert = (id: string): Payload => ({ type: 'node-upsert', node: { id, label: id, kind: 'svc', status: 'healthy' } });
const event = (message: string): Payload => ({ type: 'event', message, severity: 'info' });
const lines = (...items: unknown[]) => items.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join('\n');

/** What the project's room has folded in, in order of the seqs it stamped. */
function publishedNodeIds(): string[] {
  return app!.gateway.room('prod')!.state.snapshot().nodes.map((node) => node.id);
}

describe('POST /api/projects/:id/publish bodies', () => {
  it('takes NDJSON, publishes the good lines around a bad one, and names the bad one by index and line', async () => {
    await startApp();
    const viewer = await TestClient.open(`${base.replace('http', 'ws')}/ws?project=prod`);
    clients.push(viewer);
    await waitFor(() => viewer.snapshot !== undefined, 'snapshot');
    // Line 1: a, 2: blank, 3: not JSON, 4: b, 5: an invalid payload, 6: blank, 7: an event.
    const body = lines(upsert('a'), '', '{"type": "node-upsert",', upsert('b'), { type: 'node-status', id: 'a', status: 'sleepy' }, '   ', event('done'));

    const res = await post(body, 'application/x-ndjson');
    expect(res.status).toBe(202);
    const answer = await res.json();
    expect(answer).toMatchObject({ accepted: 3, refused: 2, seq: 3 });
    expect(answer.errors).toEqual([
      { index: 1, line: 3, error: 'not JSON', issues: [] },
      { index: 3, line: 5, error: 'invalid payload', issues: [expect.objectContaining({ path: 'status' })] },
    ]);
    await waitFor(() => viewer.envelopes.length === 3, 'the good lines');
    expect(viewer.envelopes.map((e) => e.data)).toEqual([upsert('a'), upsert('b'), event('done')]);
    expect(app!.publishEndpoint.stats()).toMatchObject({ accepted: 3, rejected: 0, messagesRefused: 2 });
  });

  it('reads several JSON lines as NDJSON without being told, CRLF line ends included', async () => {
    await startApp();
    const res = await post([upsert('a'), upsert('b'), upsert('c')].map((p) => JSON.stringify(p)).join('\r\n'), 'text/plain');
    expect(await res.json()).toEqual({ accepted: 3, refused: 0, seq: 3, errors: [] });
    expect(publishedNodeIds()).toEqual(['a', 'b', 'c']);
  });

  it('reads one line of NDJSON, and a pretty-printed JSON payload over several lines', async () => {
    await startApp();
    expect((await post(JSON.stringify(upsert('a')), 'application/x-ndjson; charset=utf-8')).status).toBe(202);
    expect((await post(JSON.stringify(upsert('b'), null, 2))).status).toBe(202);
    expect(publishedNodeIds()).toEqual(['a', 'b']);
  });

  it.each([
    { name: 'NDJSON of which no line is valid', body: lines('nope', { type: 'reboot' }), type: 'application/x-ndjson', refused: 2 },
    { name: 'NDJSON of blank lines only', body: '\n  \n\n', type: 'application/x-ndjson', error: 'empty body' },
    { name: 'several lines of which none is JSON', body: 'hello\nworld', type: 'application/json', error: 'body is not JSON' },
    { name: 'a JSON string', body: '"node-upsert"', type: 'application/json', refused: 1 },
  ])('rejects $name with 400 and publishes nothing', async ({ body, type, refused, error }) => {
    await startApp();
    const res = await post(body, type);
    expect(res.status).toBe(400);
    const answer = await res.json();
    if (refused === undefined) expect(answer).toEqual({ error });
    else {
      expect(answer).toMatchObject({ error: 'no valid payloads', accepted: 0, refused, seq: null });
      expect(answer.errors.map((e: { index: number }) => e.index)).toEqual([...Array(refused).keys()]);
    }
    expect(app!.gateway.room('prod')).toBeUndefined();
  });

  it(`lists the first ${MAX_LISTED_ERRORS} refused messages and counts them all`, async () => {
    await startApp();
    const bad = Array.from({ length: 150 }, () => ({ type: 'event', severity: 'loud', message: 'x' }));
    const res = await post(JSON.stringify([...bad, upsert('a')]));
    expect(res.status).toBe(202);
    const answer = await res.json();
    expect(answer).toMatchObject({ accepted: 1, refused: 150, seq: 1 });
    expect(answer.errors).toHaveLength(MAX_LISTED_ERRORS);
    expect(answer.errors.at(-1).index).toBe(MAX_LISTED_ERRORS - 1);
    expect(app!.publishEndpoint.stats().messagesRefused).toBe(150);
  });

  it('publishes hostile strings as data, verbatim, and does not echo an oversized key back whole', async () => {
    await startApp();
    const hostile: Payload[] = [
      { type: 'node-upsert', node: { id: '__proto__', label: '<script>alert(1)</script>', kind: 'constructor', status: 'down', meta: { toString: 'x', '"}\n{': 1 } } },
      { type: 'event', message: '\u202eevil\u0000\ud83d\ude00 "},{"type":"node-delete"', severity: 'error', nodeId: '__proto__' },
      { type: 'log-chunk', nodeId: '__proto__', text: '\n\r\n\u2028line\u2029' },
    ];
    const longKey = 'k'.repeat(10_000);
    const oversized = { type: 'node-upsert', node: { id: 'x', label: 'x', kind: 'x', status: 'healthy', meta: { [longKey]: 1 } } };
    const res = await post(lines(...hostile, oversized), 'application/x-ndjson');
    expect(res.status).toBe(202);
    const text = await res.text();
    expect(text.length).toBeLessThan(1_000);
    const answer = JSON.parse(text);
    expect(answer).toMatchObject({ accepted: 3, refused: 1, errors: [{ index: 3, line: 4, error: 'invalid payload' }] });
    const state = app!.gateway.room('prod')!.state.snapshot();
    expect(state.nodes).toEqual([(hostile[0] as Extract<Payload, { type: 'node-upsert' }>).node]);
    const { type: _type, ...record } = hostile[1] as Extract<Payload, { type: 'event' }>;
    expect(state.events).toEqual([{ ...record, ts: expect.any(Number) }]);
    expect(state.logs).toEqual([{ nodeId: '__proto__', lines: expect.any(Array) }]);
  });

  it('names a message past a topology cap by its place in the body, invalid messages before it included', async () => {
    await startApp({ gateway: { flushIntervalMs: 10, stateLimits: { maxNodes: 1 } } });
    const res = await post(lines('garbage', upsert('a'), { type: 'event' }, upsert('b')), 'application/x-ndjson');
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: 'node-limit', index: 3 });
    expect(app!.gateway.room('prod')).toBeUndefined();
    expect(app!.publishEndpoint.stats()).toMatchObject({ accepted: 0, rejected: 1, messagesRefused: 4 });
  });

  it('answers other methods with 405', async () => {
    await startApp();
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await fetch(`${base}/api/projects/prod/publish`, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
    }
  });
});

describe('POST /api/projects/:id/publish limits on one request', () => {
  const eventLines = (count: number) => Array.from({ length: count }, (_, i) => JSON.stringify(event(`e${i}`))).join('\n');

  it(`publishes ${MAX_MESSAGES_PER_REQUEST} messages in one request, NDJSON or array`, async () => {
    await startApp();
    expect(MAX_MESSAGES_PER_REQUEST).toBe(10_000);
    const res = await post(eventLines(MAX_MESSAGES_PER_REQUEST), 'application/x-ndjson');
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: MAX_MESSAGES_PER_REQUEST, refused: 0 });
  });

  it.each([
    { name: 'NDJSON', body: () => eventLines(MAX_MESSAGES_PER_REQUEST + 1), type: 'application/x-ndjson' },
    { name: 'NDJSON without its content type', body: () => eventLines(MAX_MESSAGES_PER_REQUEST + 1), type: 'text/plain' },
    { name: 'a JSON array', body: () => JSON.stringify(Array.from({ length: MAX_MESSAGES_PER_REQUEST + 1 }, () => event('x'))), type: 'application/json' },
    // 1 MiB of lines that are not JSON: each would cost a failed parse and an error object.
    { name: '524,288 lines of `x`', body: () => 'x\n'.repeat(512 * 1024), type: 'application/x-ndjson' },
  ])('refuses more than 10,000 messages ($name) with 413, publishing nothing', async ({ body, type }) => {
    await startApp();
    const res = await post(body(), type);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: `more than ${MAX_MESSAGES_PER_REQUEST} messages in one request` });
    expect(app!.gateway.room('prod')).toBeUndefined();
    expect(app!.publishEndpoint.stats()).toMatchObject({ accepted: 0, rejected: 1 });
  });

  it(`stops checking at the ${MAX_INVALID_MESSAGES + 1}st invalid message and refuses the whole body with 400`, async () => {
    await startApp();
    expect(MAX_INVALID_MESSAGES).toBe(1_000);
    // Valid messages around 3,000 invalid ones (lines that are not JSON and payloads that are not valid, alternating).
    const invalid = Array.from({ length: 3_000 }, (_, i) => (i % 2 === 0 ? 'nope' : JSON.stringify({ type: 'event', severity: 'loud', message: 'x' })));
    const body = lines(upsert('a'), ...invalid, upsert('b'));
    const res = await post(body, 'application/x-ndjson');
    expect(res.status).toBe(400);
    const answer = await res.json();
    expect(answer).toMatchObject({
      error: `more than ${MAX_INVALID_MESSAGES} invalid messages in one request: none published`,
      accepted: 0,
      // Counted up to where checking stopped, not all 3,000.
      refused: MAX_INVALID_MESSAGES + 1,
      seq: null,
    });
    expect(answer.errors).toHaveLength(MAX_LISTED_ERRORS);
    expect(answer.errors[0]).toEqual({ index: 1, line: 2, error: 'not JSON', issues: [] });
    expect(app!.gateway.room('prod')).toBeUndefined();
    expect(app!.publishEndpoint.stats()).toMatchObject({ accepted: 0, rejected: 1, messagesRefused: 3_002 });
  });

  it(`still publishes the valid messages around ${MAX_INVALID_MESSAGES} invalid ones`, async () => {
    await startApp();
    const invalid = Array.from({ length: MAX_INVALID_MESSAGES }, () => ({ type: 'event', severity: 'loud', message: 'x' }));
    const res = await post(JSON.stringify([upsert('a'), ...invalid, upsert('b')]));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 2, refused: MAX_INVALID_MESSAGES, seq: 2 });
  });

  it('still calls a body of many lines, none of them JSON and no content type saying NDJSON, not JSON', async () => {
    await startApp();
    const res = await post('x\n'.repeat(5_000), 'text/plain');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'body is not JSON' });
  });
});

describe('POST /api/projects/:id/publish with a UTF-8 byte-order mark', () => {
  it.each([
    { name: 'one payload', body: `\uFEFF${JSON.stringify(upsert('a'))}`, type: 'application/json', ids: ['a'] },
    { name: 'an array', body: `\uFEFF${JSON.stringify([upsert('a'), upsert('b')])}`, type: 'application/json', ids: ['a', 'b'] },
    { name: 'NDJSON', body: `\uFEFF${lines(upsert('a'), upsert('b'))}`, type: 'application/x-ndjson', ids: ['a', 'b'] },
    { name: 'NDJSON without its content type', body: `\uFEFF${lines(upsert('a'), upsert('b'))}`, type: 'text/plain', ids: ['a', 'b'] },
  ])('reads $name that starts with one', async ({ body, type, ids }) => {
    await startApp();
    const res = await post(body, type);
    expect(await res.json()).toMatchObject({ accepted: ids.length, refused: 0 });
    expect(res.status).toBe(202);
    expect(publishedNodeIds()).toEqual(ids);
  });
});

describe('the publish endpoint with a gateway that answers later', () => {
  it('waits for an asynchronous publishAll and answers with its outcome', async () => {
    const calls: Payload[][] = [];
    const endpoint = await startBare({
      publishAll: async (_project, payloads) => {
        calls.push([...payloads]);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { ok: true, count: payloads.length, seq: 41 + payloads.length };
      },
    });
    const res = await post(lines(upsert('a'), 'nope', upsert('b')), 'application/x-ndjson');
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2, refused: 1, seq: 43, errors: [{ index: 1, line: 2, error: 'not JSON', issues: [] }] });
    expect(calls).toEqual([[upsert('a'), upsert('b')]]);
    expect(endpoint.stats()).toMatchObject({ accepted: 2, messagesRefused: 1 });
  });

  it.each([
    { name: 'a cap', outcome: { ok: false, code: 'edge-limit', reason: 'too many edges', index: 0 } as PublishAllOutcome, status: 422 },
    { name: 'a full gateway', outcome: { ok: false, code: 'too-many-projects', reason: 'full' } as PublishAllOutcome, status: 503 },
  ])('answers an asynchronous refusal for $name with $status', async ({ outcome, status }) => {
    await startBare({ publishAll: () => Promise.resolve(outcome) });
    const res = await post(JSON.stringify(event('x')));
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ code: outcome.ok ? undefined : outcome.code });
  });

  it('answers 503 unavailable, with a Retry-After, when publishAll rejects', async () => {
    const errors: string[] = [];
    configureLog({ level: 'error', err: (line) => void errors.push(line) });
    try {
      const endpoint = await startBare({ publishAll: () => Promise.reject(new Error('redis down')) });
      const res = await post(JSON.stringify([event('a'), event('b')]));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toEqual({ error: 'gateway unavailable', code: 'unavailable' });
      expect(endpoint.stats()).toMatchObject({ accepted: 0, rejected: 1, messagesRefused: 2 });
    } finally {
      configureLog(null);
    }
    expect(errors).toHaveLength(1);
    expect(JSON.parse(errors[0]!)).toMatchObject({ level: 'error', msg: 'publish: gateway unavailable', error: { message: 'redis down' } });
  });
});
