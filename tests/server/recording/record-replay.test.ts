import { readFile, stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Payload, PayloadType } from '../../../src/protocol/messages.ts';
import type { GatewayOptions } from '../../../src/server/gateway.ts';
import { gatewaySink } from '../../../src/server/recording/gateway-sink.ts';
import { openRecording } from '../../../src/server/recording/reader.ts';
import { recordProject } from '../../../src/server/recording/record-project.ts';
import { recordRoom } from '../../../src/server/recording/record-room.ts';
import { replayRecording } from '../../../src/server/recording/replay.ts';
import type { RecordProgress } from '../../../src/server/recording/session.ts';
import { CrawlSimulator } from '../../../src/server/simulator/simulator.ts';
import { expectContiguousRanges, startGateway, TestClient, waitFor, type RunningGateway } from '../support.ts';
import { batchRanges } from '../support.ts';
import { heldSeq, roomViewOf, tempDir, viewOf } from './support.ts';

/** Generous buffers: a test that publishes thousands of messages at once must not see them coalesced (that is lossy by design). */
const LOSSLESS: GatewayOptions = { flushIntervalMs: 10, softBufferedBytes: 64 * 1024 * 1024, maxBufferedBytes: 256 * 1024 * 1024 };
const T0 = Date.UTC(2026, 0, 1);

const gateways: RunningGateway[] = [];
const clients: TestClient[] = [];
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const running of gateways.splice(0)) await running.close();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function gateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const running = await startGateway({ ...LOSSLESS, ...options });
  gateways.push(running);
  return running;
}

/** A v1 viewer with every channel, every node's logs included (no channels named: ALL_CHANNELS). */
async function watch(running: RunningGateway, project: string): Promise<TestClient> {
  const client = await TestClient.open(running.url(project));
  clients.push(client);
  await waitFor(() => client.snapshot !== undefined, `${project} viewer's snapshot`);
  return client;
}

async function publishInChunks(running: RunningGateway, project: string, payloads: readonly Payload[]): Promise<void> {
  for (let i = 0; i < payloads.length; i += 200) {
    for (const payload of payloads.slice(i, i + 200)) expect(running.gateway.publish(project, payload).ok).toBe(true);
    // Let the flush windows pass, as a live stream would.
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Payload kinds the simulator rarely sends on its own, and deletes: every kind is in the recorded stream. */
function extras(): Payload[] {
  return [
    { type: 'node-upsert', node: { id: 'extra', label: 'Extra', kind: 'cache', status: 'starting' } },
    { type: 'edge-upsert', edge: { id: 'api->extra', source: 'api', target: 'extra' } },
    { type: 'node-status', id: 'extra', status: 'healthy' },
    { type: 'edge-stats', id: 'api->extra', stats: { rps: 3, errorRate: 0.5, p95Ms: 900 } },
    { type: 'chart-point', series: 'extra.hits', nodeId: 'extra', value: { t: T0, y: 1 } },
    { type: 'chart-point', series: 'global.requests', value: { t: T0, y: 42 } },
    { type: 'log-chunk', nodeId: 'extra', text: 'warming up\n\nready' },
    { type: 'log-chunk', nodeId: 'api', level: 'error', text: 'upstream reset by peer' },
    { type: 'event', severity: 'error', message: 'extra cache lost its shard map' },
    { type: 'progress', progress: { id: 'deploy', label: 'Deploy api 1.20', percent: 40, status: 'running', step: 2, steps: 5 } },
  ];
}

describe('recording a project from a client and replaying it', () => {
  it('gives a viewer of the replayed project the same store as a viewer of the original', async () => {
    const source = await gateway();
    const target = await gateway();
    const files = await tempDir();
    cleanups.push(files.remove);
    const file = files.path('a.ndjson');

    // History before the recording starts, so its snapshot has windows to carry.
    const sim = new CrawlSimulator({ seed: 'record-replay', size: 30, ratePerSecond: 400, now: T0 });
    await publishInChunks(source, 'A', [...sim.initial(), ...sim.step(2_500), ...sim.step(2_500)]);

    const viewerA = await watch(source, 'A');
    const controller = new AbortController();
    let progress: RecordProgress | null = null;
    let started = false;
    const recording = recordProject({
      url: `http://127.0.0.1:${source.port}`,
      project: 'A',
      out: file,
      signal: controller.signal,
      progressIntervalMs: 0,
      onStart: () => (started = true),
      onProgress: (p) => (progress = p),
    });
    await waitFor(() => progress !== null && progress.snapshots === 1, 'the recorder has its snapshot');
    expect(started).toBe(true);

    // The recorded stream: more simulation, a node added then deleted with its edge, logs and series, an edge deleted.
    const live: Payload[] = [];
    for (let i = 0; i < 20; i++) live.push(...sim.step(500));
    live.splice(1_000, 0, ...extras());
    live.push({ type: 'edge-delete', id: (live.find((p) => p.type === 'edge-stats') as Extract<Payload, { type: 'edge-stats' }>).id });
    live.push({ type: 'node-delete', id: 'extra' });
    live.push({ type: 'log-chunk', nodeId: 'api', level: 'warn', text: 'after the delete' });
    await publishInChunks(source, 'A', live);
    const lastSeq = source.gateway.room('A')!.seq;
    await waitFor(() => heldSeq(viewerA) === lastSeq && progress?.seq === lastSeq, 'everything recorded and seen');
    controller.abort();
    const result = await recording;

    expect(result.stoppedBy).toBe('signal');
    expect(result.coalesced).toBe(0);
    expect(result.bytes).toBe((await stat(file)).size);
    const reader = await openRecording(file);
    const kinds = new Set<PayloadType>();
    let lines = 0;
    for await (const message of reader.messages()) {
      kinds.add(message.data.type);
      lines++;
    }
    expect(reader.badLines).toBe(0);
    expect(lines).toBe(result.messages);
    expect(reader.header).toMatchObject({ meshwatch: 'recording', version: 1, project: 'A' });
    expect([...kinds].sort()).toEqual(
      ['chart-point', 'edge-delete', 'edge-stats', 'edge-upsert', 'event', 'log-chunk', 'node-delete', 'node-status', 'node-upsert', 'progress'].sort(),
    );

    const viewerB = await watch(target, 'B');
    const replayed = await replayRecording({ source: file, sink: gatewaySink(target.gateway, 'B'), speed: 'max' });
    expect(replayed).toMatchObject({ messages: result.messages, loops: 1, badLines: 0, stoppedBy: 'end' });
    const replayedSeq = target.gateway.room('B')!.seq;
    await waitFor(() => heldSeq(viewerB) === replayedSeq, 'the replay seen');
    expectContiguousRanges(batchRanges(viewerA), viewerA.snapshot!.seq + 1);
    expectContiguousRanges(batchRanges(viewerB), viewerB.snapshot!.seq + 1);

    const seenA = viewOf(viewerA.frames);
    const seenB = viewOf(viewerB.frames);
    // Not vacuous: every part of the view has something in it.
    for (const part of ['nodes', 'edges', 'progress', 'charts', 'logs'] as const) expect(Object.keys(seenA[part]).length).toBeGreaterThan(0);
    expect(seenA.events.length).toBeGreaterThan(20);
    expect(seenA.nodes.extra).toBeUndefined();
    expect(seenB.nodes).toEqual(seenA.nodes);
    expect(seenB.edges).toEqual(seenA.edges);
    expect(seenB.progress).toEqual(seenA.progress);
    expect(seenB.charts).toEqual(seenA.charts);
    expect(seenB.seriesByNode).toEqual(seenA.seriesByNode);
    expect(seenB.logs).toEqual(seenA.logs);
    expect(seenB.events).toEqual(seenA.events);
    // And the gateways agree too (what a later viewer's snapshot would hold).
    expect(roomViewOf(target.gateway.room('B')!.state.snapshot())).toEqual(roomViewOf(source.gateway.room('A')!.state.snapshot()));
  });

  it('writes deletes for what vanished when the project starts over during the recording', async () => {
    const source = await gateway();
    const target = await gateway();
    const files = await tempDir();
    cleanups.push(files.remove);
    const file = files.path('reset.ndjson');
    const big = new CrawlSimulator({ seed: 'before', size: 40, ratePerSecond: 200, now: T0 });
    await publishInChunks(source, 'A', [...big.initial(), ...big.step(1_000)]);

    const viewerA = await watch(source, 'A');
    const controller = new AbortController();
    let progress: RecordProgress | null = null;
    const recording = recordProject({ url: source.url('A'), project: 'A', out: file, signal: controller.signal, progressIntervalMs: 0, onProgress: (p) => (progress = p) });
    await waitFor(() => progress?.snapshots === 1, 'the recorder has its snapshot');
    await publishInChunks(source, 'A', big.step(1_000));

    // A smaller mesh takes the project over: the fetchers and parsers past its pool sizes are gone.
    const small = new CrawlSimulator({ seed: 'after', size: 16, ratePerSecond: 200, now: T0 });
    expect(source.gateway.publishAll('A', small.initial(), { startOver: true }).ok).toBe(true);
    await publishInChunks(source, 'A', small.step(1_000));
    const lastSeq = source.gateway.room('A')!.seq;
    await waitFor(() => heldSeq(viewerA) === lastSeq && progress?.seq === lastSeq && progress.snapshots === 2, 'the reset recorded');
    controller.abort();
    const result = await recording;
    expect(result.snapshots).toBe(2);

    const text = await readFile(file, 'utf8');
    const deleted = text.split('\n').filter((line) => line.includes('"type":"node-delete"')).length;
    // A reset's snapshot is empty (the new mesh follows as deltas): every node of the old mesh is deleted, once.
    expect(deleted).toBe(big.nodeCount);

    const viewerB = await watch(target, 'B');
    await replayRecording({ source: file, sink: gatewaySink(target.gateway, 'B'), speed: 'max' });
    const replayedSeq = target.gateway.room('B')!.seq;
    await waitFor(() => heldSeq(viewerB) === replayedSeq, 'the replay seen');
    const seenA = viewOf(viewerA.frames);
    const seenB = viewOf(viewerB.frames);
    expect(Object.keys(seenA.nodes)).toHaveLength(small.nodeCount);
    expect(seenB.nodes).toEqual(seenA.nodes);
    expect(seenB.edges).toEqual(seenA.edges);
  });
});

describe('recording a project from inside the gateway', () => {
  it('records the room it joins, snapshot and deltas, and the replay rebuilds the project', async () => {
    const source = await gateway();
    const target = await gateway();
    const files = await tempDir();
    cleanups.push(files.remove);
    const file = files.path('room.ndjson');
    const sim = new CrawlSimulator({ seed: 'room', size: 24, ratePerSecond: 300, now: T0 });
    source.gateway.publishAll('R', [...sim.initial(), ...sim.step(2_000)]);

    const controller = new AbortController();
    const recording = recordRoom(source.gateway, 'R', file, { signal: controller.signal });
    for (let i = 0; i < 10; i++) for (const payload of sim.step(300)) source.gateway.publish('R', payload);
    source.gateway.publish('R', { type: 'node-delete', id: 'fetcher-01' });
    expect(source.gateway.room('R')!.memberCount).toBe(1);
    controller.abort();
    const result = await recording;
    expect(result.stoppedBy).toBe('signal');
    expect(source.gateway.room('R')!.memberCount).toBe(0);

    await replayRecording({ source: file, sink: gatewaySink(target.gateway, 'R2'), speed: 'max' });
    expect(roomViewOf(target.gateway.room('R2')!.state.snapshot())).toEqual(roomViewOf(source.gateway.room('R')!.state.snapshot()));
    expect(target.gateway.room('R2')!.state.counts().nodes).toBe(sim.nodeCount - 1);
  });

  it('opens the room of a project nobody has fed yet, and records what comes', async () => {
    const source = await gateway();
    const files = await tempDir();
    cleanups.push(files.remove);
    const file = files.path('empty.ndjson');
    const recording = recordRoom(source.gateway, 'later', file, { maxMessages: 2 });
    await waitFor(() => source.gateway.room('later')?.memberCount === 1, 'the recorder joined');
    source.gateway.publish('later', { type: 'event', severity: 'info', message: 'one' });
    source.gateway.publish('later', { type: 'event', severity: 'info', message: 'two' });
    source.gateway.publish('later', { type: 'event', severity: 'info', message: 'three' });
    const result = await recording;
    expect(result).toMatchObject({ messages: 2, stoppedBy: 'max-messages' });
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { data?: { message: string } }).data?.message)).toEqual([undefined, 'one', 'two']);
  });
});
