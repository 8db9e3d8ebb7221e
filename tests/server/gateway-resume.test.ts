import { afterEach, describe, expect, it } from 'vitest';
import type { Payload } from '../../src/protocol/messages.ts';
import type { GatewayOptions } from '../../src/server/gateway.ts';
import { batchRanges, expectContiguous, expectContiguousRanges, startGateway, TestClient, waitFor, type RunningGateway } from './support.ts';

const node = (id: string): Payload => ({ type: 'node-upsert', node: { id, label: id, kind: 'svc', status: 'healthy' } });
const event = (message: string): Payload => ({ type: 'event', message, severity: 'info' });
const point = (series: string, t: number): Payload => ({ type: 'chart-point', series, value: { t, y: t % 97 } });

const gateways: RunningGateway[] = [];
const clients: TestClient[] = [];
let publisher: NodeJS.Timeout | undefined;

async function gateway(options: GatewayOptions = {}, port = 0): Promise<RunningGateway> {
  const running = await startGateway({ flushIntervalMs: 10, ...options }, port);
  gateways.push(running);
  return running;
}

/** A v1 client that has been welcomed (and, with a snapshot plan, has its snapshot). */
async function connect(running: RunningGateway, resume?: { epoch: string; seq: number }): Promise<TestClient> {
  const client = await TestClient.open(running.url('p1'), undefined, { hello: resume ? { resume } : {} });
  clients.push(client);
  await waitFor(() => client.welcome !== undefined || client.closeEvent !== null, 'welcome');
  if (client.welcome?.resume === 'snapshot') await waitFor(() => client.snapshot !== undefined, 'snapshot');
  return client;
}

function publishMany(running: RunningGateway, count: number, from = 0): Payload[] {
  const payloads: Payload[] = [];
  for (let i = from; i < from + count; i++) {
    const payload = i % 3 === 0 ? point(`s${i % 4}`, i) : event(`e${i}`);
    payloads.push(payload);
    expect(running.gateway.publish('p1', payload).ok).toBe(true);
  }
  return payloads;
}

function lastTo(client: TestClient): number | undefined {
  return batchRanges(client).at(-1)?.to;
}

afterEach(async () => {
  clearInterval(publisher);
  for (const client of clients.splice(0)) client.close();
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

describe('gateway resume', () => {
  it('replays exactly the messages after the client’s seq, in contiguous batches, with no snapshot', async () => {
    const running = await gateway();
    publishMany(running, 10);
    const first = await connect(running);
    expect(first.welcome).toMatchObject({ resume: 'snapshot', reason: 'new', seq: 10 });
    publishMany(running, 5, 10);
    await waitFor(() => lastTo(first) === 15, 'first client at seq 15');
    const { epoch } = first.snapshot!;
    first.close();
    await waitFor(() => running.gateway.stats().connections === 0, 'first client gone');

    // More than two full batches (maxBatchMessages 500) while it was away.
    const missed = publishMany(running, 1234, 15);
    const statsBefore = running.gateway.stats();
    const back = await connect(running, { epoch, seq: 15 });
    expect(back.welcome).toMatchObject({ resume: 'replay', replayed: 1234, seq: 1249, epoch });
    expect(back.welcome!.reason).toBeUndefined();
    await waitFor(() => lastTo(back) === 1249, 'replay complete');

    expect(back.frames.map((f) => f.kind).filter((k) => k !== 'messages')).toEqual(['welcome']);
    expect(back.snapshot).toBeUndefined();
    const ranges = batchRanges(back);
    expect(ranges.length).toBeGreaterThanOrEqual(3);
    expectContiguousRanges(ranges, 16);
    expectContiguous(back.envelopes.map((e) => e.seq), 16);
    expect(back.envelopes.map((e) => e.data)).toEqual(missed);
    expect(running.gateway.stats()).toMatchObject({
      replays: statsBefore.replays + 1,
      replayedMessages: statsBefore.replayedMessages + 1234,
      snapshotsSent: statsBefore.snapshotsSent,
    });

    // And the live stream carries on from there.
    publishMany(running, 7, 1249);
    await waitFor(() => lastTo(back) === 1256, 'live deltas after the replay');
    expectContiguousRanges(batchRanges(back), 16);
    expectContiguous(back.envelopes.map((e) => e.seq), 16);
  });

  it('loses and duplicates nothing across repeated forced disconnects while the publisher keeps publishing', async () => {
    const running = await gateway({ flushIntervalMs: 5 });
    const gw = running.gateway;
    gw.publish('p1', node('a'));
    let client = await connect(running);
    const { epoch } = client.snapshot!;
    const startSeq = client.snapshot!.seq;
    let n = 0;
    publisher = setInterval(() => {
      for (let i = 0; i < 7; i++, n++) gw.publish('p1', n % 2 === 0 ? point(`s${n % 5}`, n) : event(`tick ${n}`));
    }, 1);

    const received: number[] = [];
    let held = startSeq;
    const rounds = 30;
    const replayed: number[] = [];
    for (let round = 0; round <= rounds; round++) {
      if (round > 0) {
        client = await connect(running, { epoch, seq: held });
        expect(client.welcome).toMatchObject({ resume: 'replay', epoch });
        replayed.push(client.welcome!.replayed!);
      }
      // Every fifth connection is cut as soon as it is welcomed, likely with its replay still on the wire.
      const target = round % 5 === 4 ? 0 : gw.room('p1')!.seq + 20 + Math.floor(Math.random() * 60);
      await waitFor(() => (lastTo(client) ?? 0) >= target || client.closeEvent !== null, `round ${round} receiving`);
      if (round < rounds) {
        // Cut the connection dead, wherever the stream is: no close handshake, possibly mid-batch on the wire.
        client.socket.terminate();
        await client.closed();
      } else {
        clearInterval(publisher);
        const last = gw.room('p1')!.seq;
        await waitFor(() => lastTo(client) === last, 'last connection caught up');
      }
      if (round > 0) expect(client.snapshot).toBeUndefined();
      const ranges = batchRanges(client);
      expectContiguousRanges(ranges, held + 1);
      received.push(...client.envelopes.map((e) => e.seq));
      held = ranges.at(-1)?.to ?? held;
    }

    const published = gw.room('p1')!.seq - startSeq;
    const unique = new Set(received);
    let lost = 0;
    for (let seq = startSeq + 1; seq <= gw.room('p1')!.seq; seq++) if (!unique.has(seq)) lost++;
    const duplicated = received.length - unique.size;
    console.log(
      `[resume under churn] connections: ${rounds + 1}, published: ${published}, received: ${received.length}, lost: ${lost}, duplicated: ${duplicated}, ` +
        `replayed per reconnect: ${Math.min(...replayed)}..${Math.max(...replayed)}`,
    );
    expect(published).toBeGreaterThan(rounds * 20);
    expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
    expect(received.length).toBe(published);
    expectContiguous(received, startSeq + 1);
    expect(gw.stats().replays).toBe(rounds);
  });

  it('sends a snapshot saying epoch-changed when the project was started over', async () => {
    const running = await gateway();
    publishMany(running, 5);
    const first = await connect(running);
    const held = { epoch: first.snapshot!.epoch, seq: first.snapshot!.seq };
    first.close();
    await waitFor(() => running.gateway.stats().connections === 0, 'first client gone');
    expect(running.gateway.resetProject('p1')).toBe(true);
    publishMany(running, 3);

    const back = await connect(running, held);
    expect(back.welcome).toMatchObject({ resume: 'snapshot', reason: 'epoch-changed', seq: 3 });
    expect(back.snapshot).toMatchObject({ reason: 'epoch-changed', seq: 3 });
    expect(back.snapshot!.epoch).not.toBe(held.epoch);
    expect(back.snapshot!.epoch).toBe(running.gateway.room('p1')!.epoch);
    expect(back.snapshot!.state.events).toHaveLength(2);
  });

  it('sends a snapshot saying epoch-changed from a fresh gateway on the same port', async () => {
    const first = await gateway();
    publishMany(first, 50);
    const before = await connect(first);
    const held = { epoch: before.snapshot!.epoch, seq: before.snapshot!.seq };
    const { port } = first;
    await first.close();
    expect((await before.closed()).code).toBe(1001);

    const second = await gateway({}, port);
    // Even with more seqs than the client held: they belong to another stream.
    publishMany(second, 80);
    const back = await connect(second, held);
    expect(back.welcome).toMatchObject({ resume: 'snapshot', reason: 'epoch-changed', seq: 80 });
    expect(back.snapshot).toMatchObject({ reason: 'epoch-changed', seq: 80 });
    expect(back.snapshot!.epoch).not.toBe(held.epoch);
  });

  describe('with a replay buffer of 50 messages and 200 published', () => {
    it.each([
      { held: 10, plan: 'snapshot', reason: 'gap-too-old' },
      { held: 149, plan: 'snapshot', reason: 'gap-too-old' },
      { held: 150, plan: 'replay', replayed: 50 },
      { held: 199, plan: 'replay', replayed: 1 },
      { held: 200, plan: 'replay', replayed: 0 },
    ])('a client holding seq $held gets a $plan $reason', async ({ held, plan, reason, replayed }) => {
      const running = await gateway({ replayLimits: { maxEntries: 50 } });
      publishMany(running, 200);
      expect(running.gateway.room('p1')!.replaySize).toBe(50);
      const epoch = running.gateway.room('p1')!.epoch;
      const client = await connect(running, { epoch, seq: held });
      expect(client.welcome).toMatchObject({ resume: plan, seq: 200 });
      if (plan === 'snapshot') {
        expect(client.welcome!.reason).toBe(reason);
        expect(client.snapshot).toMatchObject({ reason, seq: 200 });
      } else {
        expect(client.welcome!.replayed).toBe(replayed);
        if (replayed! > 0) await waitFor(() => lastTo(client) === 200, 'replay');
        expectContiguous(client.envelopes.map((e) => e.seq), held + 1);
        expect(client.envelopes).toHaveLength(replayed!);
        expect(client.snapshot).toBeUndefined();
      }
    });
  });

  it('sends a snapshot saying gap-too-old once the messages a client missed are older than maxAgeMs', async () => {
    let wall = Date.UTC(2030, 0, 1);
    const running = await gateway({ now: () => wall, replayLimits: { maxAgeMs: 60_000 } });
    publishMany(running, 10); // seqs 1..10 at t0
    wall += 30_000;
    publishMany(running, 10, 10); // seqs 11..20 at t0 + 30 s
    const epoch = running.gateway.room('p1')!.epoch;

    const early = await connect(running, { epoch, seq: 5 });
    expect(early.welcome).toMatchObject({ resume: 'replay', replayed: 15 });
    early.close();

    wall += 40_000; // seqs 1..10 are now 70 s old, 11..20 are 40 s old
    const late = await connect(running, { epoch, seq: 5 });
    expect(late.welcome).toMatchObject({ resume: 'snapshot', reason: 'gap-too-old', seq: 20 });
    expect(late.snapshot).toMatchObject({ reason: 'gap-too-old', seq: 20 });

    const recent = await connect(running, { epoch, seq: 10 });
    expect(recent.welcome).toMatchObject({ resume: 'replay', replayed: 10 });
    await waitFor(() => lastTo(recent) === 20, 'replay of 11..20');
    expectContiguous(recent.envelopes.map((e) => e.seq), 11);

    wall += 30_001; // now everything is past the age bound
    const tooLate = await connect(running, { epoch, seq: 10 });
    expect(tooLate.welcome).toMatchObject({ resume: 'snapshot', reason: 'gap-too-old' });
  });

  it('sends a snapshot saying gap-too-large rather than a replay that would pass half the slow-consumer limit', async () => {
    const running = await gateway({ maxBufferedBytes: 64 * 1024 });
    publishMany(running, 5);
    const first = await connect(running);
    const { epoch } = first.snapshot!;
    first.close();
    await waitFor(() => running.gateway.stats().connections === 0, 'first client gone');
    // About 100 KB of log chunks: within the replay buffer, past 32 KiB.
    for (let i = 0; i < 100; i++) running.gateway.publish('p1', { type: 'log-chunk', nodeId: 'n', text: 'x'.repeat(1_000) });
    const back = await connect(running, { epoch, seq: 5 });
    expect(back.welcome).toMatchObject({ resume: 'snapshot', reason: 'gap-too-large', seq: 105 });
    expect(back.closeEvent).toBeNull();
  });

  it('sends the window of a log channel named in a resuming hello after the replay', async () => {
    const running = await gateway();
    running.gateway.publish('p1', { type: 'log-chunk', nodeId: 'db', text: 'before\nthe drop', level: 'warn' });
    const first = await connect(running);
    const { epoch } = first.snapshot!;
    first.close();
    await waitFor(() => running.gateway.stats().connections === 0, 'first client gone');
    running.gateway.publish('p1', { type: 'log-chunk', nodeId: 'db', text: 'while away', level: 'info' });
    const back = await TestClient.open(running.url('p1'), undefined, { hello: { resume: { epoch, seq: 1 }, channels: ['topology', 'logs:db'] } });
    clients.push(back);
    await waitFor(() => back.frames.some((frame) => frame.kind === 'logs'), 'log window');
    const window = back.frames.find((frame) => frame.kind === 'logs');
    expect(window?.kind === 'logs' && window.frame.lines.map((line) => line.text)).toEqual(['before', 'the drop', 'while away']);
    expect(back.welcome).toMatchObject({ resume: 'replay', replayed: 1 });
  });

  it('sends a snapshot saying ahead to a client that holds a seq the stream has not reached', async () => {
    const running = await gateway();
    publishMany(running, 20);
    const epoch = running.gateway.room('p1')!.epoch;
    const client = await connect(running, { epoch, seq: 21 });
    expect(client.welcome).toMatchObject({ resume: 'snapshot', reason: 'ahead', seq: 20 });
    expect(client.snapshot).toMatchObject({ reason: 'ahead', seq: 20 });

    publishMany(running, 3, 20);
    await waitFor(() => lastTo(client) === 23, 'deltas after the snapshot');
    expectContiguous(client.envelopes.map((e) => e.seq), 21);
  });

  it('answers a resync with a snapshot saying client-requested, and carries on from its seq', async () => {
    const running = await gateway();
    publishMany(running, 10);
    const client = await connect(running);
    publishMany(running, 10, 10);
    await waitFor(() => lastTo(client) === 20, 'deltas');
    client.send(JSON.stringify({ type: 'resync' }));
    await waitFor(() => client.frames.filter((f) => f.kind === 'snapshot').length === 2, 'second snapshot');
    const snapshots = client.frames.flatMap((f) => (f.kind === 'snapshot' ? [f.frame] : []));
    expect(snapshots[1]).toMatchObject({ reason: 'client-requested', seq: 20, epoch: snapshots[0]!.epoch });

    publishMany(running, 5, 20);
    await waitFor(() => lastTo(client) === 25, 'deltas after the resync');
    const afterResync = client.frames.slice(client.frames.findIndex((f, i) => f.kind === 'snapshot' && i > 1) + 1);
    const ranges = afterResync.flatMap((f) => (f.kind === 'messages' && f.range ? [f.range] : []));
    expectContiguousRanges(ranges, 21);
    expect(running.gateway.stats().clientMessagesRejected).toBe(0);
  });
});
