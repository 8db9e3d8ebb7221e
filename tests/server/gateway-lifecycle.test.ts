import { connect as tcpConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Payload } from '../../src/protocol/messages.ts';
import type { GatewayOptions, ProjectOpenCause } from '../../src/server/gateway.ts';
import { expectContiguous, startGateway, TestClient, waitFor, type RunningGateway } from './support.ts';

const event = (message: string): Payload => ({ type: 'event', message, severity: 'info' });

const gateways: RunningGateway[] = [];
const clients: TestClient[] = [];
const sockets: Socket[] = [];

async function gateway(options: GatewayOptions = {}, port = 0): Promise<RunningGateway> {
  const running = await startGateway({ flushIntervalMs: 10, ...options }, port);
  gateways.push(running);
  return running;
}
async function connect(running: RunningGateway, project = 'p1', protocols?: string[], options = {}): Promise<TestClient> {
  const client = await TestClient.open(running.url(project), protocols, options);
  clients.push(client);
  return client;
}

/** Completes a WebSocket handshake by hand, then stops reading: the slowest possible consumer. */
async function stalledClient(running: RunningGateway, project = 'p1'): Promise<Socket> {
  const socket = tcpConnect(running.port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => {});
  socket.write(
    `GET /ws?project=${project} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: meshwatch.v1\r\n\r\n',
  );
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.pause();
  return socket;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

describe('gateway lifecycle', () => {
  it('terminates a client that stops answering pings, while a normal one survives', async () => {
    const running = await gateway({ heartbeatIntervalMs: 30, idleTimeoutMs: 120 });
    const normal = await connect(running);
    const silent = await connect(running, 'p1', undefined, { autoPong: false });
    const closed = await silent.closed();
    expect(closed.code).toBe(1006); // terminated: no close frame for a peer presumed dead
    expect(silent.pings).toBeGreaterThan(0);
    // The normal client keeps answering through several more heartbeats.
    const pings = normal.pings;
    await waitFor(() => normal.pings >= pings + 5, 'more heartbeats');
    expect(normal.closeEvent).toBeNull();
    expect(running.gateway.stats().connections).toBe(1);
  });

  it('counts any client message as a sign of life', async () => {
    const running = await gateway({ heartbeatIntervalMs: 30, idleTimeoutMs: 120 });
    const chatty = await connect(running, 'p1', undefined, { autoPong: false });
    const keepAlive = setInterval(() => chatty.send(JSON.stringify({ type: 'ping' })), 20);
    try {
      await waitFor(() => chatty.frames.filter((f) => f.kind === 'pong').length >= 15, 'pongs over several idle timeouts');
      expect(chatty.closeEvent).toBeNull();
    } finally {
      clearInterval(keepAlive);
    }
  });

  it('flushes queued messages before closing with 1001 on close()', async () => {
    const running = await gateway({ flushIntervalMs: 60_000 });
    const v1 = await connect(running);
    const floor = await connect(running, 'p1', []);
    await waitFor(() => v1.snapshot !== undefined && running.gateway.stats().snapshotsSent === 2, 'joined');
    for (let i = 0; i < 3; i++) running.gateway.publish('p1', event(`last words ${i}`));
    await running.gateway.close();
    for (const client of [v1, floor]) {
      const closed = await client.closed();
      expect(closed.code).toBe(1001);
      expect(JSON.parse(closed.reason)).toEqual({ reason: 'gateway shutting down' });
      expect(client.envelopes.map((e) => e.seq)).toEqual([1, 2, 3]);
    }
    expect(running.gateway.publish('p1', event('too late'))).toMatchObject({ ok: false, code: 'gateway-closed' });
  });

  it('serves a new epoch and a fresh snapshot after a restart on the same port', async () => {
    const first = await gateway();
    first.gateway.publish('p1', event('before the restart'));
    const before = await connect(first);
    await waitFor(() => before.snapshot !== undefined, 'snapshot');
    const port = first.port;
    await first.close();
    expect((await before.closed()).code).toBe(1001);

    const second = await gateway({}, port);
    expect(second.port).toBe(port);
    second.gateway.publish('p1', event('after the restart'));
    const after = await connect(second);
    await waitFor(() => after.snapshot !== undefined, 'new snapshot');
    expect(after.snapshot!.epoch).not.toBe(before.snapshot!.epoch);
    expect(after.snapshot!.seq).toBe(1);
    expect(after.snapshot!.state.events.map((e) => e.message)).toEqual(['after the restart']);
  });

  it('closes a consumer that stops reading with 4409 once its buffer passes the limit, and forgets it', async () => {
    const running = await gateway({ maxBufferedBytes: 256 * 1024, maxBatchMessages: 50 });
    const healthy = await connect(running);
    await waitFor(() => healthy.snapshot !== undefined, 'snapshot');
    await stalledClient(running);
    await waitFor(() => running.gateway.stats().connections === 2, 'stalled client joined');
    const big = 'x'.repeat(15_000);
    let i = 0;
    // Publish in slices so the healthy client's socket drains between them.
    while (running.gateway.stats().slowConsumersClosed === 0 && i < 5_000) {
      for (let k = 0; k < 50; k++) running.gateway.publish('p1', { type: 'log-chunk', nodeId: 'n', text: `${i++} ${big}` });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(running.gateway.stats().slowConsumersClosed).toBe(1);
    expect(running.gateway.room('p1')!.memberCount).toBe(1);
    expect(running.gateway.stats().connections).toBe(1);
    const last = running.gateway.room('p1')!.seq;
    await waitFor(() => healthy.envelopes.at(-1)?.seq === last, 'healthy client got everything', 10_000);
    expectContiguous(healthy.envelopes.map((e) => e.seq), 1);
  });

  it('opens each project once, says why, and survives a hook that throws', async () => {
    const opened: Array<[string, ProjectOpenCause]> = [];
    const errors: string[] = [];
    const running = await gateway({
      onProjectOpened: (projectId, room, cause) => {
        opened.push([projectId, cause]);
        room.publish(event(`opened ${projectId}`));
        if (projectId === 'cursed') throw new Error('hook failed');
      },
      onError: (_error, context) => errors.push(context),
    });
    running.gateway.publish('fed', event('from a publisher'));
    const viewer = await connect(running, 'viewed');
    await connect(running, 'viewed');
    const cursed = await connect(running, 'cursed');
    await waitFor(() => viewer.snapshot !== undefined && cursed.snapshot !== undefined, 'snapshots');
    expect(opened).toEqual([
      ['fed', 'publish'],
      ['viewed', 'connection'],
      ['cursed', 'connection'],
    ]);
    // What the hook published is in the snapshot of the first viewer.
    expect(viewer.snapshot!.state.events.map((e) => e.message)).toEqual(['opened viewed']);
    expect(errors).toEqual(['onProjectOpened(cursed)']);
  });

  it('refuses one project too many: 4429 for a viewer, a refusal for a publisher', async () => {
    const running = await gateway({ maxRooms: 2 });
    await connect(running, 'a');
    running.gateway.publish('b', event('fills the last room'));
    const third = new TestClient(running.url('c'));
    clients.push(third);
    const closed = await third.closed();
    expect(closed.code).toBe(4429);
    expect(JSON.parse(closed.reason)).toMatchObject({ retryAfterMs: 60_000 });
    expect(running.gateway.publish('d', event('x'))).toMatchObject({ ok: false, code: 'too-many-projects' });
    expect(running.gateway.publish('a', event('known project'))).toMatchObject({ ok: true });
    expect(running.gateway.stats()).toMatchObject({ rooms: 2, publishesRefused: 1 });
  });

  it('stops handling upgrades once closed, and closing twice is harmless', async () => {
    const running = await gateway();
    await Promise.all([running.gateway.close(), running.gateway.close()]);
    expect(running.server.listenerCount('upgrade')).toBe(0);
  });
});
