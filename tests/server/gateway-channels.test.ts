import { afterEach, describe, expect, it } from 'vitest';
import type { Channel, ErrorFrame, LogsFrame } from '../../src/protocol/frames.ts';
import type { Severity } from '../../src/protocol/mesh.ts';
import type { Envelope, Payload } from '../../src/protocol/messages.ts';
import {
  batchRanges,
  expectContiguous,
  expectContiguousRanges,
  startGateway,
  TestClient,
  waitFor,
  type RunningGateway,
} from './support.ts';

const node = (id: string): Payload => ({ type: 'node-upsert', node: { id, label: id, kind: 'svc', status: 'healthy' } });
const edge = (id: string): Payload => ({ type: 'edge-upsert', edge: { id, source: 'a', target: 'b' } });
const event = (message: string): Payload => ({ type: 'event', message, severity: 'info' });
const point = (series: string, t: number): Payload => ({ type: 'chart-point', series, value: { t, y: t } });
const stats = (id: string, rps: number): Payload => ({ type: 'edge-stats', id, stats: { rps, errorRate: 0, p95Ms: 3 } });
const progress = (percent: number): Payload => ({ type: 'progress', progress: { id: 'run', label: 'run', percent, status: 'running' } });
const log = (nodeId: string, text: string, level: Severity = 'info'): Payload => ({ type: 'log-chunk', nodeId, text, level });

let running: RunningGateway;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await running?.close();
});

async function gateway(): Promise<RunningGateway> {
  running = await startGateway({ flushIntervalMs: 10 });
  return running;
}

async function connect(channels?: Channel[], protocols?: string[]): Promise<TestClient> {
  const client = await TestClient.open(running.url('p1'), protocols, { hello: channels ? { channels } : {} });
  clients.push(client);
  await waitFor(() => client.snapshot !== undefined || client.envelopes.length > 0 || client.closeEvent !== null, 'snapshot');
  return client;
}

function publish(payload: Payload): number {
  const outcome = running.gateway.publish('p1', payload);
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.envelope.seq;
}

/** Publishes a closing event and waits until the client's batches account for it (and so for everything before it). */
async function settle(client: TestClient, mark = `mark ${Math.random()}`): Promise<number> {
  const seq = publish(event(mark));
  await waitFor(() => (batchRanges(client).at(-1)?.to ?? 0) >= seq, `client at seq ${seq}`);
  return seq;
}

const logsFrames = (client: TestClient): LogsFrame[] => client.frames.flatMap((f) => (f.kind === 'logs' ? [f.frame] : []));
const errors = (client: TestClient): ErrorFrame[] => client.frames.flatMap((f) => (f.kind === 'error' ? [f.frame] : []));
const types = (envelopes: Envelope[]): string[] => [...new Set(envelopes.map((e) => e.data.type))].sort();
const logChunks = (client: TestClient) => client.envelopes.flatMap((e) => (e.data.type === 'log-chunk' ? [{ seq: e.seq, ...e.data }] : []));

/** One of everything, so a snapshot has every part. */
function seedProject(): void {
  for (const payload of [
    node('a'),
    node('b'),
    edge('a->b'),
    stats('a->b', 10),
    point('cpu', 1),
    progress(10),
    event('before'),
    log('a', 'a1\na2\na3'),
    log('b', 'b1\nb2', 'warn'),
  ]) {
    publish(payload);
  }
}

describe('gateway channels', () => {
  it('sends a client that asked only for events nothing else, with batch ranges that still cover every seq', async () => {
    await gateway();
    seedProject();
    const client = await connect(['events']);
    expect(client.welcome!.channels).toEqual(['events']);
    const { snapshot } = client;
    expect(snapshot!.state).toMatchObject({ nodes: [], edges: [], series: [], progress: [], logs: [] });
    expect(snapshot!.state.events.map((e) => e.message)).toEqual(['before']);

    let events = 0;
    for (let i = 0; i < 60; i++) {
      const kinds = [node(`n${i}`), point('cpu', i), stats('a->b', i), log('a', `line ${i}`), progress(i), event(`e${i}`)];
      const payload = kinds[i % kinds.length]!;
      if (payload.type === 'event') events++;
      publish(payload);
    }
    // A window holding only messages the client does not get sends nothing; the next batch accounts for them.
    await settle(client, 'flush what came before');
    const afterFlush = client.frames.length;
    const seqOfSkipped = [publish(node('late')), publish(point('cpu', 99)), publish(log('b', 'late'))];
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(client.frames.length).toBe(afterFlush);
    const last = await settle(client, 'last');
    expect(client.frames.length).toBe(afterFlush + 1);
    expect(types(client.envelopes)).toEqual(['event']);
    expect(client.envelopes).toHaveLength(events + 2);
    const ranges = batchRanges(client);
    expectContiguousRanges(ranges, snapshot!.seq + 1);
    expect(ranges.at(-1)!.to).toBe(last);
    expect(ranges.at(-1)!.from).toBe(seqOfSkipped[0]);
    // The envelopes themselves skip seqs: the ranges are what proves nothing was lost.
    expect(() => expectContiguous(client.envelopes.map((e) => e.seq), snapshot!.seq + 1)).toThrow();
  });

  it('adds and drops channels on a live connection', async () => {
    await gateway();
    const client = await connect(['events']);
    publish(node('a'));
    publish(point('cpu', 1));
    await settle(client);
    expect(types(client.envelopes)).toEqual(['event']);

    client.send(JSON.stringify({ type: 'subscribe', channels: ['topology', 'stats'] }));
    await client.barrier();
    const nodeSeq = publish(node('b'));
    const pointSeq = publish(point('cpu', 2));
    await settle(client);
    expect(client.envelopes.filter((e) => e.data.type !== 'event').map((e) => e.seq)).toEqual([nodeSeq, pointSeq]);

    client.send(JSON.stringify({ type: 'unsubscribe', channels: ['events', 'stats'] }));
    await client.barrier();
    const seen = client.envelopes.length;
    publish(point('cpu', 3));
    publish(event('not for this client'));
    const lastNode = publish(node('c'));
    await waitFor(() => (batchRanges(client).at(-1)?.to ?? 0) === lastNode, 'node c');
    expect(client.envelopes.slice(seen).map((e) => e.data.type)).toEqual(['node-upsert']);
    expectContiguousRanges(batchRanges(client), client.snapshot!.seq + 1);
    expect(errors(client)).toEqual([]);
  });

  it('sends the window of a node whose log is subscribed to, then only that node’s chunks', async () => {
    await gateway();
    seedProject();
    const client = await connect(['events']);
    client.send(JSON.stringify({ type: 'subscribe', channels: ['logs:a'] }));
    await waitFor(() => logsFrames(client).length === 1, 'logs frame');
    const [window] = logsFrames(client);
    expect(window).toMatchObject({ type: 'logs', nodeId: 'a', seq: running.gateway.room('p1')!.seq });
    expect(window!.lines.map((l) => l.text)).toEqual(['a1', 'a2', 'a3']);

    const aSeqs: number[] = [];
    for (let i = 0; i < 10; i++) {
      aSeqs.push(publish(log('a', `a live ${i}`)));
      publish(log('b', `b live ${i}`));
      publish(log('c', `c live ${i}`));
    }
    await settle(client);
    expect(logChunks(client).map((c) => [c.seq, c.nodeId])).toEqual(aSeqs.map((seq) => [seq, 'a']));
    expect(logsFrames(client)).toHaveLength(1);
    expectContiguousRanges(batchRanges(client), client.snapshot!.seq + 1);
  });

  it('sends every node’s window to a client that subscribes to logs:*', async () => {
    await gateway();
    seedProject();
    const client = await connect(['events']);
    client.send(JSON.stringify({ type: 'subscribe', channels: ['logs:*'] }));
    await client.barrier();
    await settle(client);
    const windows = Object.fromEntries(logsFrames(client).map((f) => [f.nodeId, f.lines.map((l) => l.text)]));
    expect(windows).toEqual({ a: ['a1', 'a2', 'a3'], b: ['b1', 'b2'] });
  });

  it('stops a paused node’s lines, and re-sends its window on resume', async () => {
    await gateway();
    const client = await connect(['events', 'logs:a']);
    publish(log('a', 'before pause'));
    await settle(client);
    expect(logChunks(client).map((c) => c.text)).toEqual(['before pause']);

    client.send(JSON.stringify({ type: 'logs', nodeId: 'a', action: 'pause' }));
    await client.barrier();
    for (let i = 0; i < 5; i++) publish(log('a', `while paused ${i}`));
    await settle(client);
    expect(logChunks(client).map((c) => c.text)).toEqual(['before pause']);
    expect(logsFrames(client)).toEqual([]);

    client.send(JSON.stringify({ type: 'logs', nodeId: 'a', action: 'resume' }));
    await waitFor(() => logsFrames(client).length === 1, 'window on resume');
    expect(logsFrames(client)[0]!.lines.map((l) => l.text)).toEqual(['before pause', ...[0, 1, 2, 3, 4].map((i) => `while paused ${i}`)]);
    expect(logsFrames(client)[0]!.seq).toBe(running.gateway.room('p1')!.seq);

    const liveSeq = publish(log('a', 'after resume'));
    await settle(client);
    expect(logChunks(client).at(-1)).toMatchObject({ seq: liveSeq, text: 'after resume' });
    expectContiguousRanges(batchRanges(client), client.snapshot!.seq + 1);
    expect(errors(client)).toEqual([]);
  });

  it('applies a level and text filter to the re-sent window and cuts live chunks to their matching lines, same seq', async () => {
    await gateway();
    const client = await connect(['events', 'logs:a']);
    publish(log('a', 'disk ok\nall good', 'info'));
    publish(log('a', 'disk full\ncpu hot\nDISK slow', 'error'));
    publish(log('a', 'fan loud', 'warn'));
    await settle(client);

    client.send(JSON.stringify({ type: 'logs', nodeId: 'a', action: 'filter', minLevel: 'warn', text: 'disk' }));
    await waitFor(() => logsFrames(client).length === 1, 'filtered window');
    expect(logsFrames(client)[0]).toMatchObject({ nodeId: 'a', options: { minLevel: 'warn', text: 'disk' } });
    expect(logsFrames(client)[0]!.lines.map((l) => [l.level, l.text])).toEqual([
      ['error', 'disk full'],
      ['error', 'DISK slow'],
    ]);

    const before = logChunks(client).length;
    publish(log('a', 'disk ok again', 'info')); // below the level
    const cutSeq = publish(log('a', 'net down\nDisk gone\nretrying', 'error'));
    publish(log('a', 'nothing here', 'error')); // no match
    const wholeSeq = publish(log('a', 'disk warn', 'warn')); // every line matches
    await settle(client);
    expect(logChunks(client).slice(before).map((c) => [c.seq, c.text, c.level])).toEqual([
      [cutSeq, 'Disk gone', 'error'],
      [wholeSeq, 'disk warn', 'warn'],
    ]);
    expectContiguousRanges(batchRanges(client), client.snapshot!.seq + 1);
  });

  it.each<{ name: string; channels: Channel[]; parts: Record<string, number>; logs: string[] }>([
    {
      name: 'base channels only',
      channels: ['topology', 'stats', 'events', 'progress'],
      parts: { nodes: 2, edges: 1, series: 1, progress: 1, events: 1 },
      logs: [],
    },
    { name: 'one node’s log', channels: ['logs:b'], parts: { nodes: 0, edges: 0, series: 0, progress: 0, events: 0 }, logs: ['b'] },
    { name: 'topology and every log', channels: ['topology', 'logs:*'], parts: { nodes: 2, edges: 1, series: 0, progress: 0, events: 0 }, logs: ['a', 'b'] },
  ])('sends a snapshot holding only the subscribed parts: $name', async ({ channels, parts, logs }) => {
    await gateway();
    seedProject();
    const client = await connect(channels);
    const { state } = client.snapshot!;
    expect({
      nodes: state.nodes.length,
      edges: state.edges.length,
      series: state.series.length,
      progress: state.progress.length,
      events: state.events.length,
    }).toEqual(parts);
    expect(state.logs.map((w) => w.nodeId).sort()).toEqual(logs);
  });

  it('refuses more than 300 log channels on one connection with too-many-channels, keeping what it had', async () => {
    await gateway();
    const ids = (from: number, count: number): Channel[] => Array.from({ length: count }, (_, i) => `logs:n${from + i}` as Channel);
    const client = await connect(['events', ...ids(0, 200)]);
    expect(client.welcome!.channels).toHaveLength(201);

    client.send(JSON.stringify({ type: 'subscribe', channels: ids(200, 101) }));
    await waitFor(() => errors(client).length === 1, 'refusal');
    expect(errors(client)[0]).toMatchObject({ code: 'too-many-channels' });
    expect(logsFrames(client)).toHaveLength(0);

    // Channels already held do not count twice; up to 300 is fine.
    client.send(JSON.stringify({ type: 'subscribe', channels: [...ids(150, 50), ...ids(200, 100)] }));
    await waitFor(() => logsFrames(client).length === 100, 'windows of the 100 new nodes');
    client.send(JSON.stringify({ type: 'subscribe', channels: ids(300, 1) }));
    await waitFor(() => errors(client).length === 2, 'second refusal');
    expect(errors(client)[1]).toMatchObject({ code: 'too-many-channels' });

    const seq = publish(log('n299', 'three hundredth'));
    publish(log('n300', 'refused'));
    await settle(client);
    expect(logChunks(client).map((c) => [c.seq, c.nodeId])).toEqual([[seq, 'n299']]);
    expect(client.closeEvent).toBeNull();
  });

  it('refuses a hello naming more than 300 log channels with too-many-channels, keeping its base channels', async () => {
    await gateway();
    const ids = Array.from({ length: 301 }, (_, i) => `logs:n${i}` as Channel);
    const client = await connect(['events', 'topology', ...ids]);
    await waitFor(() => errors(client).length === 1, 'refusal');
    expect(errors(client)[0]).toMatchObject({ code: 'too-many-channels' });
    expect(client.welcome!.channels).toEqual(['events', 'topology']);
    expect(client.closeEvent).toBeNull();
  });

  it('answers a ping with the seq it has accounted for, so a client on quiet channels keeps its resume point current', async () => {
    await gateway();
    const client = await connect(['events']);
    for (let i = 0; i < 5; i++) publish(node(`n${i}`));
    await waitFor(() => running.gateway.room('p1')?.seq === 5, 'published');
    client.send(JSON.stringify({ type: 'ping', id: 7 }));
    await waitFor(() => client.frames.some((f) => f.kind === 'pong'), 'pong');
    const pong = client.frames.find((f) => f.kind === 'pong');
    expect(pong?.kind === 'pong' && pong.frame).toMatchObject({ id: 7, seq: 5 });
  });

  it('sends a snapshot when a base channel is subscribed again: it missed what was published meanwhile', async () => {
    await gateway();
    const client = await connect(['events', 'topology']);
    client.send(JSON.stringify({ type: 'unsubscribe', channels: ['topology'] }));
    await client.barrier();
    publish(node('added-while-away'));
    client.send(JSON.stringify({ type: 'subscribe', channels: ['topology'] }));
    await waitFor(() => client.frames.filter((f) => f.kind === 'snapshot').length === 2, 'second snapshot');
    const last = client.frames.filter((f) => f.kind === 'snapshot').at(-1);
    expect(last?.kind === 'snapshot' && last.frame.reason).toBe('client-requested');
    expect(last?.kind === 'snapshot' && last.frame.state.nodes.map((n) => n.id)).toEqual(['added-while-away']);
  });

  it('gives a floor client (no subprotocol) everything: every channel, every node’s log', async () => {
    await gateway();
    seedProject();
    const floor = await connect(undefined, []);
    const snapshotEnvelopes = floor.envelopes.length;
    expect(types(floor.envelopes)).toEqual(['chart-point', 'edge-upsert', 'event', 'log-chunk', 'node-upsert', 'progress']);

    const seqs = [node('c'), point('cpu', 2), stats('a->b', 5), event('e'), progress(50), log('a', 'la'), log('zz', 'lz')].map(publish);
    await waitFor(() => floor.envelopes.length === snapshotEnvelopes + seqs.length, 'every delta');
    const deltas = floor.envelopes.slice(snapshotEnvelopes);
    expect(deltas.map((e) => e.seq)).toEqual(seqs);
    expect(types(deltas)).toEqual(['chart-point', 'edge-stats', 'event', 'log-chunk', 'node-upsert', 'progress']);
    expect(floor.raw.every((text) => !text.includes('"type":"batch"'))).toBe(true);
  });
});
