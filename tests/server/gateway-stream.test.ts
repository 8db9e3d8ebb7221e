import { afterEach, describe, expect, it } from 'vitest';
import type { Payload } from '../../src/protocol/messages.ts';
import type { GatewayOptions } from '../../src/server/gateway.ts';
import { ManualScheduler } from './manual-scheduler.ts';
import { createSeedStore } from './seed-004-apply.ts';
import { batchRanges, expectContiguous, expectContiguousRanges, startGateway, TestClient, waitFor, type RunningGateway } from './support.ts';

const node = (id: string, status: 'healthy' | 'down' = 'healthy'): Payload => ({
  type: 'node-upsert',
  node: { id, label: id.toUpperCase(), kind: 'svc', status },
});
const event = (message: string): Payload => ({ type: 'event', message, severity: 'info' });

let running: RunningGateway | null = null;
const clients: TestClient[] = [];

async function gateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  running = await startGateway({ flushIntervalMs: 20, ...options });
  return running;
}
async function connect(project = 'p1', protocols?: string[]): Promise<TestClient> {
  const client = await TestClient.open(running!.url(project), protocols);
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await running?.close();
  running = null;
});

describe('gateway', () => {
  it('says welcome, sends the snapshot, then contiguous deltas in batches whose ranges tile the stream', async () => {
    const { gateway: gw } = await gateway();
    gw.publish('p1', node('a'));
    gw.publish('p1', node('b'));
    gw.publish('p1', { type: 'edge-upsert', edge: { id: 'a->b', source: 'a', target: 'b' } });
    const client = await connect();
    await waitFor(() => client.snapshot !== undefined, 'snapshot');
    expect(client.frames.slice(0, 2).map((f) => f.kind)).toEqual(['welcome', 'snapshot']);
    const snapshot = client.snapshot!;
    expect(client.welcome).toMatchObject({ version: 1, epoch: snapshot.epoch, seq: 3, resume: 'snapshot', reason: 'new' });
    expect(snapshot.reason).toBe('new');
    expect(snapshot.seq).toBe(3);
    expect(snapshot.epoch).toBe(gw.room('p1')!.epoch);
    expect(snapshot.epoch.startsWith(gw.epoch)).toBe(true);
    expect(snapshot.state.nodes.map((n) => n.id)).toEqual(['a', 'b']);
    expect(snapshot.state.edges.map((e) => e.id)).toEqual(['a->b']);

    for (let i = 0; i < 30; i++) gw.publish('p1', event(`e${i}`));
    await waitFor(() => client.envelopes.length === 30, '30 deltas');
    expectContiguous(client.envelopes.map((e) => e.seq), snapshot.seq + 1);
    const ranges = batchRanges(client);
    expect(ranges).toHaveLength(client.messageFrames.length);
    expectContiguousRanges(ranges, snapshot.seq + 1);
    expect(ranges.at(-1)!.to).toBe(33);
    expect(ranges.every((r) => r.coalesced === 0)).toBe(true);
    expect(client.frames.filter((f) => f.kind === 'invalid')).toEqual([]);
  });

  it('gives clients that join mid-stream a snapshot and every later delta, no gap and no duplicate', async () => {
    const { gateway: gw } = await gateway({ flushIntervalMs: 5 });
    let n = 0;
    const publisher = setInterval(() => {
      for (let i = 0; i < 5; i++) gw.publish('p1', i === 0 ? node(`n${n++ % 20}`) : event(`e${n}`));
    }, 1);
    try {
      const joined: TestClient[] = [];
      for (let i = 0; i < 5; i++) {
        joined.push(await connect());
        await waitFor(() => gw.room('p1')!.seq >= (i + 1) * 40, 'more traffic');
      }
      const finalSeq = gw.room('p1')!.seq + 50;
      await waitFor(() => gw.room('p1')!.seq >= finalSeq, 'traffic after the last join');
      clearInterval(publisher);
      const last = gw.room('p1')!.seq;
      for (const client of joined) {
        await waitFor(() => client.envelopes.at(-1)?.seq === last, 'client caught up');
        expect(client.frames.slice(0, 2).map((f) => f.kind)).toEqual(['welcome', 'snapshot']);
        expect(client.welcome!.seq).toBe(client.snapshot!.seq);
        expect(client.snapshot!.reason).toBe('new');
        expectContiguous(client.envelopes.map((e) => e.seq), client.snapshot!.seq + 1);
        expectContiguousRanges(batchRanges(client), client.snapshot!.seq + 1);
        expect(batchRanges(client).at(-1)!.to).toBe(last);
      }
      // They joined at different points.
      expect(new Set(joined.map((c) => c.snapshot!.seq)).size).toBe(joined.length);
    } finally {
      clearInterval(publisher);
    }
  });

  it('keeps two projects apart, each with its own seqs', async () => {
    const { gateway: gw } = await gateway();
    const alpha = await connect('alpha');
    const beta = await connect('beta');
    await waitFor(() => alpha.snapshot !== undefined && beta.snapshot !== undefined, 'snapshots');
    gw.publish('alpha', event('for alpha 1'));
    gw.publish('beta', event('for beta'));
    gw.publish('alpha', event('for alpha 2'));
    await waitFor(() => alpha.envelopes.length === 2 && beta.envelopes.length === 1, 'deltas');
    expect(alpha.envelopes.map((e) => [e.seq, e.data.type === 'event' && e.data.message])).toEqual([
      [1, 'for alpha 1'],
      [2, 'for alpha 2'],
    ]);
    expect(beta.envelopes.map((e) => [e.seq, e.data.type === 'event' && e.data.message])).toEqual([[1, 'for beta']]);
    expect(gw.stats().rooms).toBe(2);
  });

  it('sends many publishes within one window as one frame', async () => {
    const scheduler = new ManualScheduler();
    const { gateway: gw } = await gateway({ scheduler, flushIntervalMs: 100 });
    const client = await connect();
    await waitFor(() => client.snapshot !== undefined, 'snapshot');
    for (let i = 0; i < 120; i++) {
      gw.publish('p1', event(`e${i}`));
      if (i % 10 === 0) scheduler.advance(5); // spread over 60 ms of the window
    }
    scheduler.advance(99);
    await waitFor(() => client.envelopes.length === 120, 'all deltas');
    expect(client.messageFrames.map((frame) => frame.length)).toEqual([120]);
    expect(client.raw[2]!.startsWith('{"type":"batch"')).toBe(true);
    expect(batchRanges(client)).toEqual([{ from: 1, to: 120, coalesced: 0 }]);
  });

  it('flushes a full batch at once, before the window ends', async () => {
    const scheduler = new ManualScheduler();
    const { gateway: gw } = await gateway({ scheduler, flushIntervalMs: 100, maxBatchMessages: 10 });
    const client = await connect();
    await waitFor(() => client.snapshot !== undefined, 'snapshot');
    for (let i = 0; i < 25; i++) gw.publish('p1', event(`e${i}`));
    // The window has not moved: only the two full batches can have been sent.
    expect(gw.stats().messagesSent).toBe(20);
    await waitFor(() => client.envelopes.length === 20, 'two full batches');
    scheduler.advance(100);
    await waitFor(() => client.envelopes.length === 25, 'the rest when the window ends');
    expect(client.messageFrames.map((frame) => frame.length)).toEqual([10, 10, 5]);
    expectContiguous(client.envelopes.map((e) => e.seq), 1);
    expect(batchRanges(client).map((r) => [r.from, r.to])).toEqual([[1, 10], [11, 20], [21, 25]]);
  });

  describe('compatible floor (no subprotocol)', () => {
    it('sends exactly one envelope per frame: the snapshot as envelopes at its seq, then each delta', async () => {
      const { gateway: gw } = await gateway();
      gw.publish('p1', node('a'));
      gw.publish('p1', { type: 'edge-upsert', edge: { id: 'a->a', source: 'a', target: 'a' } });
      gw.publish('p1', { type: 'chart-point', series: 'cpu', value: { t: 1, y: 2 } });
      gw.publish('p1', event('hello'));
      const client = await connect('p1', []);
      expect(client.socket.protocol).toBe('');
      await waitFor(() => client.raw.length === 4, 'snapshot envelopes');
      for (let i = 0; i < 10; i++) gw.publish('p1', event(`live ${i}`));
      await waitFor(() => client.raw.length === 14, 'deltas');

      for (const text of client.raw) {
        const parsed = JSON.parse(text);
        expect(Object.keys(parsed).sort()).toEqual(['data', 'seq', 'ts']);
      }
      const seqs = client.envelopes.map((e) => e.seq);
      expect(seqs.slice(0, 4)).toEqual([4, 4, 4, 4]);
      expectContiguous(seqs.slice(4), 5);
      expect(client.envelopes.slice(0, 4).map((e) => e.data.type)).toEqual(['node-upsert', 'edge-upsert', 'event', 'chart-point']);
    });

    it('lets a seed-004 client rebuild the mesh with JSON.parse and apply', async () => {
      const { gateway: gw } = await gateway();
      gw.publish('p1', node('a'));
      gw.publish('p1', node('b'));
      gw.publish('p1', { type: 'edge-upsert', edge: { id: 'a->b', source: 'a', target: 'b' } });
      gw.publish('p1', { type: 'edge-stats', id: 'a->b', stats: { rps: 3, errorRate: 0, p95Ms: 9 } });
      const client = await connect('p1', []);
      const seed = createSeedStore();
      let applied = 0;
      const applyNew = () => {
        for (; applied < client.raw.length; applied++) seed.apply(JSON.parse(client.raw[applied]!));
      };
      await waitFor(() => client.raw.length === 3, 'snapshot');
      gw.publish('p1', node('c'));
      gw.publish('p1', { type: 'node-status', id: 'a', status: 'down' });
      gw.publish('p1', { type: 'node-delete', id: 'b' });
      gw.publish('p1', { type: 'log-chunk', nodeId: 'c', text: 'started', level: 'info' });
      await waitFor(() => client.raw.length === 7, 'deltas');
      applyNew();

      const gatewayNodes = gw.room('p1')!.state.snapshot().nodes;
      expect(Object.values(seed.state.nodes)).toEqual(gatewayNodes);
      expect(seed.state.nodes.a?.status).toBe('down');
      expect(seed.state.edges['a->b']?.stats).toEqual({ rps: 3, errorRate: 0, p95Ms: 9 });
      expect(seed.state.logs.c).toEqual(['started']);
    });

    it('still sends deltas at flush time, one frame each', async () => {
      const scheduler = new ManualScheduler();
      const { gateway: gw } = await gateway({ scheduler, flushIntervalMs: 100 });
      const client = await connect('p1', []);
      await waitFor(() => gw.stats().snapshotsSent === 1, 'joined');
      const framesBefore = gw.stats().framesSent;
      gw.publish('p1', event('one'));
      scheduler.advance(60);
      gw.publish('p1', event('two'));
      scheduler.advance(39);
      expect(gw.stats().framesSent).toBe(framesBefore); // queued until the window ends
      scheduler.advance(1);
      expect(gw.stats().framesSent).toBe(framesBefore + 2);
      await waitFor(() => client.raw.length === 2, 'two frames');
      expect(client.envelopes.map((e) => e.seq)).toEqual([1, 2]);
    });
  });

  it('counts connections, rooms, frames and messages', async () => {
    // Time moves by hand, so that the presence update (due 500 ms after a join) comes when the test says.
    const scheduler = new ManualScheduler();
    const { gateway: gw } = await gateway({ scheduler });
    const a = await connect('p1');
    await connect('p1', []);
    await waitFor(() => a.snapshot !== undefined && gw.stats().snapshotsSent === 2, 'snapshots');
    for (let i = 0; i < 5; i++) gw.publish('p1', event(`e${i}`));
    scheduler.advance(20);
    await waitFor(() => gw.stats().messagesSent === 10, 'messages sent to both clients');
    expect(gw.stats()).toMatchObject({
      connections: 2,
      rooms: 1,
      snapshotsSent: 2,
      replays: 0,
      replayedMessages: 0,
      clientMessagesRejected: 0,
      slowConsumersDegraded: 0,
      messagesCoalesced: 0,
      slowConsumersClosed: 0,
      rateLimited: 0,
      publishesRefused: 0,
      refused: { unauthorized: 0, forbidden: 0, unknownProject: 0, connectionLimit: 0 },
      authRequired: false,
    });
    // v1: welcome + snapshot + 1 batch; floor: 5 frames (its snapshot of an empty project is no frames).
    expect(gw.stats().framesSent).toBe(1 + 1 + 1 + 5);
    // Presence goes to the v1 client only.
    scheduler.advance(500);
    expect(gw.stats().framesSent).toBe(1 + 1 + 1 + 5 + 1);
    await waitFor(() => a.frames.some((f) => f.kind === 'presence'), 'presence');
    expect(a.frames.find((f) => f.kind === 'presence')).toMatchObject({ frame: { connections: 2, users: [] } });
    a.close();
    await waitFor(() => gw.stats().connections === 1, 'disconnect noticed');
  });
});
