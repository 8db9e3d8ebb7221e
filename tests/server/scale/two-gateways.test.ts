/**
 * Two gateways sharing projects through a real Redis: one sequence per
 * project whichever gateway a message is published through, fan-out to
 * both, a client moved from one gateway to the other mid-stream missing
 * nothing, and a gateway that opens a project later starting from the
 * shared snapshot and stream.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope, Payload } from '../../../src/protocol/messages.ts';
import { connectRedisStreams, type RedisStreams } from '../../../src/server/scale/redis-streams.ts';
import { expectContiguous, startGateway, TestClient, waitFor, type RunningGateway } from '../support.ts';
import { redisAvailable, startRedis, type RunningRedis } from './redis-server.ts';

const node = (id: string): Payload => ({ type: 'node-upsert', node: { id, label: id, kind: 'svc', status: 'healthy' } });
const event = (message: string): Payload => ({ type: 'event', message, severity: 'info', nodeId: 'n0' });
const point = (series: string, t: number): Payload => ({ type: 'chart-point', series, value: { t, y: t % 97 }, nodeId: 'n1' });
const status = (id: string, i: number): Payload => ({ type: 'node-status', id, status: i % 2 ? 'degraded' : 'healthy' });
const log = (i: number): Payload => ({ type: 'log-chunk', nodeId: 'n2', text: `line ${i}`, level: 'info' });

const available = redisAvailable();
let redis: RunningRedis;
const gateways: RunningGateway[] = [];
const streams: RedisStreams[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  if (available) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const running of gateways.splice(0)) await running.close();
  for (const shared of streams.splice(0)) await shared.close();
});

async function sharedGateway(prefix: string): Promise<RunningGateway> {
  const shared = await connectRedisStreams({ url: redis.url, keyPrefix: prefix, snapshotIntervalMs: 100 });
  streams.push(shared);
  const running = await startGateway({ flushIntervalMs: 10, shared });
  gateways.push(running);
  return running;
}

async function connect(running: RunningGateway, project: string, resume?: { epoch: string; seq: number }): Promise<TestClient> {
  const client = await TestClient.open(running.url(project), undefined, { hello: resume ? { resume } : {} });
  clients.push(client);
  await waitFor(() => client.welcome !== undefined || client.closeEvent !== null, 'welcome');
  if (client.welcome?.resume === 'snapshot') await waitFor(() => client.snapshot !== undefined, 'snapshot');
  return client;
}

function mix(i: number): Payload {
  switch (i % 5) {
    case 0:
      return point(`s${i % 3}`, i);
    case 1:
      return event(`e${i}`);
    case 2:
      return status(`n${i % 4}`, i);
    case 3:
      return log(i);
    default:
      return node(`n${i % 7}`);
  }
}

const lastSeqOf = (client: TestClient) => client.envelopes.at(-1)?.seq ?? client.welcome?.seq ?? 0;

describe.skipIf(!available)('two gateways behind Redis', () => {
  it('gives a project one sequence whichever gateway publishes, and both gateways deliver all of it', async () => {
    const a = await sharedGateway('t1');
    const b = await sharedGateway('t1');
    const onA = await connect(a, 'p');
    const onB = await connect(b, 'p');
    const published: Payload[] = [];
    for (let round = 0; round < 40; round++) {
      const run = Array.from({ length: 5 }, (_, k) => mix(round * 5 + k));
      const via = round % 2 === 0 ? a : b;
      const outcome = await via.gateway.submit('p', run);
      expect(outcome).toMatchObject({ ok: true, count: 5, seq: (round + 1) * 5 });
      published.push(...run);
    }
    await waitFor(() => lastSeqOf(onA) === 200 && lastSeqOf(onB) === 200, 'both clients at seq 200');
    for (const client of [onA, onB]) {
      expectContiguous(client.envelopes.map((e) => e.seq), 1);
      expect(client.envelopes.map((e) => e.data)).toEqual(published);
    }
    expect(onA.welcome!.epoch).toBe(onB.welcome!.epoch);
    // The same ts on both: stamped once, by Redis's clock.
    expect(onA.envelopes.map((e) => e.ts)).toEqual(onB.envelopes.map((e) => e.ts));
  });

  it('resumes a client moved from one gateway to the other mid-stream with nothing missed or repeated', async () => {
    const a = await sharedGateway('t2');
    const b = await sharedGateway('t2');
    // Published through a third gateway, so B has never opened the project when the client arrives.
    const publisher = await sharedGateway('t2');
    const first = await connect(a, 'p');
    const published: Payload[] = [];
    let stop = false;
    const publishing = (async () => {
      for (let i = 0; !stop && i < 600; i += 6) {
        const run = Array.from({ length: 6 }, (_, k) => mix(i + k));
        const outcome = await (i % 12 === 0 ? a : publisher).gateway.submit('p', run);
        expect(outcome.ok).toBe(true);
        published.push(...run);
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
    })();
    await waitFor(() => lastSeqOf(first) >= 120, 'the first client well into the stream');
    first.close();
    await first.closed();
    const held = lastSeqOf(first);
    const received: Envelope[] = [...first.envelopes];
    // Snapshots written after the client left: B starts from one newer than the client, so its replay comes from the stream's tail.
    const snapshots = () => streams.reduce((sum, shared) => sum + shared.stats().snapshotsWritten, 0);
    const written = snapshots();
    await waitFor(() => snapshots() >= written + 2, 'two more snapshots', 5_000);
    expect(b.gateway.room('p')).toBeUndefined();
    // The other gateway: it has never seen this project, so it loads it from Redis first.
    const second = await connect(b, 'p', { epoch: first.welcome!.epoch, seq: held });
    expect(second.welcome!.resume).toBe('replay');
    await publishing;
    stop = true;
    await waitFor(() => lastSeqOf(second) === published.length, `the moved client at seq ${published.length}`, 10_000);
    received.push(...second.envelopes);
    expectContiguous(received.map((e) => e.seq), 1);
    expect(received.map((e) => e.data)).toEqual(published);
  });

  it('starts a gateway that opens a project late from the shared snapshot and stream: the same state as the first', async () => {
    const a = await sharedGateway('t3');
    await connect(a, 'p');
    for (let i = 0; i < 300; i += 10) {
      expect((await a.gateway.submit('p', Array.from({ length: 10 }, (_, k) => mix(i + k)))).ok).toBe(true);
    }
    await waitFor(() => a.gateway.room('p')?.seq === 300, 'gateway A at 300');
    // Let A's snapshot writer run, then publish more after it: the late gateway needs both.
    await waitFor(() => streams[0]!.stats().snapshotsWritten > 0, 'a snapshot written', 5_000);
    for (let i = 300; i < 350; i += 10) {
      expect((await a.gateway.submit('p', Array.from({ length: 10 }, (_, k) => mix(i + k)))).ok).toBe(true);
    }
    const late = await sharedGateway('t3');
    const client = await connect(late, 'p');
    expect(client.welcome!.resume).toBe('snapshot');
    expect(client.welcome!.seq).toBe(350);
    await waitFor(() => a.gateway.room('p')?.seq === 350, 'gateway A at 350');
    expect(late.gateway.room('p')!.state.snapshot()).toEqual(a.gateway.room('p')!.state.snapshot());
    expect(client.snapshot!.state).toEqual(a.gateway.room('p')!.state.snapshot());
  });

  it('starts a project over on every gateway when one publishes with startOver', async () => {
    const a = await sharedGateway('t4');
    const b = await sharedGateway('t4');
    const onB = await connect(b, 'p');
    expect((await a.gateway.submit('p', [node('old')])).ok).toBe(true);
    await waitFor(() => lastSeqOf(onB) === 1, 'the first run on B');
    const before = onB.welcome!.epoch;
    expect(await a.gateway.submit('p', [node('new')], { startOver: true })).toMatchObject({ ok: true, seq: 1 });
    await waitFor(() => onB.frames.some((f) => f.kind === 'snapshot' && f.frame.reason === 'reset'), 'a reset snapshot on B');
    await waitFor(() => b.gateway.room('p')?.state.snapshot().nodes.length === 1, 'B holds the new node only');
    expect(b.gateway.room('p')!.epoch).not.toBe(before);
    expect(b.gateway.room('p')!.state.snapshot().nodes.map((n) => n.id)).toEqual(['new']);
  });

  it('refuses the synchronous publish on a shared gateway, pointing to submit', async () => {
    const a = await sharedGateway('t5');
    expect(a.gateway.publishAll('p', [node('x')])).toMatchObject({ ok: false, code: 'use-submit' });
  });
});
