import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SUBPROTOCOL, type SnapshotFrame } from '../../src/protocol/frames.ts';
import type { Envelope } from '../../src/protocol/messages.ts';
import { RealtimeConnection } from '../../src/realtime/connection.ts';
import { MAX_QUEUED_MESSAGES } from '../../src/realtime/inbound-queue.ts';
import { createRealtimeStore, type RealtimeStore } from '../../src/store/realtime.ts';
import { socketRecorder } from './fake-socket.ts';

const node = (id: string, status: 'healthy' | 'down' = 'healthy') => ({ id, label: id, kind: 'fetcher', status });

function snapshot(seq: number, nodeIds: string[]): SnapshotFrame {
  return {
    type: 'snapshot',
    epoch: 'e1',
    seq,
    state: { nodes: nodeIds.map((id) => node(id)), edges: [], progress: [], events: [], series: [], logs: [] },
  };
}

function statusMessage(seq: number, id: string, status: 'healthy' | 'down'): Envelope {
  return { seq, ts: 1_000 + seq, data: { type: 'node-status', id, status } };
}

describe('realtime connection', () => {
  let store: RealtimeStore;
  let notifications: number;
  let sockets: ReturnType<typeof socketRecorder>;
  let connection: RealtimeConnection;

  beforeEach(() => {
    vi.useFakeTimers();
    store = createRealtimeStore();
    notifications = 0;
    store.subscribe(() => notifications++);
    sockets = socketRecorder();
    connection = new RealtimeConnection({
      url: 'ws://gateway.test/ws?project=demo',
      sink: store.getState(),
      createSocket: sockets.create,
      random: () => 0.5,
    });
  });
  afterEach(() => {
    connection.stop();
    vi.useRealTimers();
  });

  async function openLink() {
    connection.start();
    await Promise.resolve();
    sockets.last().acceptConnection();
  }

  it('offers the v1 subprotocol and reports connecting, then open', async () => {
    connection.start();
    expect(store.getState().status).toBe('connecting');
    await Promise.resolve();
    expect(sockets.last().protocols).toEqual([SUBPROTOCOL]);
    sockets.last().acceptConnection();
    expect(store.getState().status).toBe('open');
    expect(store.getState().connection.url).toBe('ws://gateway.test/ws?project=demo');
  });

  it('opens a single socket when started, stopped and started again in one tick (StrictMode)', async () => {
    connection.start();
    connection.stop();
    const second = new RealtimeConnection({ url: 'ws://gateway.test/ws', sink: store.getState(), createSocket: sockets.create });
    second.start();
    await Promise.resolve();
    expect(sockets.sockets).toHaveLength(1);
    second.stop();
  });

  it('applies everything that arrived within one frame with one store notification', async () => {
    await openLink();
    sockets.last().receive(snapshot(10, ['a', 'b']));
    sockets.last().receive({ type: 'batch', messages: [statusMessage(11, 'a', 'down')] });
    sockets.last().receive({ type: 'batch', messages: [statusMessage(12, 'b', 'down'), statusMessage(13, 'a', 'healthy')] });
    const before = notifications;
    expect(store.getState().nodes).toEqual({});

    vi.advanceTimersByTime(20);
    // The snapshot and the batches after it: one notification.
    expect(notifications - before).toBe(1);
    const { nodes, stream } = store.getState();
    expect(nodes.a?.status).toBe('healthy');
    expect(nodes.b?.status).toBe('down');
    expect(stream.lastSeq).toBe(13);
    expect(stream.epoch).toBe('e1');
  });

  it('counts invalid frames and messages and keeps the valid ones', async () => {
    await openLink();
    sockets.last().receive(snapshot(1, ['a']));
    sockets.last().receive('not json');
    sockets.last().receive({ type: 'batch', messages: [statusMessage(2, 'a', 'down'), { seq: 3, ts: 1, data: { type: 'nope' } }] });
    sockets.last().receive({ type: 'mystery' });
    vi.advanceTimersByTime(20);
    expect(store.getState().nodes.a?.status).toBe('down');
    expect(store.getState().stream.rejected).toBe(3);
    expect(store.getState().stream.lastSeq).toBe(2);
  });

  it('accepts the seed-004 floor format, one envelope per frame', async () => {
    await openLink();
    sockets.last().receive({ seq: 1, ts: 5, data: { type: 'node-upsert', node: node('x') } });
    sockets.last().receive({ seq: 2, ts: 6, data: { type: 'node-status', id: 'x', status: 'down' } });
    vi.advanceTimersByTime(20);
    expect(store.getState().nodes.x?.status).toBe('down');
  });

  it('applies at once rather than queue without bound when frames never come', async () => {
    await openLink();
    const half = MAX_QUEUED_MESSAGES / 2;
    const frame = (from: number) => ({
      type: 'batch',
      messages: Array.from({ length: half }, (_, i) => statusMessage(from + i, 'a', 'down')),
    });
    sockets.last().receive(frame(1));
    expect(store.getState().stream.received).toBe(0);
    sockets.last().receive(frame(half + 1));
    expect(store.getState().stream.received).toBe(MAX_QUEUED_MESSAGES);
  });

  it('ignores everything an orphaned socket does after a reconnect', async () => {
    await openLink();
    const old = sockets.last();
    old.drop(1006);
    vi.advanceTimersByTime(1_000);
    sockets.last().acceptConnection();
    old.receive(snapshot(99, ['ghost']));
    old.drop(1011);
    vi.advanceTimersByTime(20);
    expect(store.getState().nodes).toEqual({});
    expect(store.getState().status).toBe('open');
    expect(sockets.sockets).toHaveLength(2);
  });

  it('keeps data received before a drop and applies it', async () => {
    await openLink();
    sockets.last().receive(snapshot(1, ['a']));
    sockets.last().drop(1006);
    expect(store.getState().nodes.a).toBeDefined();
    expect(store.getState().status).toBe('reconnecting');
  });

  it.each([
    [4403, 'not allowed to see this project'],
    [4404, 'unknown project'],
  ])('stops and says why on close code %i', async (code, text) => {
    await openLink();
    sockets.last().drop(code);
    expect(store.getState().status).toBe('error');
    expect(store.getState().connection.lastError).toContain(text);
    vi.advanceTimersByTime(120_000);
    expect(sockets.sockets).toHaveLength(1);
  });

  it('stops without an error when the gateway closes normally (1000)', async () => {
    await openLink();
    sockets.last().drop(1000, JSON.stringify({ reason: 'bye' }));
    expect(store.getState().status).toBe('closed');
    expect(store.getState().connection.nextRetryAt).toBeNull();
    vi.advanceTimersByTime(120_000);
    expect(sockets.sockets).toHaveLength(1);
  });

  it.each([
    ['a malformed URL', new SyntaxError("Failed to construct 'WebSocket': The URL 'ht!tp:' is invalid.")],
    ['an insecure URL from a secure page', new DOMException('An insecure WebSocket connection may not be initiated', 'SecurityError')],
  ])('stops with the reason when the socket cannot even be created (%s)', async (_why, error) => {
    const failing = new RealtimeConnection({
      url: 'ht!tp:',
      sink: store.getState(),
      createSocket: () => {
        throw error;
      },
    });
    failing.start();
    await Promise.resolve();
    expect(store.getState().status).toBe('error');
    expect(store.getState().connection).toMatchObject({ lastError: error.message, nextRetryAt: null });
    vi.advanceTimersByTime(120_000);
    expect(store.getState().status).toBe('error');
    failing.stop();
  });

  describe('a gateway that answers without the subprotocol (the seed-004 floor)', () => {
    const floorFrames = (seq: number, ids: string[]) => ids.map((id) => ({ seq, ts: 5, data: { type: 'node-upsert', node: node(id) } }));

    it('starts from an empty mesh on every open, so the replayed window does not pile onto held data', async () => {
      await openLink();
      sockets.last().receive(snapshot(3, ['a', 'b']));
      sockets.last().receive({ type: 'batch', messages: [{ seq: 4, ts: 4, data: { type: 'event', message: 'before', severity: 'info' } }] });
      vi.advanceTimersByTime(20);
      expect(Object.keys(store.getState().nodes)).toEqual(['a', 'b']);

      sockets.last().drop(1006);
      vi.advanceTimersByTime(1_000);
      const floor = sockets.last();
      floor.protocol = '';
      floor.acceptConnection();
      // Node b was deleted while the client was away: the floor's window no longer has it.
      for (const frame of floorFrames(9, ['a'])) floor.receive(frame);
      floor.receive({ seq: 9, ts: 4, data: { type: 'event', message: 'before', severity: 'info' } });
      vi.advanceTimersByTime(20);
      const state = store.getState();
      expect(Object.keys(state.nodes)).toEqual(['a']);
      expect(state.events.map((e) => e.message)).toEqual(['before']);
      expect(state.stream).toMatchObject({ epoch: null, lastSeq: 9 });
      expect(state.status).toBe('open');
    });

    it('keeps the mesh when the gateway speaks v1, whose snapshot replaces it', async () => {
      await openLink();
      sockets.last().receive(snapshot(3, ['a']));
      vi.advanceTimersByTime(20);
      sockets.last().drop(1006);
      vi.advanceTimersByTime(1_000);
      sockets.last().acceptConnection();
      expect(Object.keys(store.getState().nodes)).toEqual(['a']);
    });
  });

  it('waits at least the retry delay the gateway asks for', async () => {
    await openLink();
    const closedAt = Date.now();
    sockets.last().drop(4429, JSON.stringify({ reason: 'rate limit', retryAfterMs: 7_000 }));
    expect(store.getState().connection.nextRetryAt! - closedAt).toBe(7_000);
    expect(store.getState().connection.lastError).toBe('rate limit (4429)');
    vi.advanceTimersByTime(6_999);
    expect(sockets.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets.sockets).toHaveLength(2);
  });

  it('stops for good: closes with 1000 and never reconnects', async () => {
    await openLink();
    const socket = sockets.last();
    connection.stop();
    expect(socket.closedByClient).toEqual({ code: 1000, reason: 'client stopped' });
    expect(store.getState().status).toBe('closed');
    vi.advanceTimersByTime(120_000);
    expect(sockets.sockets).toHaveLength(1);
  });

  it('sends client messages only while the link is open', async () => {
    expect(connection.send({ type: 'ping', id: 1 })).toBe(false);
    await openLink();
    expect(connection.send({ type: 'ping', id: 2 })).toBe(true);
    // After the hello it said on opening.
    expect(sockets.last().sentMessages.map((message) => message.type)).toEqual(['hello', 'ping']);
    expect(sockets.last().sent.at(-1)).toBe('{"type":"ping","id":2}');
  });
});
