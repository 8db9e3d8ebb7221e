/**
 * The realtime client's accounting of the stream: ranged batches must join
 * up (a gap asks for a snapshot; an overlap is harmless), the welcome says
 * how the client caught up, log windows and presence reach the store in
 * order, and channel and log-option changes reach the gateway, now and in the
 * hello of every reconnect.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogLine, SnapshotFrame } from '../../src/protocol/frames.ts';
import type { Envelope, Payload } from '../../src/protocol/messages.ts';
import { RealtimeConnection } from '../../src/realtime/connection.ts';
import { createRealtimeStore, type RealtimeStore } from '../../src/store/realtime.ts';
import { fakeEnvironment, socketRecorder, welcomeFrame, type FakeSocket } from './fake-socket.ts';

const node = (id: string, status: 'healthy' | 'down' = 'healthy') => ({ id, label: id, kind: 'fetcher', status });

function snapshot(seq: number, nodeIds: string[], epoch = 'e1'): SnapshotFrame {
  return {
    type: 'snapshot',
    epoch,
    seq,
    state: { nodes: nodeIds.map((id) => node(id)), edges: [], progress: [], events: [], series: [], logs: [] },
  };
}

const status = (id: string, value: 'healthy' | 'down'): Payload => ({ type: 'node-status', id, status: value });
const event = (message: string): Payload => ({ type: 'event', message, severity: 'info' });
const logChunk = (nodeId: string, text: string): Payload => ({ type: 'log-chunk', nodeId, text, level: 'info' });

/** A v1 batch accounting for `from`..`to`, carrying `payloads` at consecutive seqs from `from`. */
function batch(from: number, to: number, payloads: Payload[], coalesced?: number) {
  const messages: Envelope[] = payloads.map((data, i) => ({ seq: from + i, ts: 1_000 + from + i, data }));
  return { type: 'batch', from, to, ...(coalesced === undefined ? {} : { coalesced }), messages };
}

const eventTexts = (store: RealtimeStore) => store.getState().events.map((e) => e.message);
const sentOfType = (socket: FakeSocket, type: string) => socket.sentMessages.filter((message) => message.type === type);

describe('the realtime client’s stream accounting', () => {
  let store: RealtimeStore;
  let sockets: ReturnType<typeof socketRecorder>;
  let connection: RealtimeConnection;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
    store = createRealtimeStore();
    sockets = socketRecorder();
    connection = new RealtimeConnection({
      url: 'ws://gateway.test/ws?project=demo',
      sink: store.getState(),
      createSocket: sockets.create,
      random: () => 0.5,
      environment: fakeEnvironment(),
    });
  });
  afterEach(() => {
    connection.stop();
    vi.useRealTimers();
  });

  /** Welcomed (a first connect at seq 10) and holding the snapshot: nodes a and b. */
  async function openLink() {
    connection.start();
    await Promise.resolve();
    const socket = sockets.last();
    socket.acceptConnection({ seq: 10 });
    socket.receive(snapshot(10, ['a', 'b']));
    return socket;
  }

  /** Lets the per-frame scheduler apply what is queued. */
  const frame = () => vi.advanceTimersByTime(20);

  /** Drops the link and lets the client reconnect; returns the new socket, not yet accepted. */
  function reconnect(socket: FakeSocket) {
    socket.drop(1006);
    vi.advanceTimersByTime(60_000);
    return sockets.last();
  }

  describe('ranged batches', () => {
    it('applies contiguous batches', async () => {
      const socket = await openLink();
      socket.receive(batch(11, 12, [status('a', 'down'), event('e12')]));
      socket.receive(batch(13, 13, [event('e13')]));
      // A range can account for seqs this connection does not see (other channels): 15..20 here.
      socket.receive(batch(14, 20, [event('e14')]));
      socket.receive(batch(21, 21, [event('e21')]));
      frame();
      const state = store.getState();
      expect(state.nodes.a?.status).toBe('down');
      expect(eventTexts(store)).toEqual(['e21', 'e14', 'e13', 'e12']);
      expect(state.stream).toMatchObject({ lastSeq: 21, gaps: 0, received: 5 });
      expect(sentOfType(socket, 'resync')).toHaveLength(0);
    });

    it('asks for a snapshot on a gap, drops what comes until it arrives, then applies what follows it', async () => {
      const socket = await openLink();
      socket.receive(batch(11, 11, [event('e11')]));
      // Seq 12 never came.
      socket.receive(batch(13, 13, [status('b', 'down'), event('e13')]));
      expect(sentOfType(socket, 'resync')).toEqual([{ type: 'resync' }]);
      expect(store.getState().stream.gaps).toBe(1);
      // Everything before the snapshot is superseded by it; no second resync is asked for.
      socket.receive(batch(14, 15, [event('e14'), status('a', 'down')]));
      frame();
      expect(sentOfType(socket, 'resync')).toHaveLength(1);
      expect(eventTexts(store)).toEqual(['e11']);
      expect(store.getState().nodes.a?.status).toBe('healthy');

      const resynced = snapshot(15, ['a', 'b', 'c']);
      resynced.state.nodes[0]!.status = 'down';
      socket.receive({ ...resynced, reason: 'client-requested' });
      socket.receive(batch(16, 16, [event('e16')]));
      frame();
      const state = store.getState();
      expect(Object.keys(state.nodes).sort()).toEqual(['a', 'b', 'c']);
      expect(state.nodes.a?.status).toBe('down');
      expect(eventTexts(store)).toEqual(['e16']);
      expect(state.stream).toMatchObject({ lastSeq: 16, gaps: 1, snapshots: 2 });

      // And the stream goes on from the snapshot: a later gap is a new gap.
      socket.receive(batch(18, 18, [event('e18')]));
      expect(store.getState().stream.gaps).toBe(2);
      expect(sentOfType(socket, 'resync')).toHaveLength(2);
    });

    it('asks for no resync on an overlap or a duplicate', async () => {
      const socket = await openLink();
      socket.receive(batch(11, 13, [status('a', 'down'), event('e12'), status('a', 'healthy')]));
      socket.receive(batch(11, 13, [status('a', 'down'), event('e12'), status('a', 'healthy')]));
      socket.receive(batch(12, 14, [event('e12'), status('a', 'healthy'), event('e14')]));
      socket.receive(batch(15, 15, [event('e15')]));
      frame();
      expect(sentOfType(socket, 'resync')).toHaveLength(0);
      expect(store.getState().stream).toMatchObject({ gaps: 0, lastSeq: 15 });
    });

    it('applies an overlap or a duplicate idempotently: the store is as if each seq came once', async () => {
      const socket = await openLink();
      socket.receive(batch(11, 13, [status('a', 'down'), event('e12'), status('a', 'healthy')]));
      frame();
      const once = { nodes: store.getState().nodes, events: eventTexts(store) };

      // The same range again, then part of it: stale news must not undo seq 13.
      socket.receive(batch(11, 13, [status('a', 'down'), event('e12'), status('a', 'healthy')]));
      socket.receive(batch(11, 12, [status('a', 'down'), event('e12')]));
      frame();
      expect(store.getState().nodes).toEqual(once.nodes);
      expect(eventTexts(store)).toEqual(once.events);

      // Then one that overlaps what is held by two seqs and brings one new.

      socket.receive(batch(12, 14, [event('e12'), status('a', 'healthy'), event('e14')]));
      frame();
      expect(store.getState().nodes.a?.status).toBe('healthy');
      expect(eventTexts(store)).toEqual(['e14', 'e12']);
    });

    it('counts what the gateway coalesced', async () => {
      const socket = await openLink();
      socket.receive(batch(11, 20, [event('e11'), event('e12')], 3));
      socket.receive(batch(21, 25, [event('e21')], 4));
      socket.receive(batch(26, 26, [event('e26')]));
      frame();
      expect(store.getState().stream).toMatchObject({ coalesced: 7, gaps: 0, lastSeq: 26 });
    });
  });

  describe('the welcome', () => {
    it('records a replay, and applies the replayed batches without a snapshot', async () => {
      const first = await openLink();
      first.receive(batch(11, 12, [event('e11'), event('e12')]));
      frame();
      const second = reconnect(first);
      second.acceptConnection({ resume: 'replay', replayed: 3, seq: 15 });
      expect(second.sentMessages[0]).toMatchObject({ type: 'hello', resume: { epoch: 'e1', seq: 12 } });
      expect(store.getState().stream.sync).toEqual({ mode: 'replay', replayed: 3, at: Date.now() });

      second.receive(batch(13, 15, [event('e13'), event('e14'), event('e15')]));
      frame();
      expect(eventTexts(store)).toEqual(['e15', 'e14', 'e13', 'e12', 'e11']);
      expect(store.getState().stream).toMatchObject({ snapshots: 1, gaps: 0, lastSeq: 15 });
    });

    it('records a snapshot and its reason when the epoch changed, and takes the new stream', async () => {
      const first = await openLink();
      first.receive(batch(11, 11, [event('old')]));
      frame();
      const second = reconnect(first);
      second.acceptConnection({ resume: 'snapshot', reason: 'epoch-changed', epoch: 'e2', seq: 4 });
      expect(store.getState().stream.sync).toEqual({ mode: 'snapshot', reason: 'epoch-changed', at: Date.now() });

      second.receive({ ...snapshot(4, ['x'], 'e2'), reason: 'epoch-changed' });
      second.receive(batch(5, 5, [event('new')]));
      frame();
      const state = store.getState();
      expect(Object.keys(state.nodes)).toEqual(['x']);
      expect(eventTexts(store)).toEqual(['new']);
      expect(state.stream).toMatchObject({ epoch: 'e2', lastSeq: 5, gaps: 0 });

      // The next resume names the new stream.
      const third = reconnect(second);
      third.acceptConnection({ resume: 'replay', replayed: 0, seq: 5, epoch: 'e2' });
      expect(third.sentMessages[0]).toMatchObject({ type: 'hello', resume: { epoch: 'e2', seq: 5 } });
    });
  });

  describe('log windows and presence', () => {
    const lines = (...texts: string[]): LogLine[] => texts.map((text, i) => ({ ts: i, level: 'info', text }));
    const logTexts = (nodeId: string) => (store.getState().logs[nodeId] ?? []).map((line) => line.text);

    it('replaces one node’s log with the window, after the batches that came before it', async () => {
      const socket = await openLink();
      socket.receive(batch(11, 12, [logChunk('a', 'early'), logChunk('b', 'b-line')]));
      // Not yet applied when the window comes: it must still land before the window, not after.
      expect(logTexts('a')).toEqual([]);
      socket.receive({ type: 'logs', nodeId: 'a', seq: 12, lines: lines('w1', 'w2') });
      expect(logTexts('a')).toEqual(['w1', 'w2']);
      expect(logTexts('b')).toEqual(['b-line']);

      socket.receive(batch(13, 13, [logChunk('a', 'later')]));
      frame();
      expect(logTexts('a')).toEqual(['w1', 'w2', 'later']);
      expect(store.getState().stream.lastSeq).toBe(13);
    });

    it('puts presence in the store', async () => {
      const socket = await openLink();
      expect(store.getState().presence).toEqual({ connections: 1, users: [] });
      socket.receive({ type: 'presence', connections: 3, users: ['ann', 'bob'] });
      expect(store.getState().presence).toEqual({ connections: 3, users: ['ann', 'bob'] });
    });
  });

  describe('channels and log options', () => {
    it('sends changes once welcomed, and carries them in the hello after a reconnect', async () => {
      const first = await openLink();
      connection.subscribe(['logs:a']);
      connection.subscribe(['logs:a', 'logs:b']);
      connection.unsubscribe(['events']);
      connection.unsubscribe(['events']);
      connection.setLogOptions('a', { minLevel: 'warn', text: 'timeout' });
      connection.setLogOptions('a', { minLevel: 'warn', text: 'timeout', paused: true });
      connection.setLogOptions('a', { minLevel: 'warn', text: 'timeout', paused: true });
      expect(first.sentMessages.slice(1)).toEqual([
        { type: 'subscribe', channels: ['logs:a'] },
        { type: 'subscribe', channels: ['logs:b'] },
        { type: 'unsubscribe', channels: ['events'] },
        { type: 'logs', nodeId: 'a', action: 'filter', minLevel: 'warn', text: 'timeout' },
        { type: 'logs', nodeId: 'a', action: 'pause' },
      ]);

      const second = reconnect(first);
      second.acceptConnection({ resume: 'replay', replayed: 0, seq: 10 });
      const hello = second.sentMessages[0]!;
      expect(hello.type).toBe('hello');
      expect([...(hello.channels as string[])].sort()).toEqual(['logs:*', 'logs:a', 'logs:b', 'progress', 'stats', 'topology']);
      expect(hello.logs).toEqual([{ nodeId: 'a', minLevel: 'warn', text: 'timeout', paused: true }]);
      // The hello said it all: nothing is sent again.
      expect(second.sentMessages).toHaveLength(1);

      // Unsubscribing a node's log forgets its options too.
      connection.unsubscribe(['logs:a']);
      const third = reconnect(second);
      third.acceptConnection({ resume: 'replay', replayed: 0, seq: 10 });
      expect(third.sentMessages[0]?.channels).not.toContain('logs:a');
      expect(third.sentMessages[0]?.logs).toBeUndefined();
    });

    it('sends nothing before there is a link, and says it all in the first hello', async () => {
      connection.subscribe(['logs:n1']);
      connection.setLogOptions('n1', { minLevel: 'error' });
      connection.start();
      await Promise.resolve();
      const socket = sockets.last();
      socket.acceptConnection();
      expect(socket.sentMessages).toHaveLength(1);
      expect(socket.sentMessages[0]?.channels).toContain('logs:n1');
      expect(socket.sentMessages[0]?.logs).toEqual([{ nodeId: 'n1', minLevel: 'error' }]);
    });

    it('sends nothing while disconnected, and says it in the next hello', async () => {
      const first = await openLink();
      first.drop(1006);
      connection.subscribe(['logs:z']);
      connection.setLogOptions('z', { paused: true });
      expect(first.sentMessages).toHaveLength(1);
      vi.advanceTimersByTime(60_000);
      const second = sockets.last();
      second.acceptConnection({ resume: 'replay', replayed: 0, seq: 10 });
      expect(second.sentMessages).toHaveLength(1);
      expect(second.sentMessages[0]?.channels).toContain('logs:z');
      expect(second.sentMessages[0]?.logs).toEqual([{ nodeId: 'z', paused: true }]);
    });

    it('does not lose changes made while the hello is in flight: they are sent once welcomed', async () => {
      connection.start();
      await Promise.resolve();
      const socket = sockets.last();
      // Open, hello sent, no welcome yet.
      socket.acceptConnection(null);
      expect(socket.sentMessages.map((message) => message.type)).toEqual(['hello']);
      connection.subscribe(['logs:late']);
      connection.setLogOptions('late', { minLevel: 'warn' });
      // Nothing goes before the welcome: the gateway would refuse it out of turn.
      expect(socket.sentMessages).toHaveLength(1);

      socket.receive(welcomeFrame({ seq: 10 }));
      const after = socket.sentMessages.slice(1);
      expect(after).toContainEqual({ type: 'subscribe', channels: ['logs:late'] });
      expect(after).toContainEqual({ type: 'logs', nodeId: 'late', action: 'filter', minLevel: 'warn' });
    });
  });
});
