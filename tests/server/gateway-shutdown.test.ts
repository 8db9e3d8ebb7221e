import { connect as tcpConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../src/protocol/close-codes.ts';
import type { Payload } from '../../src/protocol/messages.ts';
import type { GatewayOptions } from '../../src/server/gateway.ts';
import { expectContiguous, startGateway, TestClient, waitFor, type RunningGateway } from './support.ts';

const event = (i: number): Payload => ({ type: 'event', message: `last words ${i}`, severity: 'info' });

let running: RunningGateway | null = null;
const clients: TestClient[] = [];
const sockets: Socket[] = [];

async function gateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  // One window longer than any test, and batches big enough: whatever is published stays queued until close().
  running = await startGateway({ flushIntervalMs: 60_000, maxBatchMessages: 10_000, ...options });
  return running;
}

async function connect(protocols?: string[]): Promise<TestClient> {
  const client = await TestClient.open(running!.url('p1'), protocols);
  clients.push(client);
  return client;
}

/** A handshake done by hand, then silence: it never answers the close, so the gateway's shutdown takes closeTimeoutMs. */
async function stalledClient(): Promise<Socket> {
  const socket = tcpConnect(running!.port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => {});
  socket.write(
    'GET /ws?project=p1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.pause();
  return socket;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  await running?.close();
  running = null;
});

describe('gateway shutdown', () => {
  it('delivers every message still queued to v1 and floor clients, then closes them with 1001 and a retry delay within the jitter', async () => {
    const JITTER = 3_000;
    const N = 2_500;
    const { gateway: gw } = await gateway({ shutdownRetryJitterMs: JITTER });
    const v1 = [await connect(), await connect(), await connect()];
    const floor = [await connect([]), await connect([]), await connect([])];
    await waitFor(() => gw.stats().snapshotsSent === 6, 'all joined');

    for (let i = 0; i < N; i++) gw.publish('p1', event(i));
    for (const client of [...v1, ...floor]) await client.barrier();
    // Still queued: nothing has gone out yet.
    expect([...v1, ...floor].map((c) => c.envelopes.length)).toEqual([0, 0, 0, 0, 0, 0]);

    await gw.close();
    const delays: number[] = [];
    for (const client of [...v1, ...floor]) {
      const closed = await client.closed();
      expect(closed.code).toBe(CLOSE_CODES.goingAway);
      const reason = JSON.parse(closed.reason) as { reason: string; retryAfterMs: number };
      expect(reason.reason).toBe('gateway shutting down');
      expect(Number.isInteger(reason.retryAfterMs)).toBe(true);
      expect(reason.retryAfterMs).toBeGreaterThanOrEqual(0);
      expect(reason.retryAfterMs).toBeLessThanOrEqual(JITTER);
      delays.push(reason.retryAfterMs);
      expect(client.envelopes).toHaveLength(N);
      expectContiguous(client.envelopes.map((e) => e.seq), 1);
    }
    // v1 clients got them as one batch each; floor clients one frame each.
    for (const client of v1) expect(client.messageFrames).toHaveLength(1);
    for (const client of floor) expect(client.messageFrames).toHaveLength(N);
    // Spread out, not one delay for all (six draws of Math.random colliding is vanishingly unlikely).
    expect(new Set(delays).size).toBeGreaterThan(1);
    expect(gw.stats().connections).toBe(0);
  });

  it.each([
    { random: 0, retryAfterMs: 0 },
    { random: 0.5, retryAfterMs: 500 },
    { random: 0.9999999, retryAfterMs: 1_000 },
  ])('asks for a delay of random × shutdownRetryJitterMs ($retryAfterMs ms for $random)', async ({ random, retryAfterMs }) => {
    const { gateway: gw } = await gateway({ shutdownRetryJitterMs: 1_000, random: () => random });
    const client = await connect();
    await waitFor(() => client.snapshot !== undefined, 'snapshot');
    await gw.close();
    expect(JSON.parse((await client.closed()).reason)).toEqual({ reason: 'gateway shutting down', retryAfterMs });
  });

  it('answers new upgrades with HTTP 503 while it is shutting down', async () => {
    const { gateway: gw } = await gateway({ closeTimeoutMs: 1_500 });
    const staying = await connect();
    await stalledClient();
    await waitFor(() => gw.stats().connections === 2, 'both connected');

    let closed = false;
    const closing = gw.close().then(() => (closed = true));
    await staying.closed();
    expect(closed).toBe(false);

    const late = new TestClient(running!.url('p1'));
    clients.push(late);
    const lateFloor = new TestClient(running!.url('p1'), []);
    clients.push(lateFloor);
    await waitFor(() => late.closeEvent !== null && lateFloor.closeEvent !== null, 'answers to the late upgrades');
    expect(closed).toBe(false);
    expect([late.httpStatus, lateFloor.httpStatus]).toEqual([503, 503]);
    await closing;
  });
});
