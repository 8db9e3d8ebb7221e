import { connect as tcpConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../src/protocol/close-codes.ts';
import type { Payload } from '../../src/protocol/messages.ts';
import type { GatewayOptions, ProjectOpenCause } from '../../src/server/gateway.ts';
import { ManualScheduler } from './manual-scheduler.ts';
import { batchRanges, expectContiguous, expectContiguousRanges, startGateway, TestClient, waitFor, type RunningGateway } from './support.ts';

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

/** One masked, unfragmented client text frame (clients must mask, RFC 6455 §5.3). */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new Error('only short frames here');
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/**
 * Completes a WebSocket handshake by hand and says hello, then stops reading:
 * the slowest possible consumer, and one that never answers a ping or a close.
 * `received()` is every byte read while it was reading. Wait for it to join
 * (the room's memberCount) before counting on it.
 */
async function stalledClient(running: RunningGateway, project = 'p1'): Promise<{ socket: Socket; received: () => Buffer }> {
  const socket = tcpConnect(running.port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => {});
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.write(
    `GET /ws?project=${project} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: meshwatch.v1\r\n\r\n',
  );
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.write(maskedTextFrame('{"type":"hello","version":1}'));
  socket.pause();
  return { socket, received: () => Buffer.concat(chunks) };
}

/** The close frame among the (unmasked, unfragmented) server frames after the HTTP response, once it has arrived. */
function closeFrameIn(received: Buffer): { code: number; reason: string } | null {
  const bytes = received.subarray(received.indexOf('\r\n\r\n') + 4);
  for (let at = 0; at + 2 <= bytes.length; ) {
    const opcode = bytes[at]! & 0x0f;
    let length = bytes[at + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      if (at + 4 > bytes.length) return null;
      length = bytes.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      throw new Error('no frame here is that large');
    }
    if (at + header + length > bytes.length) return null;
    const payload = bytes.subarray(at + header, at + header + length);
    if (opcode === 0x8) return { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString() };
    at += header + length;
  }
  return null;
}

const HEARTBEAT = { heartbeatIntervalMs: 30_000, idleTimeoutMs: 60_000 };

/**
 * One heartbeat on the manual clock, then a barrier per answering client:
 * once it returns, the gateway has read the pong each of them sent.
 */
async function heartbeat(scheduler: ManualScheduler, answering: TestClient[] = []): Promise<void> {
  const pingsBefore = answering.map((client) => client.pings);
  scheduler.advance(HEARTBEAT.heartbeatIntervalMs);
  for (const [i, client] of answering.entries()) {
    await waitFor(() => client.pings > pingsBefore[i]! || client.closeEvent !== null, 'ping from the gateway');
    if (!client.closeEvent) await client.barrier();
  }
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

describe('gateway lifecycle', () => {
  describe('heartbeat', () => {
    it('closes a client that stops answering pings with 4408 and a JSON reason, while a normal one survives', async () => {
      const scheduler = new ManualScheduler();
      const running = await gateway({ scheduler, ...HEARTBEAT });
      const normal = await connect(running);
      const silent = await connect(running, 'p1', undefined, { autoPong: false });
      // Joined before the clock moves: on a busy machine a hello still unread when
      // 30 s pass on the manual clock would meet the hello timeout (1008) instead.
      await waitFor(() => normal.welcome !== undefined && silent.welcome !== undefined, 'both welcomed');
      await heartbeat(scheduler, [normal, silent]); // 30 s: both pinged
      await heartbeat(scheduler, [normal, silent]); // 60 s: silent for exactly the timeout, not past it
      expect(silent.closeEvent).toBeNull();
      expect(silent.pings).toBe(2);
      await heartbeat(scheduler, [normal]); // 90 s
      const closed = await silent.closed();
      expect(closed.code).toBe(CLOSE_CODES.heartbeatTimeout);
      expect(JSON.parse(closed.reason)).toMatchObject({ reason: 'heartbeat timeout' });
      // The normal client keeps answering through many more heartbeats.
      for (let i = 0; i < 10; i++) await heartbeat(scheduler, [normal]);
      expect(normal.closeEvent).toBeNull();
      expect(running.gateway.stats().connections).toBe(1);
    });

    it('counts any client message as a sign of life', async () => {
      const scheduler = new ManualScheduler();
      const running = await gateway({ scheduler, ...HEARTBEAT });
      const chatty = await connect(running, 'p1', undefined, { autoPong: false });
      for (let i = 0; i < 10; i++) {
        const pongs = chatty.frames.filter((f) => f.kind === 'pong').length;
        chatty.send(JSON.stringify({ type: 'ping' }));
        await waitFor(() => chatty.frames.filter((f) => f.kind === 'pong').length > pongs, 'pong');
        await heartbeat(scheduler);
      }
      await chatty.barrier();
      expect(chatty.closeEvent).toBeNull();
      expect(chatty.pings).toBe(10);
    });

    it('terminates a silent client that does not finish the closing handshake within closeTimeoutMs', async () => {
      const scheduler = new ManualScheduler();
      const running = await gateway({ scheduler, ...HEARTBEAT, closeTimeoutMs: 5_000 });
      const stalled = await stalledClient(running);
      await waitFor(() => running.gateway.room('p1')?.memberCount === 1, 'stalled client joined');
      for (let i = 0; i < 3; i++) await heartbeat(scheduler);
      expect(running.gateway.stats().connections).toBe(0);

      let ended = false;
      stalled.socket.on('close', () => (ended = true));
      stalled.socket.resume();
      await waitFor(() => closeFrameIn(stalled.received()) !== null, 'close frame');
      expect(closeFrameIn(stalled.received())).toMatchObject({ code: 4408 });
      // It never answers the close; `ws` alone would keep the socket for 30 s.
      scheduler.advance(4_999);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(ended).toBe(false);
      scheduler.advance(1);
      await waitFor(() => ended, 'socket terminated');
    });
  });

  it('closes a v1 client that never says hello with 1008 after helloTimeoutMs, having sent it nothing', async () => {
    const scheduler = new ManualScheduler();
    const running = await gateway({ scheduler, helloTimeoutMs: 10_000 });
    const mute = await connect(running, 'p1', undefined, { hello: false });
    await mute.barrier();
    scheduler.advance(9_999);
    await mute.barrier();
    expect(mute.closeEvent).toBeNull();
    expect(running.gateway.room('p1')?.memberCount ?? 0).toBe(0);
    scheduler.advance(1);
    const closed = await mute.closed();
    expect(closed.code).toBe(CLOSE_CODES.policyViolation);
    expect(JSON.parse(closed.reason)).toMatchObject({ reason: 'expected hello' });
    expect(mute.frames).toEqual([]);
  });

  it('flushes queued messages before closing with 1001 on close(), each client told its own delay before reconnecting', async () => {
    const draws = [0.25, 0.75];
    const running = await gateway({ flushIntervalMs: 60_000, shutdownRetryJitterMs: 3_000, random: () => draws.shift()! });
    const v1 = await connect(running);
    const floor = await connect(running, 'p1', []);
    await waitFor(() => v1.snapshot !== undefined && running.gateway.stats().snapshotsSent === 2, 'joined');
    for (let i = 0; i < 3; i++) running.gateway.publish('p1', event(`last words ${i}`));
    await running.gateway.close();
    for (const [client, retryAfterMs] of [[v1, 750], [floor, 2_250]] as const) {
      const closed = await client.closed();
      expect(closed.code).toBe(1001);
      expect(JSON.parse(closed.reason)).toEqual({ reason: 'gateway shutting down', retryAfterMs });
      expect(client.envelopes.map((e) => e.seq)).toEqual([1, 2, 3]);
    }
    expect(batchRanges(v1)).toEqual([{ from: 1, to: 3, coalesced: 0 }]);
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
    // A client that held the old stream says so, and is told why it gets a snapshot instead of a replay.
    const resuming = await connect(second, 'p1', undefined, { hello: { resume: { epoch: before.snapshot!.epoch, seq: before.snapshot!.seq } } });
    await waitFor(() => after.snapshot !== undefined && resuming.snapshot !== undefined, 'new snapshots');
    expect(after.snapshot!.epoch).not.toBe(before.snapshot!.epoch);
    expect(after.snapshot!.seq).toBe(1);
    expect(after.snapshot!.state.events.map((e) => e.message)).toEqual(['after the restart']);
    expect(after.welcome).toMatchObject({ epoch: after.snapshot!.epoch, resume: 'snapshot', reason: 'new' });
    expect(resuming.welcome).toMatchObject({ epoch: after.snapshot!.epoch, seq: 1, resume: 'snapshot', reason: 'epoch-changed' });
    expect(resuming.snapshot).toMatchObject({ reason: 'epoch-changed', epoch: after.snapshot!.epoch, seq: 1 });
  });

  it('closes a consumer that stops reading with 4409 once its buffer passes the limit, and forgets it', async () => {
    const running = await gateway({ maxBufferedBytes: 256 * 1024, maxBatchMessages: 50 });
    const healthy = await connect(running);
    await waitFor(() => healthy.snapshot !== undefined, 'snapshot');
    await stalledClient(running);
    await waitFor(() => running.gateway.room('p1')?.memberCount === 2, 'stalled client joined');
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
    expectContiguousRanges(batchRanges(healthy), 1);
  });

  it('closes a client that floods pings and never reads with 4409, while a healthy client gets everything', { timeout: 60_000 }, async () => {
    const scheduler = new ManualScheduler();
    // A long close timeout: the flooder must still be there to read its close frame when it reads again.
    // No inbound rate limit to speak of: this is about what the pongs cost, not how many pings are allowed.
    const running = await gateway({ scheduler, maxBufferedBytes: 64 * 1024, closeTimeoutMs: 10 * 60_000, maxMessagesPerSecond: 10_000_000 });
    const healthy = await connect(running);
    // In a project of its own: no deltas of p1 reach it, so only its pongs can fill its buffer.
    const flooder = await connect(running, 'quiet');
    await waitFor(() => running.gateway.stats().snapshotsSent === 2, 'both joined');
    const flooderSocket = (flooder.socket as unknown as { _socket: Socket })._socket;
    flooderSocket.pause();
    // Each ping makes the gateway write a pong; the kernel's socket buffers take a few MB before the gateway's grows.
    let pings = 0;
    while (running.gateway.stats().slowConsumersClosed === 0 && pings < 1_000_000) {
      for (let k = 0; k < 2_000; k++) flooder.send(JSON.stringify({ type: 'ping', id: pings++ }));
      running.gateway.publish('p1', event(`while flooding ${pings}`));
      scheduler.advance(100);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(running.gateway.stats().slowConsumersClosed).toBe(1);
    expect(running.gateway.room('quiet')!.memberCount).toBe(0);
    expect(running.gateway.stats().connections).toBe(1);

    for (let i = 0; i < 5; i++) running.gateway.publish('p1', event(`after ${i}`));
    scheduler.advance(100);
    const last = running.gateway.room('p1')!.seq;
    await waitFor(() => healthy.envelopes.at(-1)?.seq === last, 'healthy client got everything', 10_000);
    expectContiguous(healthy.envelopes.map((e) => e.seq), 1);
    expect(healthy.closeEvent).toBeNull();

    flooderSocket.resume();
    const closed = await flooder.closed();
    expect(closed.code).toBe(CLOSE_CODES.tooSlow);
    expect(JSON.parse(closed.reason)).toMatchObject({ reason: 'too slow to keep up' });
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

  it('calls no hook once close() has begun, not even for the viewers it closes', async () => {
    const calls: string[] = [];
    const running = await gateway({
      onProjectUnwatched: (projectId) => calls.push(`unwatched ${projectId}`),
      onProjectWatched: (projectId) => calls.push(`watched ${projectId}`),
    });
    const client = await connect(running);
    await waitFor(() => client.snapshot !== undefined, 'snapshot');
    await running.gateway.close();
    expect(calls).toEqual(['watched p1']);
  });

  it('finishes closing once a client that never answers the close is terminated, closeTimeoutMs later', async () => {
    const scheduler = new ManualScheduler();
    const running = await gateway({ scheduler, closeTimeoutMs: 5_000 });
    const stalled = await stalledClient(running);
    await waitFor(() => running.gateway.room('p1')?.memberCount === 1, 'stalled client joined');
    let ended = false;
    stalled.socket.on('close', () => (ended = true));
    const closing = running.gateway.close();
    scheduler.advance(5_000);
    await closing;
    stalled.socket.resume(); // a paused socket reports its end only once read
    await waitFor(() => ended, 'socket terminated');
    expect(scheduler.pending).toBe(0);
  });

  it('sends a healthy client a snapshot larger than maxBufferedBytes', async () => {
    const running = await gateway({ maxBufferedBytes: 64 * 1024 });
    // About 8 MB of log lines: far more than the kernel takes in one write on loopback.
    const lines = Array.from({ length: 100 }, (_, i) => `${i} ${'x'.repeat(1_990)}`);
    for (let n = 0; n < 40; n++) {
      for (let i = 0; i < 100; i += 8) running.gateway.publish('p1', { type: 'log-chunk', nodeId: `n${n}`, text: lines.slice(i, i + 8).join('\n') });
    }
    const client = await connect(running);
    await waitFor(() => client.snapshot !== undefined || client.closeEvent !== null, 'snapshot or close', 10_000);
    expect(client.closeEvent).toBeNull();
    expect(client.snapshot!.state.logs).toHaveLength(40);
    expect(running.gateway.stats().slowConsumersClosed).toBe(0);
  });

  it('stops handling upgrades once closed, and closing twice is harmless', async () => {
    const running = await gateway();
    await Promise.all([running.gateway.close(), running.gateway.close()]);
    expect(running.server.listenerCount('upgrade')).toBe(0);
  });
});
