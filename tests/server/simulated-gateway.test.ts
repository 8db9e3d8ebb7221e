import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope, Payload } from '../../src/protocol/messages.ts';
import { createSimulatedGateway, type SimulatedGateway, type SimulatedGatewayOptions } from '../../src/server/simulated-gateway.ts';
import { ManualScheduler } from './manual-scheduler.ts';
import { TestClient, waitFor } from './support.ts';

const GRACE_MS = 30_000;
const ROOM_IDLE_MS = 5 * 60_000;

let simulated: SimulatedGateway | null = null;
let server: Server | null = null;
let base = '';
const clients: TestClient[] = [];
const errors: unknown[] = [];

async function start(simulations: SimulatedGatewayOptions['simulations'] = {}, maxRooms?: number): Promise<ManualScheduler> {
  const scheduler = new ManualScheduler();
  simulated = createSimulatedGateway(
    { enabled: true, size: 30, ratePerSecond: 50 },
    {
      // Heartbeats every second so idle rooms are looked for often; no viewer here times out.
      gateway: { scheduler, heartbeatIntervalMs: 1_000, idleTimeoutMs: 24 * 3_600_000, roomIdleTimeoutMs: ROOM_IDLE_MS, maxRooms },
      simulations: { graceMs: GRACE_MS, onError: (error) => errors.push(error), ...simulations },
    },
  );
  const endpoint = simulated.publishEndpoint;
  server = createServer((req, res) => {
    if (!endpoint.handle(req, res)) res.writeHead(404).end();
  });
  simulated.gateway.attach(server);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return scheduler;
}

async function view(project: string): Promise<TestClient> {
  const client = await TestClient.open(`ws://${base}/ws?project=${project}`);
  clients.push(client);
  await waitFor(() => client.snapshot !== undefined, `snapshot of ${project}`);
  return client;
}

async function leave(client: TestClient): Promise<void> {
  const project = new URL(client.socket.url).searchParams.get('project')!;
  client.close();
  await waitFor(() => simulated!.gateway.room(project)?.memberCount === 0, `${project} left`);
}

const simulating = (...projects: string[]) => projects.filter((project) => simulated!.simulations!.has(project));

const snapshotsOf = (client: TestClient) => client.frames.flatMap((frame) => (frame.kind === 'snapshot' ? [frame.frame] : []));

function envelopesAfterLastSnapshot(client: TestClient): Envelope[] {
  const last = client.frames.findLastIndex((frame) => frame.kind === 'snapshot');
  return client.frames.slice(last + 1).flatMap((frame) => (frame.kind === 'messages' ? frame.messages : []));
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await simulated?.close();
  simulated = null;
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
  errors.length = 0;
});

describe('simulated gateway', () => {
  it('simulates a watched project until a grace period after its last viewer left', async () => {
    const scheduler = await start();
    const viewer = await view('demo');
    expect(viewer.snapshot!.state.nodes.length).toBeGreaterThanOrEqual(20);
    await leave(viewer);
    scheduler.advance(GRACE_MS - 1);
    expect(simulating('demo')).toEqual(['demo']);
    scheduler.advance(1);
    expect(simulating('demo')).toEqual([]);
  });

  it('keeps the mesh moving for a viewer back within the grace period, and starts it again for one back later', async () => {
    const scheduler = await start();
    await leave(await view('demo'));
    scheduler.advance(GRACE_MS / 2);
    const back = await view('demo');
    scheduler.advance(GRACE_MS * 2);
    expect(simulating('demo')).toEqual(['demo']);

    await leave(back);
    scheduler.advance(GRACE_MS);
    expect(simulating('demo')).toEqual([]);
    const later = await view('demo');
    expect(simulating('demo')).toEqual(['demo']);
    expect(later.snapshot!.state.nodes.length).toBeGreaterThanOrEqual(20);
  });

  it('gives a newly watched project a simulation by stopping one nobody watches, however many were viewed before', async () => {
    await start({ maxSimulations: 2 });
    for (let i = 0; i < 6; i++) {
      const viewer = await view(`p${i}`);
      expect(simulating(`p${i}`)).toEqual([`p${i}`]);
      await leave(viewer);
    }
    expect(simulated!.simulations!.size).toBe(2);
    expect(errors).toEqual([]);
  });

  it('never simulates a project fed over HTTP while its room is open, even for a returning viewer', async () => {
    const scheduler = await start();
    const viewer = await view('real');
    const node: Payload = { type: 'node-upsert', node: { id: 'api', label: 'API', kind: 'api', status: 'healthy' } };
    const res = await fetch(`http://${base}/api/projects/real/publish`, { method: 'POST', body: JSON.stringify(node) });
    expect(res.status).toBe(202);
    expect(simulating('real')).toEqual([]);
    await leave(viewer);
    await leave(await view('real'));
    expect(simulating('real')).toEqual([]);

    // Once nobody watches or feeds it, the gateway forgets the project, and with it that it was real.
    scheduler.advance(ROOM_IDLE_MS);
    expect(simulated!.gateway.room('real')).toBeUndefined();
    await view('real');
    expect(simulating('real')).toEqual(['real']);
  });

  it('hands a simulated project to a real publisher: its viewers then see only the real data', async () => {
    const scheduler = await start();
    const viewer = await view('shop');
    scheduler.advance(2_000); // the simulation runs a while
    const simulatedEpoch = viewer.snapshot!.epoch;
    const node: Payload = { type: 'node-upsert', node: { id: 'api', label: 'API', kind: 'api', status: 'healthy' } };
    const res = await fetch(`http://${base}/api/projects/shop/publish`, { method: 'POST', body: JSON.stringify(node) });
    expect(await res.json()).toMatchObject({ accepted: 1, seq: 1 });
    expect(simulating('shop')).toEqual([]);

    // The viewer is told the stream started over (a new epoch, nothing simulated in it), then gets the real data.
    await waitFor(() => snapshotsOf(viewer).length === 2, 'a new snapshot');
    const restarted = snapshotsOf(viewer)[1]!;
    expect(restarted.epoch).not.toBe(simulatedEpoch);
    expect([restarted.seq, restarted.state.nodes, restarted.state.series, restarted.state.events]).toEqual([0, [], [], []]);
    scheduler.advance(1_000);
    await waitFor(() => envelopesAfterLastSnapshot(viewer).length === 1, 'the real node');
    expect(envelopesAfterLastSnapshot(viewer)).toEqual([{ seq: 1, ts: expect.any(Number), data: node }]);

    const newcomer = await view('shop');
    expect(newcomer.snapshot!.epoch).toBe(restarted.epoch);
    expect(newcomer.snapshot!.state.nodes.map((n) => n.id)).toEqual(['api']);
    expect(newcomer.snapshot!.state.series).toEqual([]);
  });

  it('starts the simulation over for a viewer back after the grace period, instead of folding it into what the stopped one left', async () => {
    const scheduler = await start();
    const first = await view('demo');
    scheduler.advance(10_000); // fetchers come and go, points and events pile up
    await leave(first);
    scheduler.advance(GRACE_MS);
    expect(simulating('demo')).toEqual([]);
    expect(simulated!.gateway.room('demo')).toBeDefined(); // the room outlives the simulation

    const back = await view('demo');
    expect(simulating('demo')).toEqual(['demo']);
    expect(back.snapshot!.epoch).not.toBe(first.snapshot!.epoch);
    // The same seed: the same initial mesh, and nothing else.
    expect(back.snapshot!.seq).toBe(first.snapshot!.seq);
    expect(back.snapshot!.state).toEqual({ ...first.snapshot!.state, events: expect.any(Array), series: expect.any(Array) });
    expect(back.snapshot!.state.series.map((s) => s.points.length)).toEqual(first.snapshot!.state.series.map((s) => s.points.length));
  });

  it('stops the simulation of a project whose room is evicted, so it cannot open the room again', async () => {
    await start({}, 1);
    await leave(await view('first'));
    expect(simulating('first')).toEqual(['first']); // within its grace period, still publishing
    await view('second');
    expect(simulated!.gateway.room('first')).toBeUndefined();
    expect(simulating('first', 'second')).toEqual(['second']);
  });
});
