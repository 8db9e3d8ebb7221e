/**
 * The publisher against the real thing: the standalone server on port 0, a
 * v1 WebSocket viewer, and the project's room. What the publisher's methods
 * emit must reach the viewer whole and in order, with contiguous seqs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Payload } from '../../src/protocol/messages.ts';
import { createPublisher, type Publisher, type PublisherOptions, type PublishFailure } from '../../src/publisher/publisher.ts';
import { mintToken } from '../../src/server/auth.ts';
import { createStandaloneServer, type StandaloneServer } from '../../src/server/standalone.ts';
import { expectContiguous, TestClient, waitFor } from '../server/support.ts';

let app: StandaloneServer | null = null;
let base: string;
const clients: TestClient[] = [];
const publishers: Publisher[] = [];

afterEach(async () => {
  for (const publisher of publishers.splice(0)) await publisher.close({ timeoutMs: 0 });
  for (const client of clients.splice(0)) client.close();
  await app?.close();
  app = null;
});

async function start(options: Parameters<typeof createStandaloneServer>[0] = {}): Promise<void> {
  app = createStandaloneServer({ simulation: { enabled: false, size: 30, ratePerSecond: 0 }, ...options, gateway: { flushIntervalMs: 10, ...options.gateway } });
  base = `http://127.0.0.1:${(await app.listen(0)).port}`;
}

async function viewer(project: string): Promise<TestClient> {
  const client = await TestClient.open(`${base.replace('http', 'ws')}/ws?project=${project}`);
  clients.push(client);
  await waitFor(() => client.snapshot !== undefined, 'snapshot');
  return client;
}

function publisherFor(project: string, options: Partial<PublisherOptions> = {}): { publisher: Publisher; failures: PublishFailure[] } {
  const failures: PublishFailure[] = [];
  const publisher = createPublisher({
    url: base,
    project,
    batchIntervalMs: 5,
    retry: { initialDelayMs: 1, maxDelayMs: 5, jitter: 0 },
    onError: (failure) => failures.push(failure),
    ...options,
  });
  publishers.push(publisher);
  return { publisher, failures };
}

describe('the publisher and the gateway', () => {
  it('delivers nodes, edges, events, logs, series and progress to a viewer, in order, with contiguous seqs', async () => {
    await start();
    const client = await viewer('shop');
    const { publisher, failures } = publisherFor('shop', { maxBatch: 4 });
    const db = { id: 'db', label: 'Postgres', kind: 'postgres', status: 'healthy', group: 'data', meta: { version: '16.2', replicas: 2 } } as const;
    const api = { id: 'api', label: 'API', kind: 'api', status: 'starting' } as const;

    publisher.upsertNode(db);
    publisher.upsertNode(api);
    publisher.upsertEdge({ id: 'api->db', source: 'api', target: 'db', label: 'sql' });
    publisher.edgeStats('api->db', { rps: 120, errorRate: 0.01, p95Ms: 8 });
    publisher.emitServiceStatus('api', 'healthy');
    publisher.event('api deployed', 'info', 'api');
    publisher.emitLogStream('api', 'listening on :8080\nready', 'info');
    publisher.point('db.tps', { t: 1_000, y: 412 }, 'db');
    publisher.emitBuildProgress('api', 3, 6, 'Creating networks');
    publisher.emitDockerStats('api', { cpu: 12.5, memory: 1_048_576, network: { rx: 0, tx: 0 }, t: 2_000 });
    publisher.emitDockerStats('api', { cpu: 13, memory: 2_097_152, network: { rx: 4_000, tx: 2_000 }, t: 4_000 });
    publisher.setStatus('db', 'degraded');
    publisher.publish([
      { type: 'event', message: 'replica lag', severity: 'warn', nodeId: 'db' },
      { type: 'progress', progress: { id: 'crawl', label: 'Crawl', percent: 10, status: 'running' } },
    ]);
    await publisher.flush();

    const point = (series: string, t: number, y: number, nodeId: string): Payload => ({ type: 'chart-point', series, value: { t, y }, nodeId });
    const expected: Payload[] = [
      { type: 'node-upsert', node: db },
      { type: 'node-upsert', node: api },
      { type: 'edge-upsert', edge: { id: 'api->db', source: 'api', target: 'db', label: 'sql' } },
      { type: 'edge-stats', id: 'api->db', stats: { rps: 120, errorRate: 0.01, p95Ms: 8 } },
      { type: 'node-status', id: 'api', status: 'healthy' },
      { type: 'event', message: 'api deployed', severity: 'info', nodeId: 'api' },
      { type: 'log-chunk', nodeId: 'api', text: 'listening on :8080\nready', level: 'info' },
      point('db.tps', 1_000, 412, 'db'),
      { type: 'progress', progress: { id: 'build:api', label: 'Build api · Creating networks', percent: 50, status: 'running', step: 3, steps: 6 } },
      point('api:docker/cpu_pct', 2_000, 12.5, 'api'),
      point('api:docker/memory_bytes', 2_000, 1_048_576, 'api'),
      point('api:docker/cpu_pct', 4_000, 13, 'api'),
      point('api:docker/memory_bytes', 4_000, 2_097_152, 'api'),
      point('api:docker/net/rx_bytes_per_s', 4_000, 2_000, 'api'),
      point('api:docker/net/tx_bytes_per_s', 4_000, 1_000, 'api'),
      { type: 'node-status', id: 'db', status: 'degraded' },
      { type: 'event', message: 'replica lag', severity: 'warn', nodeId: 'db' },
      { type: 'progress', progress: { id: 'crawl', label: 'Crawl', percent: 10, status: 'running' } },
    ];
    await waitFor(() => client.envelopes.length === expected.length, 'every payload');
    expect(client.envelopes.map((e) => e.data)).toEqual(expected);
    expectContiguous(client.envelopes.map((e) => e.seq), 1);
    expect(failures).toEqual([]);
    expect(publisher.stats()).toMatchObject({ queued: 0, sent: expected.length, accepted: expected.length, refused: 0, dropped: 0, retries: 0 });

    // And the room folded it all in.
    const state = app!.gateway.room('shop')!.state.snapshot();
    expect(state.nodes).toEqual([{ ...db, status: 'degraded' }, { ...api, status: 'healthy' }]);
    expect(state.edges).toEqual([{ id: 'api->db', source: 'api', target: 'db', label: 'sql', stats: { rps: 120, errorRate: 0.01, p95Ms: 8 } }]);
    expect(state.events.map((e) => e.message)).toEqual(['api deployed', 'replica lag']);
    expect(state.logs).toEqual([{ nodeId: 'api', lines: [expect.objectContaining({ text: 'listening on :8080' }), expect.objectContaining({ text: 'ready' })] }]);
    expect(state.series.map((s) => s.series).sort()).toEqual(
      ['api:docker/cpu_pct', 'api:docker/memory_bytes', 'api:docker/net/rx_bytes_per_s', 'api:docker/net/tx_bytes_per_s', 'db.tps'].sort(),
    );
    expect(state.progress.map((p) => p.id)).toEqual(['build:api', 'crawl']);
  });

  it('delivers hostile strings verbatim', async () => {
    await start();
    const client = await viewer('shop');
    const { publisher } = publisherFor('shop');
    const node = { id: '__proto__', label: '<img src=x onerror=alert(1)>', kind: 'constructor', status: 'down', meta: { hasOwnProperty: 'x' } } as const;
    publisher.upsertNode(node);
    publisher.event('\u202e}{"type":"node-delete"\n\u0000😀', 'error', '__proto__');
    publisher.log('__proto__', '\u2028\u2029\r\n\\n');
    await publisher.flush();
    await waitFor(() => client.envelopes.length === 3, 'the payloads');
    expect(client.envelopes.map((e) => e.data)).toEqual([
      { type: 'node-upsert', node },
      { type: 'event', message: '\u202e}{"type":"node-delete"\n\u0000😀', severity: 'error', nodeId: '__proto__' },
      { type: 'log-chunk', nodeId: '__proto__', text: '\u2028\u2029\r\n\\n' },
    ]);
  });

  it('sends smaller batches when the gateway refuses a body as too large (413), losing nothing', async () => {
    await start({ maxPublishBytes: 2_048 });
    const { publisher, failures } = publisherFor('shop', { batchIntervalMs: 60_000 });
    const events: Payload[] = Array.from({ length: 60 }, (_, i) => ({ type: 'event', message: `event ${i} ${'x'.repeat(60)}`, severity: 'info' }));
    publisher.publish(events);
    await publisher.flush();
    expect(failures).toEqual([]);
    expect(publisher.stats()).toMatchObject({ sent: 60, accepted: 60, refused: 0, lastError: { status: 413 } });
    expect(app!.gateway.room('shop')!.state.snapshot().events.map((e) => e.message)).toEqual(events.map((e) => (e as { message: string }).message));
  });

  it('refuses only the payload past a topology cap (422), and publishes the rest of its batch', async () => {
    await start({ gateway: { stateLimits: { maxNodes: 1 } } });
    const { publisher, failures } = publisherFor('shop', { maxBatch: 2 });
    const upsert = (id: string): Payload => ({ type: 'node-upsert', node: { id, label: id, kind: 'svc', status: 'healthy' } });
    publisher.publish([upsert('a'), upsert('b'), { type: 'event', message: 'after', severity: 'info' }]);
    await publisher.flush();
    expect(failures).toEqual([{ status: 422, error: expect.any(String), errors: [], payloads: [upsert('b')] }]);
    expect(publisher.stats()).toMatchObject({ sent: 3, accepted: 2, refused: 1, retries: 0 });
    const state = app!.gateway.room('shop')!.state.snapshot();
    expect(state.nodes.map((n) => n.id)).toEqual(['a']);
    expect(state.events.map((e) => e.message)).toEqual(['after']);
  });

  it('gets under a body limit below 1 KiB (413) one payload at a time, and refuses a payload over it alone', async () => {
    await start({ maxPublishBytes: 500 });
    const { publisher, failures } = publisherFor('shop');
    const sized = (name: string, length: number): Payload => ({ type: 'event', message: `${name} ${'x'.repeat(length)}`, severity: 'info' });
    const pair = [sized('one', 329), sized('two', 329)];
    expect(pair.map((p) => Buffer.byteLength(JSON.stringify(p)))).toEqual([380, 380]);
    publisher.publish(pair);
    await publisher.flush();
    const big = sized('big', 600);
    publisher.publish(big);
    await publisher.flush();
    expect(failures).toEqual([{ status: 413, error: expect.any(String), errors: [], payloads: [big] }]);
    expect(publisher.stats()).toMatchObject({ sent: 3, accepted: 2, refused: 1, retries: 0 });
    expect(app!.gateway.room('shop')!.state.snapshot().events.map((e) => e.message)).toEqual(pair.map((p) => (p as { message: string }).message));
  });
});

describe('the publisher and a gateway with token auth', () => {
  const SECRET = 'publisher-round-trip-secret-of-at-least-32-bytes';

  it('reports a wrong token (401) without retrying it', async () => {
    await start({ gateway: { auth: { secret: SECRET }, projects: ['shop'] } });
    const { publisher, failures } = publisherFor('shop', { token: 'not.a.jwt' });
    publisher.event('hello', 'info');
    await publisher.flush();
    expect(failures).toEqual([{ status: 401, error: expect.any(String), errors: [], payloads: [{ type: 'event', message: 'hello', severity: 'info' }] }]);
    expect(publisher.stats()).toMatchObject({ sent: 1, accepted: 0, refused: 1, retries: 0, lastError: { status: 401 } });
    expect(app!.publishEndpoint.stats().rejected).toBe(1);
    expect(app!.gateway.room('shop')?.seq ?? 0).toBe(0);
  });

  it('publishes with a token that allows the project, asked for before each request', async () => {
    await start({ gateway: { auth: { secret: SECRET }, projects: ['shop'] } });
    let asked = 0;
    const token = async () => {
      asked++;
      return mintToken(SECRET, { sub: 'ci', projects: ['shop'], publish: true });
    };
    const { publisher, failures } = publisherFor('shop', { token, maxBatch: 1 });
    publisher.event('one', 'info');
    publisher.event('two', 'info');
    await publisher.flush();
    expect(failures).toEqual([]);
    expect(asked).toBe(2);
    expect(app!.gateway.room('shop')!.seq).toBe(2);
  });
});
