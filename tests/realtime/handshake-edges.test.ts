/**
 * Edges of the handshake a second read found: a link that drops between a
 * welcome and its snapshot, snapshots no welcome announced, tokens that
 * cannot ride as a subprotocol entry, and refreshes that must not loop.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SnapshotFrame } from '../../src/protocol/frames.ts';
import { LINK_CHECK, RealtimeConnection, type TokenSource } from '../../src/realtime/connection.ts';
import { createRealtimeStore, type RealtimeStore } from '../../src/store/realtime.ts';
import { fakeEnvironment, socketRecorder, type FakeSocket } from './fake-socket.ts';

const NOW = 1_700_000_000_000;

function snapshot(seq: number, epoch: string, reason?: SnapshotFrame['reason']): SnapshotFrame {
  const frame: SnapshotFrame = {
    type: 'snapshot',
    epoch,
    seq,
    state: { nodes: [{ id: 'a', label: 'a', kind: 'api', status: 'healthy' }], edges: [], progress: [], events: [], series: [], logs: [] },
  };
  if (reason) frame.reason = reason;
  return frame;
}

const helloOf = (socket: FakeSocket) => socket.sentMessages.find((message) => message.type === 'hello') as { resume?: unknown; token?: string } | undefined;

describe('handshake edges', () => {
  let store: RealtimeStore;
  let sockets: ReturnType<typeof socketRecorder>;
  let connection: RealtimeConnection;

  function connect(getToken?: TokenSource) {
    connection = new RealtimeConnection({
      url: 'ws://gateway.test/ws?project=demo',
      sink: store.getState(),
      createSocket: sockets.create,
      random: () => 0,
      environment: fakeEnvironment(),
      ...(getToken ? { getToken } : {}),
    });
    connection.start();
  }

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
    store = createRealtimeStore();
    sockets = socketRecorder();
  });
  afterEach(() => {
    connection.stop();
    vi.useRealTimers();
  });

  it('resumes from what it holds, not from a snapshot that was promised but never came', async () => {
    connect();
    await vi.advanceTimersByTimeAsync(0);
    sockets.last().acceptConnection({ epoch: 'e1', seq: 10 });
    sockets.last().receive(snapshot(10, 'e1'));
    // The gateway restarts: its welcome promises a snapshot of a new stream, then the link drops.
    sockets.last().drop(1006);
    await vi.advanceTimersByTimeAsync(2_000);
    sockets.last().acceptConnection({ epoch: 'e2', seq: 500, resume: 'snapshot', reason: 'epoch-changed' });
    sockets.last().drop(1011);
    await vi.advanceTimersByTimeAsync(5_000);
    sockets.last().acceptConnection(null);
    expect(helloOf(sockets.last())?.resume).toEqual({ epoch: 'e1', seq: 10 });
  });

  it('drops batches between a promised snapshot and its arrival', async () => {
    connect();
    await vi.advanceTimersByTimeAsync(0);
    const socket = sockets.last();
    socket.acceptConnection({ epoch: 'e1', seq: 10 });
    socket.receive({ type: 'batch', from: 11, to: 11, messages: [{ seq: 11, ts: 1, data: { type: 'event', message: 'early', severity: 'info' } }] });
    socket.receive(snapshot(10, 'e1'));
    await vi.advanceTimersByTimeAsync(50);
    expect(store.getState().events).toHaveLength(0);
  });

  it.each([
    ['reset', 'reset'],
    ['client-requested', 'client-requested'],
  ] as const)('says so when a %s snapshot comes outside a welcome', async (_name, reason) => {
    connect();
    await vi.advanceTimersByTimeAsync(0);
    const socket = sockets.last();
    socket.acceptConnection({ epoch: 'e1', seq: 10 });
    socket.receive(snapshot(10, 'e1'));
    if (reason === 'client-requested') socket.receive({ type: 'batch', from: 20, to: 20, messages: [] });
    socket.receive(snapshot(3, reason === 'reset' ? 'e1.2' : 'e1', reason));
    expect(store.getState().stream.sync).toMatchObject({ mode: 'snapshot', reason });
  });

  it('sends a token with characters no subprotocol may hold in the hello instead', async () => {
    connect(() => 'pasted token with spaces');
    await vi.advanceTimersByTimeAsync(0);
    expect(sockets.last().protocols).toEqual(['meshwatch.v1']);
    sockets.last().acceptConnection();
    expect(helloOf(sockets.last())?.token).toBe('pasted token with spaces');
  });

  it('refreshes a short-lived token once, not in a loop, when the source hands back the same one', async () => {
    const getToken = vi.fn(() => 'same.token.value');
    connect(getToken);
    await vi.advanceTimersByTimeAsync(0);
    const socket = sockets.last();
    socket.acceptConnection({ tokenExpiresAt: NOW + 45_000 });
    expect(sockets.last().protocols[1]).toBe('meshwatch.bearer.same.token.value');
    // 80 % of a 45 s life, at least minRefreshDelayMs.
    await vi.advanceTimersByTimeAsync(36_000);
    const auths = () => socket.sentMessages.filter((message) => message.type === 'auth').length;
    expect(auths()).toBe(1);
    // The gateway accepts the same token with the same expiry: nothing new to schedule.
    socket.receive({ type: 'authenticated', user: 'alice', tokenExpiresAt: NOW + 45_000 });
    await vi.advanceTimersByTimeAsync(LINK_CHECK.minRefreshDelayMs * 4);
    expect(auths()).toBe(1);
    expect(getToken.mock.calls.length).toBeLessThanOrEqual(2);
  });

  it('moves its resume point on with the seq a pong accounts for (quiet channels)', async () => {
    connect();
    await vi.advanceTimersByTimeAsync(0);
    const socket = sockets.last();
    socket.acceptConnection({ epoch: 'e1', seq: 10 });
    socket.receive(snapshot(10, 'e1'));
    socket.receive({ type: 'pong', id: 1, ts: NOW, seq: 42 });
    socket.drop(1006);
    await vi.advanceTimersByTimeAsync(2_000);
    sockets.last().acceptConnection(null);
    expect(helloOf(sockets.last())?.resume).toEqual({ epoch: 'e1', seq: 42 });
  });
});
