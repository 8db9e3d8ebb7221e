/**
 * The shared streams when Redis or its contents misbehave: a counter that
 * went back (Redis restarted from an older save), an entry no gateway can
 * read, Redis gone at shutdown, a room dropped while it loads, and keys of a
 * project nobody publishes to.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Payload } from '../../../src/protocol/messages.ts';
import { Room } from '../../../src/server/room.ts';
import { projectKeys } from '../../../src/server/scale/redis-scripts.ts';
import { connectRedisStreams, type RedisStreams } from '../../../src/server/scale/redis-streams.ts';
import { startGateway, TestClient, waitFor, type RunningGateway } from '../support.ts';
import { redisAvailable, startRedis, type RunningRedis } from './redis-server.ts';

const node = (id: string): Payload => ({ type: 'node-upsert', node: { id, label: id, kind: 'svc', status: 'healthy' } });
const event = (message: string): Payload => ({ type: 'event', message, severity: 'info' });

const available = redisAvailable();
let redis: RunningRedis;
let admin: Redis;
const gateways: RunningGateway[] = [];
const streams: RedisStreams[] = [];
const clients: TestClient[] = [];
const errors: string[] = [];

beforeAll(async () => {
  if (!available) return;
  redis = await startRedis();
  admin = new Redis(redis.url);
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const running of gateways.splice(0)) await running.close();
  for (const shared of streams.splice(0)) await shared.close();
  errors.length = 0;
});

async function shared(prefix: string, url = redis.url): Promise<RedisStreams> {
  const streamsOf = await connectRedisStreams({ url, keyPrefix: prefix, snapshotIntervalMs: 100, onError: (error) => void errors.push(String(error)) });
  streams.push(streamsOf);
  return streamsOf;
}

async function sharedGateway(prefix: string): Promise<RunningGateway> {
  const running = await startGateway({ flushIntervalMs: 10, shared: await shared(prefix) });
  gateways.push(running);
  return running;
}

async function watch(running: RunningGateway, project: string): Promise<TestClient> {
  const client = await TestClient.open(running.url(project));
  clients.push(client);
  await waitFor(() => client.snapshot !== undefined, 'snapshot');
  return client;
}

/** Node ids and event messages a client has been told of, snapshot and deltas together. */
function seen(client: TestClient): { nodes: Set<string>; events: Set<string> } {
  const nodes = new Set<string>();
  const events = new Set<string>();
  for (const frame of client.frames) {
    if (frame.kind === 'snapshot') {
      for (const n of frame.frame.state.nodes) nodes.add(n.id);
      for (const e of frame.frame.state.events) events.add(e.message);
    }
    if (frame.kind === 'messages') {
      for (const { data } of frame.messages) {
        if (data.type === 'node-upsert') nodes.add(data.node.id);
        if (data.type === 'event') events.add(data.message);
      }
    }
  }
  return { nodes, events };
}

describe.skipIf(!available)('the shared streams when Redis misbehaves', () => {
  it('stamps new messages past what the gateways hold when the counter went back, through a gateway that holds the project', async () => {
    const a = await sharedGateway('r1');
    const viewer = await watch(a, 'p');
    for (let i = 0; i < 10; i++) expect((await a.gateway.submit('p', [event(`before-${i}`)])).ok).toBe(true);
    await waitFor(() => a.gateway.room('p')?.seq === 10, 'A at 10');
    // As after a restart from a save taken at seq 5.
    await admin.set(projectKeys('r1', 'p').seq, '5');
    for (let i = 0; i < 3; i++) expect(await a.gateway.submit('p', [event(`after-${i}`)])).toMatchObject({ ok: true, seq: 11 + i });
    await waitFor(() => seen(viewer).events.has('after-2'), 'the viewer told of every message after the regression');
    expect([...seen(viewer).events].filter((m) => m.startsWith('after-'))).toEqual(['after-0', 'after-1', 'after-2']);
  });

  it('recovers when another gateway stamped seqs the first already holds: the counter is raised, the project reloaded, nothing published is lost', async () => {
    const a = await sharedGateway('r2');
    const viewer = await watch(a, 'p');
    for (let i = 0; i < 10; i++) expect((await a.gateway.submit('p', [node(`n${i}`)])).ok).toBe(true);
    await waitFor(() => a.gateway.room('p')?.seq === 10, 'A at 10');
    await admin.set(projectKeys('r2', 'p').seq, '5');
    // B opens the project with this publish: still loading, it has no floor to give.
    const b = await sharedGateway('r2');
    expect((await b.gateway.submit('p', [node('late-1'), node('late-2')])).ok).toBe(true);
    await waitFor(() => streams[0]!.stats().regressions >= 1, 'A noticed the counter went back');
    expect(errors.some((error) => error.includes('went back'))).toBe(true);
    expect((await a.gateway.submit('p', [node('later')])).ok).toBe(true);
    await waitFor(() => ['late-1', 'late-2', 'later'].every((id) => a.gateway.room('p')?.state.snapshot().nodes.some((n) => n.id === id)), 'A holds every node published');
    await waitFor(() => ['late-1', 'late-2', 'later'].every((id) => seen(viewer).nodes.has(id)), 'the viewer was told of them');
  });

  it('shows an entry it cannot read as a warning in its place and carries on; a gateway opening the project later loads past it', async () => {
    const a = await sharedGateway('r3');
    const viewer = await watch(a, 'p');
    expect((await a.gateway.submit('p', [node('n1')])).ok).toBe(true);
    const keys = projectKeys('r3', 'p');
    const epoch = (await admin.get(keys.epoch))!;
    const seq = await admin.incr(keys.seq);
    await admin.xadd(keys.stream, '*', 'e', epoch, 's', String(seq), 't', String(Date.now()), 'd', '{"type":"from-the-future","x":1}');
    await admin.xadd(keys.stream, '*', 'garbage', 'entry');
    expect((await a.gateway.submit('p', [node('n2')])).ok).toBe(true);
    await waitFor(() => seen(viewer).nodes.has('n2'), 'the message after the unreadable ones');
    expect([...seen(viewer).events].some((m) => m.includes(`could not be read and was skipped (seq ${seq}`))).toBe(true);
    expect(streams[0]!.stats().unreadable).toBe(2);
    const late = await sharedGateway('r3');
    const lateViewer = await watch(late, 'p');
    expect(lateViewer.welcome!.seq).toBe(3);
    expect(lateViewer.snapshot!.state.nodes.map((n) => n.id).sort()).toEqual(['n1', 'n2']);
  });

  it('closes promptly with Redis gone, while a read is blocked', async () => {
    const own = await startRedis();
    const streamsOf = await connectRedisStreams({ url: own.url, keyPrefix: 'r4', onError: () => {} });
    const room = new Room('p', 'local', { now: Date.now });
    streamsOf.follow('p', room);
    await waitFor(() => room.isReady, 'room loaded');
    await own.stop();
    await streamsOf.close(); // hangs without the close racing the blocked read (the test's timeout)
  });

  it('lets go of a room dropped while it loads: nothing lands in it, nothing is charged to the budget', async () => {
    const streamsOf = await shared('r5');
    for (let i = 0; i < 20; i++) await streamsOf.append('p', [event(`e${i}`)]);
    const budget = { usedChars: 0, maxChars: 1 << 30 };
    const room = new Room('p', 'local', { now: Date.now, replayBudget: budget });
    streamsOf.follow('p', room);
    room.dispose();
    streamsOf.unfollow('p', room);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(room.isReady).toBe(false);
    expect(room.replaySize).toBe(0);
    expect(budget.usedChars).toBe(0);
  });

  it('gives the epoch of a project only ever viewed an expiry', async () => {
    const streamsOf = await shared('r6');
    const room = new Room('watched-only', 'local', { now: Date.now });
    streamsOf.follow('watched-only', room);
    await waitFor(() => room.isReady, 'room loaded');
    const ttl = await admin.pttl(projectKeys('r6', 'watched-only').epoch);
    expect(ttl).toBeGreaterThan(0);
  });
});
