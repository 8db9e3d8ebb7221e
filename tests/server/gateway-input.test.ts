import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { ErrorFrame, PongFrame } from '../../src/protocol/frames.ts';
import { EXTRA_ORIGIN, ORIGIN_CASES } from './origin-cases.ts';
import { CLOSE_CODES } from '../../src/protocol/close-codes.ts';
import { batchRanges, expectContiguous, expectContiguousRanges, startGateway, TestClient, waitFor, type RunningGateway } from './support.ts';

let running: RunningGateway;
const clients: TestClient[] = [];
let publisher: NodeJS.Timeout | undefined;

async function connect(project: string | null = 'p1', protocols?: string[]): Promise<TestClient> {
  const client = await TestClient.open(running.url(project), protocols);
  clients.push(client);
  await waitFor(() => client.frames.length > 0 || protocols?.length === 0, 'first frame');
  return client;
}

/** A well-behaved client in the same project, receiving a steady stream the whole time. */
async function healthyBystander(): Promise<TestClient> {
  const bystander = await connect();
  let i = 0;
  publisher = setInterval(() => running.gateway.publish('p1', { type: 'event', message: `tick ${i++}`, severity: 'info' }), 2);
  await waitFor(() => bystander.envelopes.length > 5, 'bystander receiving');
  return bystander;
}

async function expectUndisturbed(bystander: TestClient): Promise<void> {
  const seen = bystander.envelopes.length;
  await waitFor(() => bystander.envelopes.length > seen + 5, 'bystander still receiving');
  expect(bystander.closeEvent).toBeNull();
  expectContiguous(bystander.envelopes.map((e) => e.seq), bystander.snapshot!.seq + 1);
  expectContiguousRanges(batchRanges(bystander), bystander.snapshot!.seq + 1);
}

function errors(client: TestClient): ErrorFrame[] {
  return client.frames.flatMap((f) => (f.kind === 'error' ? [f.frame] : []));
}

beforeEach(async () => {
  running = await startGateway({ flushIntervalMs: 10, allowedOrigins: [EXTRA_ORIGIN] });
});

afterEach(async () => {
  clearInterval(publisher);
  for (const client of clients.splice(0)) client.close();
  await running.close();
});

describe('gateway with client input', () => {
  it('answers a ping with a pong carrying the same id', async () => {
    const client = await connect();
    client.send(JSON.stringify({ type: 'ping', id: 7 }));
    await waitFor(() => client.frames.some((f) => f.kind === 'pong'), 'pong');
    const pong = client.frames.find((f) => f.kind === 'pong') as { frame: PongFrame };
    expect(pong.frame.id).toBe(7);
    expect(pong.frame.ts).toBeGreaterThan(0);
  });

  it.each([
    { name: 'text that is not JSON', data: 'hello {', code: 'not-json' },
    { name: 'JSON of an unknown type', data: JSON.stringify({ type: 'teleport' }), code: 'invalid-message' },
    { name: 'a subscribe without its channels', data: JSON.stringify({ type: 'subscribe', channel: 'logs:a' }), code: 'invalid-message' },
    { name: 'a second hello', data: JSON.stringify({ type: 'hello', version: 1 }), code: 'out-of-turn' },
    { name: 'a ping with a malformed id', data: JSON.stringify({ type: 'ping', id: 'seven' }), code: 'invalid-message' },
    { name: 'a JSON array', data: '[1,2,3]', code: 'invalid-message' },
    { name: 'a binary frame', data: Buffer.from([1, 2, 3]), code: 'binary-frame' },
  ])('answers $name with an error frame, counts it, and leaves a healthy client alone', async ({ data, code }) => {
    const bystander = await healthyBystander();
    const client = await connect();
    client.send(data);
    await waitFor(() => errors(client).length === 1, 'error frame');
    expect(errors(client)[0]).toMatchObject({ type: 'error', code });
    expect(running.gateway.stats().clientMessagesRejected).toBe(1);
    expect(client.closeEvent).toBeNull();
    await expectUndisturbed(bystander);
  });

  it('answers a client that speaks before its hello with an error frame, and serves it once it says hello', async () => {
    running.gateway.publish('p1', { type: 'event', message: 'before', severity: 'info' });
    const client = await TestClient.open(running.url('p1'), undefined, { hello: false });
    clients.push(client);
    client.send(JSON.stringify({ type: 'subscribe', channels: ['events'] }));
    await waitFor(() => errors(client).length === 1, 'error frame');
    expect(errors(client)[0]).toMatchObject({ type: 'error', code: 'hello-first' });
    expect(client.snapshot).toBeUndefined();
    client.send(JSON.stringify({ type: 'hello', version: 1 }));
    await waitFor(() => client.snapshot !== undefined, 'snapshot');
    expect(client.frames.map((f) => f.kind)).toEqual(['error', 'welcome', 'snapshot']);
    expect(client.snapshot!.seq).toBe(1);
    expect(running.gateway.stats().clientMessagesRejected).toBe(1);
  });

  it('closes a client that says hello in another protocol version with 1008, saying which it speaks', async () => {
    const client = new TestClient(running.url('p1'), undefined, { hello: { version: 2 } });
    clients.push(client);
    const closed = await client.closed();
    expect(closed.code).toBe(CLOSE_CODES.policyViolation);
    expect(JSON.parse(closed.reason)).toMatchObject({ reason: 'unsupported protocol version', version: 1 });
    expect(client.frames).toEqual([]);
  });

  it('closes a client sending more than maxMessagesPerSecond (past a burst of twice as many) with 4429, and leaves a healthy client alone', async () => {
    const bystander = await healthyBystander();
    const client = await connect();
    // The hello spent one of the 40 the burst allows.
    for (let i = 0; i < 60; i++) client.send(JSON.stringify({ type: 'ping', id: i }));
    const closed = await client.closed();
    expect(closed.code).toBe(CLOSE_CODES.rateLimited);
    expect(JSON.parse(closed.reason)).toMatchObject({ reason: 'too many messages', retryAfterMs: 10_000, limitPerS: 20 });
    expect(client.frames.filter((f) => f.kind === 'pong').length).toBeLessThanOrEqual(40);
    expect(running.gateway.stats().rateLimited).toBe(1);
    await expectUndisturbed(bystander);
  });

  it('closes a client sending more than 1 MiB with 1009', async () => {
    const bystander = await healthyBystander();
    const client = await connect();
    client.send('x'.repeat(1024 * 1024 + 1));
    expect((await client.closed()).code).toBe(1009);
    await waitFor(() => running.gateway.stats().clientMessagesRejected === 1, 'counted');
    await expectUndisturbed(bystander);
  });

  it('closes a client sending a text frame that is not UTF-8 with 1007', async () => {
    const bystander = await healthyBystander();
    const client = await connect();
    client.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await client.closed()).code).toBe(1007);
    await waitFor(() => running.gateway.stats().clientMessagesRejected === 1, 'counted');
    await expectUndisturbed(bystander);
  });

  it('accepts a frame of exactly the limit as a (bad) message rather than closing', async () => {
    const client = await connect();
    client.send('x'.repeat(1024 * 1024));
    await waitFor(() => errors(client).length === 1, 'error frame');
    expect(errors(client)[0]?.code).toBe('not-json');
    expect(client.closeEvent).toBeNull();
  });

  it('closes a client after 20 bad messages with 1008 and a JSON reason, not before', async () => {
    const bystander = await healthyBystander();
    const client = await connect();
    for (let i = 0; i < 19; i++) client.send('nope');
    await waitFor(() => errors(client).length === 19, '19 error frames');
    expect(client.closeEvent).toBeNull();
    client.send('one too many');
    const closed = await client.closed();
    expect(closed.code).toBe(1008);
    expect(JSON.parse(closed.reason)).toMatchObject({ reason: 'too many bad messages' });
    expect(errors(client)).toHaveLength(20);
    await expectUndisturbed(bystander);
  });

  it.each([
    { name: 'missing', url: (r: RunningGateway) => r.url(null) },
    { name: 'empty', url: (r: RunningGateway) => r.url('') },
    { name: 'blank', url: (r: RunningGateway) => r.url('   ') },
    { name: 'overlong', url: (r: RunningGateway) => r.url('x'.repeat(129)) },
  ])('rejects the upgrade with HTTP 400 when the project is $name, and keeps serving', async ({ url }) => {
    const refused = new TestClient(url(running));
    clients.push(refused);
    await waitFor(() => refused.httpStatus !== null, 'HTTP response');
    expect(refused.httpStatus).toBe(400);
    const fine = await connect('x'.repeat(128));
    expect(fine.snapshot).toBeDefined();
    expect(running.gateway.stats().rooms).toBe(1);
  });

  it.each(ORIGIN_CASES)('decides on an upgrade from $name by its Origin (allowed: $allowed)', async ({ origin, host, allowed }) => {
    const client = new TestClient(running.url(), undefined, { ...(origin === undefined ? {} : { origin }), headers: host ? { host } : {} });
    clients.push(client);
    await waitFor(() => client.snapshot !== undefined || client.httpStatus !== null, 'snapshot or refusal');
    if (allowed) {
      expect(client.httpStatus).toBeNull();
      expect(running.gateway.stats()).toMatchObject({ connections: 1, originsRefused: 0 });
    } else {
      expect(client.httpStatus).toBe(403);
      expect(running.gateway.stats()).toMatchObject({ connections: 0, rooms: 0, originsRefused: 1 });
    }
  });

  it('says why it refuses an upgrade from another site', async () => {
    const body = await new Promise<string>((resolve) => {
      const client = new TestClient(running.url(), undefined, { origin: 'https://evil.example' });
      clients.push(client);
      client.socket.on('open', () => resolve('(the upgrade was accepted)'));
      client.socket.on('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(text));
      });
    });
    expect(body).toBe('{"error":"origin not allowed"}');
  });

  it('leaves upgrades on other paths to other listeners, as Vite needs for its HMR socket', async () => {
    const other = new WebSocketServer({ noServer: true });
    running.server.on('upgrade', (req, socket, head) => {
      if (req.url === '/hmr') other.handleUpgrade(req, socket, head, (ws) => ws.send('from the other server'));
    });
    const client = new TestClient(`ws://127.0.0.1:${running.port}/hmr`, ['vite-hmr']);
    clients.push(client);
    await waitFor(() => client.raw.length === 1, 'message from the other server');
    expect(client.raw[0]).toBe('from the other server');
    expect(running.gateway.stats().connections).toBe(0);
    other.close();
  });
});
