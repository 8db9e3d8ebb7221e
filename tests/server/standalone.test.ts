import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Payload } from '../../src/protocol/messages.ts';
import { createStandaloneServer, type StandaloneServer } from '../../src/server/standalone.ts';
import { EXTRA_ORIGIN, ORIGIN_CASES } from './origin-cases.ts';
import { expectContiguous, TestClient, waitFor } from './support.ts';

let app: StandaloneServer;
let base: string;
let dist: string;
const clients: TestClient[] = [];

async function start(options: Parameters<typeof createStandaloneServer>[0] = {}): Promise<void> {
  app = createStandaloneServer({ distDir: dist, gateway: { flushIntervalMs: 10, allowedOrigins: [EXTRA_ORIGIN] }, ...options });
  const address = await app.listen(0);
  base = `http://127.0.0.1:${address.port}`;
}

function publish(project: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${base}/api/projects/${encodeURIComponent(project)}/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

/** A raw request, for what fetch will not send (a body larger than its declared length, no length at all, any Origin and Host). */
function rawPost(path: string, chunks: Buffer[], headers: Record<string, string> = { 'transfer-encoding': 'chunked' }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'POST', headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

const node: Payload = { type: 'node-upsert', node: { id: 'db', label: 'DB', kind: 'postgres', status: 'healthy' } };

beforeEach(async () => {
  dist = await mkdtemp(join(tmpdir(), 'meshwatch-dist-'));
  await mkdir(join(dist, 'assets'));
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>meshwatch</title>');
  await writeFile(join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
  await writeFile(join(dist, 'favicon.svg'), '<svg/>');
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await app?.close();
  await rm(dist, { recursive: true, force: true });
});

describe('standalone server', () => {
  describe('POST /api/projects/:id/publish', () => {
    beforeEach(() => start());

    it('accepts one valid payload with 202 and the seq it got', async () => {
      const res = await publish('prod', JSON.stringify(node));
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: 1, refused: 0, seq: 1, errors: [] });
    });

    it('accepts an array of payloads, and they reach a connected client in order', async () => {
      const client = await TestClient.open(`${base.replace('http', 'ws')}/ws?project=prod`);
      clients.push(client);
      await waitFor(() => client.snapshot !== undefined, 'snapshot');
      const payloads: Payload[] = [
        node,
        { type: 'node-status', id: 'db', status: 'degraded' },
        { type: 'event', message: 'replica lag 4 s', severity: 'warn', nodeId: 'db' },
      ];
      const res = await publish('prod', JSON.stringify(payloads));
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: 3, refused: 0, seq: 3, errors: [] });
      await waitFor(() => client.envelopes.length === 3, 'published payloads');
      expect(client.envelopes.map((e) => e.data)).toEqual(payloads);
      expectContiguous(client.envelopes.map((e) => e.seq), 1);
    });

    it.each([
      { name: 'not JSON', body: '{"type":', error: 'body is not JSON', refused: 0 },
      { name: 'an empty body', body: '', error: 'empty body', refused: 0 },
      { name: 'an unknown payload type', body: JSON.stringify({ type: 'reboot' }), error: 'no valid payloads', refused: 1 },
      { name: 'a payload with an out-of-range field', body: JSON.stringify({ type: 'edge-stats', id: 'e', stats: { rps: 1, errorRate: 2, p95Ms: 1 } }), error: 'no valid payloads', refused: 1 },
      { name: 'an empty array', body: '[]', error: 'no payloads', refused: 0 },
      { name: 'an array of which no payload is valid', body: JSON.stringify([{ type: 'event' }, 42]), error: 'no valid payloads', refused: 2 },
    ])('rejects $name with 400, a JSON error, and publishes nothing', async ({ body, error, refused }) => {
      const res = await publish('prod', body);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toBe(error);
      expect(app.gateway.room('prod')).toBeUndefined();
      expect(app.publishEndpoint.stats()).toEqual({ accepted: 0, rejected: 1, messagesRefused: refused, originsRefused: 0 });
    });

    it('publishes the valid payloads of an array and says which ones it refused', async () => {
      const res = await publish('prod', JSON.stringify([node, node, { type: 'event', severity: 'loud', message: 'x' }]));
      expect(res.status).toBe(202);
      const body = await res.json();
      expect(body).toMatchObject({ accepted: 2, refused: 1, seq: 2 });
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0]).toMatchObject({ index: 2, error: 'invalid payload' });
      expect(body.errors[0]).not.toHaveProperty('line');
      expect(body.errors[0].issues[0].path).toBe('severity');
      expect(app.gateway.room('prod')!.seq).toBe(2);
      expect(app.publishEndpoint.stats()).toEqual({ accepted: 2, rejected: 0, messagesRefused: 1, originsRefused: 0 });
    });

    it('rejects a body over 1 MiB with 413, by its declared length', async () => {
      const res = await publish('prod', JSON.stringify({ type: 'event', severity: 'info', message: 'x'.repeat(1024 * 1024) }));
      expect(res.status).toBe(413);
      expect(app.publishEndpoint.stats().rejected).toBe(1);
    });

    it('rejects a body over 1 MiB with 413 while it streams in, without a declared length', async () => {
      const chunk = Buffer.alloc(256 * 1024, 0x20);
      const res = await rawPost('/api/projects/prod/publish', [chunk, chunk, chunk, chunk, chunk]);
      expect(res.status).toBe(413);
      expect(app.gateway.room('prod')).toBeUndefined();
    });

    it('publishes all of a request or, when it would pass a topology cap, none of it (422)', async () => {
      await app.close();
      await start({ gateway: { flushIntervalMs: 10, stateLimits: { maxNodes: 2 } } });
      const client = await TestClient.open(`${base.replace('http', 'ws')}/ws?project=prod`);
      clients.push(client);
      await waitFor(() => client.snapshot !== undefined, 'snapshot');
      const nodeUpsert = (id: string): Payload => ({ type: 'node-upsert', node: { id, label: id, kind: 'svc', status: 'healthy' } });
      const tooMany = [nodeUpsert('a'), { type: 'event', message: 'before the cap', severity: 'info' } satisfies Payload, nodeUpsert('b'), nodeUpsert('c')];

      const refused = await publish('prod', JSON.stringify(tooMany));
      expect(refused.status).toBe(422);
      expect(await refused.json()).toMatchObject({ code: 'node-limit', index: 3 });
      expect(app.gateway.room('prod')!.seq).toBe(0);

      const res = await publish('prod', JSON.stringify(tooMany.slice(0, 3)));
      expect(await res.json()).toEqual({ accepted: 3, refused: 0, seq: 3, errors: [] });
      await waitFor(() => client.envelopes.length === 3, 'the accepted request');
      // Nothing of the refused request came first.
      expect(client.envelopes.map((e) => e.data)).toEqual(tooMany.slice(0, 3));
      expect(app.publishEndpoint.stats()).toEqual({ accepted: 3, rejected: 1, messagesRefused: 4, originsRefused: 0 });
    });

    it('refuses a request over a cap for a project not yet open without opening it', async () => {
      await app.close();
      await start({ gateway: { flushIntervalMs: 10, stateLimits: { maxEdges: 1 } } });
      const edges: Payload[] = [
        { type: 'edge-upsert', edge: { id: 'a->b', source: 'a', target: 'b' } },
        { type: 'edge-upsert', edge: { id: 'b->a', source: 'b', target: 'a' } },
      ];
      const res = await publish('fresh', JSON.stringify(edges));
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ code: 'edge-limit', index: 1 });
      expect(app.gateway.room('fresh')).toBeUndefined();
    });

    it('answers 503 and publishes nothing once the gateway is closing', async () => {
      await app.gateway.close();
      const res = await publish('prod', JSON.stringify([node, node]));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toMatchObject({ code: 'gateway-closed' });
      expect(app.publishEndpoint.stats()).toMatchObject({ accepted: 0, rejected: 1 });
    });

    it.each(ORIGIN_CASES)('decides on a publish from $name by its Origin (allowed: $allowed)', async ({ origin, host, allowed }) => {
      // text/plain: what another site's page can send without a preflight.
      const headers: Record<string, string> = { 'content-type': 'text/plain' };
      if (origin !== undefined) headers.origin = origin;
      if (host !== undefined) headers.host = host;
      const res = await rawPost('/api/projects/prod/publish', [Buffer.from(JSON.stringify(node))], headers);
      if (allowed) {
        expect(res.status).toBe(202);
        expect(app.gateway.room('prod')!.seq).toBe(1);
      } else {
        expect(res.status).toBe(403);
        expect(JSON.parse(res.body)).toEqual({ error: 'origin not allowed' });
        expect(app.gateway.room('prod')).toBeUndefined();
      }
      expect(app.publishEndpoint.stats().originsRefused).toBe(allowed ? 0 : 1);
    });

    describe('from a page of an allowed other origin (CORS)', () => {
      const publishUrl = () => `${base}/api/projects/prod/publish`;
      /** What a browser sends before an NDJSON POST with a token: content-type and authorization are not simple headers. */
      const preflight = (origin: string) =>
        fetch(publishUrl(), {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
        });

      it('answers the preflight with 204 and what the page may send', async () => {
        const res = await preflight(EXTRA_ORIGIN);
        expect(res.status).toBe(204);
        expect(res.headers.get('access-control-allow-origin')).toBe(EXTRA_ORIGIN);
        expect(res.headers.get('access-control-allow-methods')).toBe('POST');
        expect(res.headers.get('access-control-allow-headers')).toBe('content-type, authorization');
        expect(res.headers.get('access-control-max-age')).toBe('600');
        expect(res.headers.get('vary')).toBe('Origin');
        expect(await res.text()).toBe('');
        expect(app.publishEndpoint.stats()).toEqual({ accepted: 0, rejected: 0, messagesRefused: 0, originsRefused: 0 });
      });

      it('lets the page read every answer to its POST, success or not', async () => {
        const headers = { origin: EXTRA_ORIGIN, 'content-type': 'application/x-ndjson' };
        const accepted = await publish('prod', JSON.stringify(node), headers);
        expect(accepted.status).toBe(202);
        expect(accepted.headers.get('access-control-allow-origin')).toBe(EXTRA_ORIGIN);
        expect(accepted.headers.get('vary')).toBe('Origin');
        expect(app.gateway.room('prod')!.seq).toBe(1);

        for (const [body, project, status] of [['{"type":', 'prod', 400], [JSON.stringify(node), 'x'.repeat(129), 400], ['x'.repeat(1024 * 1024 + 1), 'prod', 413]] as const) {
          const refused = await publish(project, body, headers);
          expect(refused.status).toBe(status);
          expect(refused.headers.get('access-control-allow-origin')).toBe(EXTRA_ORIGIN);
          expect(refused.headers.get('vary')).toBe('Origin');
        }
      });

      it('gives a loopback page on another port (the dev server) the same answers', async () => {
        const origin = 'http://localhost:5173';
        const res = await preflight(origin);
        expect(res.status).toBe(204);
        expect(res.headers.get('access-control-allow-origin')).toBe(origin);
        const post = await publish('prod', JSON.stringify(node), { origin });
        expect(post.status).toBe(202);
        expect(post.headers.get('access-control-allow-origin')).toBe(origin);
      });

      it('refuses the preflight and the POST of a page of another site with 403, and no CORS header', async () => {
        const res = await preflight('https://evil.example');
        expect(res.status).toBe(403);
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
        const post = await publish('prod', JSON.stringify(node), { origin: 'https://evil.example' });
        expect(post.status).toBe(403);
        expect(post.headers.get('access-control-allow-origin')).toBeNull();
        expect(app.gateway.room('prod')).toBeUndefined();
        expect(app.publishEndpoint.stats().originsRefused).toBe(2);
      });

      it('still answers OPTIONS without an Origin (not a preflight) with 405', async () => {
        const res = await fetch(publishUrl(), { method: 'OPTIONS' });
        expect(res.status).toBe(405);
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
      });
    });

    it('rejects a bad project id with 400 and other methods with 405', async () => {
      expect((await publish('x'.repeat(129), JSON.stringify(node))).status).toBe(400);
      const malformed = await fetch(`${base}/api/projects/%E0%A4%A/publish`, { method: 'POST', body: JSON.stringify(node) });
      expect(malformed.status).toBe(400);
      const get = await fetch(`${base}/api/projects/prod/publish`);
      expect(get.status).toBe(405);
      expect(get.headers.get('allow')).toBe('POST');
    });
  });

  describe('with the simulator on', () => {
    beforeEach(() => start({ simulation: { enabled: true, size: 30, ratePerSecond: 100 } }));

    it('simulates a project a viewer opens', async () => {
      const client = await TestClient.open(`${base.replace('http', 'ws')}/ws?project=demo`);
      clients.push(client);
      await waitFor(() => client.snapshot !== undefined, 'snapshot');
      expect(client.snapshot!.state.nodes.length).toBeGreaterThanOrEqual(20);
      await waitFor(() => client.envelopes.length > 5, 'live traffic');
    });

    it('never simulates a project first opened by a publisher, and stops simulating one a publisher takes over', async () => {
      await publish('real', JSON.stringify(node));
      expect(app.simulations!.has('real')).toBe(false);
      const viewer = await TestClient.open(`${base.replace('http', 'ws')}/ws?project=demo`);
      clients.push(viewer);
      await waitFor(() => app.simulations!.has('demo'), 'demo simulated');
      await publish('demo', JSON.stringify(node));
      expect(app.simulations!.has('demo')).toBe(false);
    });
  });

  describe('HTTP', () => {
    beforeEach(() => start());

    it('reports health with the gateway stats', async () => {
      const res = await fetch(`${base}/healthz`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toMatchObject({ status: 'ok', gateway: { connections: 0, rooms: 0 } });
      expect(body.gateway.epoch).toBe(app.gateway.epoch);
    });

    it.each([
      { path: '/', type: 'text/html; charset=utf-8', cache: 'no-cache' },
      { path: '/?project=demo', type: 'text/html; charset=utf-8', cache: 'no-cache' },
      { path: '/assets/app-1234.js', type: 'text/javascript; charset=utf-8', cache: 'public, max-age=31536000, immutable' },
      { path: '/favicon.svg', type: 'image/svg+xml', cache: 'no-cache' },
    ])('serves $path from dist with its content type', async ({ path, type, cache }) => {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('cache-control')).toBe(cache);
      expect((await res.text()).length).toBeGreaterThan(0);
    });

    it.each(['/missing.js', '/../package.json', '/%2e%2e/package.json', '/assets/../../package.json'])('answers %s with 404', async (path) => {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(404);
    });

    it('refuses WebSocket upgrades on other paths with 404', async () => {
      const client = new TestClient(`${base.replace('http', 'ws')}/elsewhere?project=p`);
      clients.push(client);
      await waitFor(() => client.httpStatus !== null, 'HTTP response');
      expect(client.httpStatus).toBe(404);
    });
  });

  it('says the app is not built when dist is empty, and still serves the gateway', async () => {
    await rm(join(dist, 'index.html'));
    await start();
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build');
  });
});
