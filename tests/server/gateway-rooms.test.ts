import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../src/protocol/close-codes.ts';
import type { Payload } from '../../src/protocol/messages.ts';
import type { GatewayOptions, ProjectCloseCause } from '../../src/server/gateway.ts';
import { ManualScheduler } from './manual-scheduler.ts';
import { startGateway, TestClient, waitFor, type RunningGateway } from './support.ts';

const event = (message: string): Payload => ({ type: 'event', message, severity: 'info' });

const gateways: RunningGateway[] = [];
const clients: TestClient[] = [];

async function gateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const running = await startGateway({ flushIntervalMs: 10, ...options });
  gateways.push(running);
  return running;
}
async function viewer(running: RunningGateway, project: string): Promise<TestClient> {
  const client = await TestClient.open(running.url(project));
  clients.push(client);
  await waitFor(() => client.snapshot !== undefined, `snapshot of ${project}`);
  return client;
}
async function leave(running: RunningGateway, client: TestClient): Promise<void> {
  const project = new URL(client.socket.url).searchParams.get('project')!;
  client.close();
  await waitFor(() => running.gateway.room(project)?.memberCount === 0, `${project} left`);
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

describe('gateway rooms', () => {
  it('drops a room nobody has watched or fed for roomIdleTimeoutMs, and reopens it as a new stream from seq 1', async () => {
    const scheduler = new ManualScheduler();
    const closed: Array<[string, ProjectCloseCause]> = [];
    const running = await gateway({
      scheduler,
      heartbeatIntervalMs: 1_000,
      roomIdleTimeoutMs: 10_000,
      onProjectClosed: (projectId, _room, cause) => closed.push([projectId, cause]),
    });
    running.gateway.publish('p', event('first'));
    const first = await viewer(running, 'p');
    scheduler.advance(60_000); // watched: kept however long
    expect(running.gateway.room('p')).toBeDefined();
    await leave(running, first);

    scheduler.advance(9_000);
    running.gateway.publish('p', event('a publish counts as activity'));
    scheduler.advance(9_000);
    expect(running.gateway.room('p')).toBeDefined();
    scheduler.advance(1_000);
    expect(running.gateway.room('p')).toBeUndefined();
    expect(closed).toEqual([['p', 'idle']]);
    expect(running.gateway.stats()).toMatchObject({ rooms: 0, roomsDropped: 1 });

    const again = await viewer(running, 'p');
    expect(again.snapshot!.seq).toBe(0);
    expect(again.snapshot!.state.events).toEqual([]);
    expect(again.snapshot!.epoch).not.toBe(first.snapshot!.epoch);
    for (const client of [first, again]) expect(client.snapshot!.epoch.startsWith(`${running.gateway.epoch}.`)).toBe(true);
  });

  it('when full, evicts the room quiet longest that nobody watches, for a viewer and for a publisher alike', async () => {
    const scheduler = new ManualScheduler();
    const closed: Array<[string, ProjectCloseCause]> = [];
    const running = await gateway({ scheduler, maxRooms: 3, onProjectClosed: (projectId, _room, cause) => closed.push([projectId, cause]) });
    const watched = await viewer(running, 'watched');
    running.gateway.publish('old', event('quiet since'));
    scheduler.advance(1_000);
    running.gateway.publish('recent', event('more recent'));
    scheduler.advance(1_000);
    // `watched` is the quietest of all, but it has a viewer.
    expect(running.gateway.publish('new', event('one more project'))).toMatchObject({ ok: true });
    expect(closed).toEqual([['old', 'evicted']]);
    await viewer(running, 'another');
    expect(closed).toEqual([
      ['old', 'evicted'],
      ['recent', 'evicted'],
    ]);
    expect(running.gateway.stats()).toMatchObject({ rooms: 3, roomsDropped: 2 });
    expect(watched.closeEvent).toBeNull();
  });

  it('refuses one project too many only when every room has a viewer: 4429 for a viewer, a refusal for a publisher', async () => {
    const running = await gateway({ maxRooms: 2 });
    await viewer(running, 'a');
    await viewer(running, 'b');
    const third = new TestClient(running.url('c'));
    clients.push(third);
    const closed = await third.closed();
    expect(closed.code).toBe(CLOSE_CODES.rateLimited);
    expect(JSON.parse(closed.reason)).toMatchObject({ retryAfterMs: 60_000 });
    expect(running.gateway.publish('d', event('x'))).toMatchObject({ ok: false, code: 'too-many-projects' });
    expect(running.gateway.publish('a', event('known project'))).toMatchObject({ ok: true });
    expect(running.gateway.stats()).toMatchObject({ rooms: 2, roomsDropped: 0, publishesRefused: 1 });
  });

  it('serves any number of distinct projects over time, never more than maxRooms at once', async () => {
    const running = await gateway({ maxRooms: 3 });
    for (let i = 0; i < 12; i++) {
      const client = await viewer(running, `project-${i}`);
      expect(client.closeEvent).toBeNull();
      await leave(running, client);
      expect(running.gateway.stats().rooms).toBeLessThanOrEqual(3);
    }
    expect(running.gateway.stats().roomsDropped).toBe(9);
  });

  it('starts a project over for a run that replaces it, and leaves it as it was when that run is refused', async () => {
    const node = (id: string): Payload => ({ type: 'node-upsert', node: { id, label: id, kind: 'svc', status: 'healthy' } });
    const running = await gateway({ stateLimits: { maxNodes: 2 } });
    const gw = running.gateway;
    gw.publishAll('p', [node('old-a'), node('old-b')]);
    const client = await viewer(running, 'p');
    const before = client.snapshot!;

    // Checked against an empty state: two new nodes fit where, added to the old ones, they would not.
    expect(gw.publishAll('p', [node('x'), node('y'), node('z')], { startOver: true })).toMatchObject({ ok: false, code: 'node-limit', index: 2 });
    expect([gw.room('p')!.epoch, gw.room('p')!.seq]).toEqual([before.epoch, 2]);
    expect(gw.publishAll('p', [node('x'), node('y')])).toMatchObject({ ok: false, code: 'node-limit' });
    expect(gw.publishAll('p', [node('x'), node('y')], { startOver: true })).toEqual({ ok: true, count: 2, seq: 2 });
    expect(gw.room('p')!.state.snapshot().nodes.map((n) => n.id)).toEqual(['x', 'y']);

    await waitFor(() => client.envelopes.length === 2, 'the new run');
    // Presence updates (who is watching) may come at any point; they are no part of the stream.
    const stream = client.frames.filter((frame) => frame.kind !== 'presence');
    const kinds = stream.map((frame) => (frame.kind === 'snapshot' ? `snapshot ${frame.frame.seq} ${frame.frame.reason}` : frame.kind));
    expect(kinds).toEqual(['welcome', 'snapshot 2 new', 'snapshot 0 reset', 'messages']);
    const restarted = stream[2]!.kind === 'snapshot' ? stream[2]!.frame : null;
    expect(restarted!.epoch).not.toBe(before.epoch);
    // The new stream's batch starts right after the reset snapshot.
    expect(stream[3]).toMatchObject({ kind: 'messages', range: { from: 1, to: 2, coalesced: 0 } });
    expect(restarted!.epoch.startsWith(`${gw.epoch}.`)).toBe(true);
    expect(client.envelopes.map((e) => [e.seq, e.data.type === 'node-upsert' && e.data.node.id])).toEqual([[1, 'x'], [2, 'y']]);
    // Nothing to start over: an empty project keeps its epoch.
    expect(gw.resetProject('empty')).toBe(false);
  });

  it('tells its hooks when a project gets its first viewer, before that viewer’s snapshot, and loses its last', async () => {
    const calls: string[] = [];
    const running = await gateway({
      onProjectWatched: (projectId, room) => {
        calls.push(`watched ${projectId}`);
        room.publish(event('published on the first view'));
      },
      onProjectUnwatched: (projectId) => calls.push(`unwatched ${projectId}`),
    });
    const one = await viewer(running, 'p');
    const two = await viewer(running, 'p');
    expect(one.snapshot!.state.events.map((e) => e.message)).toEqual(['published on the first view']);
    one.close();
    await waitFor(() => running.gateway.room('p')!.memberCount === 1, 'first viewer left');
    expect(calls).toEqual(['watched p']);
    two.close();
    await waitFor(() => calls.length === 2, 'unwatched');
    await viewer(running, 'p');
    expect(calls).toEqual(['watched p', 'unwatched p', 'watched p']);
  });
});
