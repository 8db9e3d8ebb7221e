import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CLOSE_CODES } from '../../src/protocol/close-codes.ts';
import { decodeServerFrame } from '../../src/protocol/codec.ts';
import type { SnapshotState } from '../../src/protocol/frames.ts';
import type { Payload } from '../../src/protocol/messages.ts';
import { Connection, zeroCounters, type ConnectionMode, type ConnectionOptions, type GatewayCounters } from '../../src/server/connection.ts';
import type { Room, RoomSnapshot } from '../../src/server/room.ts';
import { FrameCache } from '../../src/server/stream/frame-cache.ts';
import { channelOf, coalesceKeyOf, type StreamEntry } from '../../src/server/stream/stream-entry.ts';
import { ManualScheduler } from './manual-scheduler.ts';

/**
 * Just enough of a `ws` socket: what is sent stays in `bufferedAmount` until
 * `drain()`, as if the peer had not read it yet. A real socket's count
 * depends on how much the kernel took, which a test cannot pin down.
 */
class FakeSocket extends EventEmitter {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  closedWith: number | null = null;
  closeReason: string | null = null;

  /** A shared frame comes as its UTF-8 bytes (sent as a text frame): recorded as the text it is. */
  send(data: string | Buffer): void {
    const text = typeof data === 'string' ? data : data.toString('utf8');
    this.sent.push(text);
    this.bufferedAmount += Buffer.byteLength(text);
  }
  drain(): void {
    this.bufferedAmount = 0;
  }
  close(code: number, reason: string): void {
    this.closedWith = code;
    this.closeReason = reason;
    this.readyState = WebSocket.CLOSING;
  }
  terminate(): void {
    this.readyState = WebSocket.CLOSED;
    this.emit('close');
  }
  ping(): void {}
  /** A text frame from the client. */
  receive(message: object): void {
    this.emit('message', Buffer.from(JSON.stringify(message)), false);
  }
}

const FLUSH_MS = 100;
const LIMIT = 1_000;

const newCounters = (): GatewayCounters => zeroCounters();

const EMPTY_STATE: SnapshotState = { nodes: [], edges: [], progress: [], events: [], series: [], logs: [] };

/** A snapshot at `seq` whose v1 frame carries `events` (JSON), and whose floor form is `floor`. */
const snapshotOf = (options: { seq?: number; events?: string; floor?: string[] } = {}): RoomSnapshot => {
  const parts = { nodes: '[]', edges: '[]', progress: '[]', events: options.events ?? '[]', series: '[]', logs: '[]' };
  return {
    epoch: 'e',
    seq: options.seq ?? 0,
    state: () => ({ ...EMPTY_STATE, events: JSON.parse(parts.events) as SnapshotState['events'] }),
    parts: () => parts,
    floorEnvelopes: () => options.floor ?? [],
  };
};

/** Just enough of a room for `Connection.join`: it hands the joining connection `snapshot`, as a first join would. */
function roomWith(snapshot: RoomSnapshot): Room {
  return {
    seq: snapshot.seq,
    join: (member) => {
      member.receiveJoin({ epoch: snapshot.epoch, seq: snapshot.seq, presence: { connections: 1, users: [] }, plan: { kind: 'snapshot', reason: 'new', snapshot } });
      return 'snapshot';
    },
    resync: () => {},
    logWindow: () => [],
    leave: () => true,
    frames: new FrameCache(),
  } satisfies Pick<Room, 'seq' | 'join' | 'resync' | 'logWindow' | 'leave' | 'frames'> as unknown as Room;
}

function connect(mode: ConnectionMode = 'v1', overrides: Partial<ConnectionOptions> = {}) {
  const socket = new FakeSocket();
  const scheduler = new ManualScheduler();
  const counters = newCounters();
  const hellos: unknown[] = [];
  const connection = new Connection(socket as unknown as WebSocket, 'p1', {
    mode,
    flushIntervalMs: FLUSH_MS,
    maxBatchMessages: 500,
    // Degradation has its own test; elsewhere it stays out of the way of the hard limit.
    softBufferedBytes: Number.POSITIVE_INFINITY,
    maxBufferedBytes: LIMIT,
    maxBadMessages: 20,
    maxMessagesPerSecond: 20,
    rateLimitRetryMs: 10_000,
    helloTimeoutMs: 10_000,
    heartbeatIntervalMs: 30_000,
    idleTimeoutMs: 60_000,
    maxFrameBytes: 1024 * 1024,
    counters,
    closeTimeoutMs: 2_000,
    now: () => 0,
    scheduler,
    onHello: (_connection, hello) => void hellos.push(hello),
    onAuth: () => {},
    onDetached: () => {},
    onInternalError: (error) => {
      throw error;
    },
    ...overrides,
  });
  return { socket, scheduler, counters, connection, hellos };
}

/** A connection the gateway has let in: joined to a room that hands it `snapshot`. */
function joined(mode: ConnectionMode = 'v1', overrides: Partial<ConnectionOptions> = {}, snapshot = snapshotOf()) {
  const setup = connect(mode, overrides);
  setup.connection.join(roomWith(snapshot), { user: null, expiresAt: null });
  return setup;
}

const eventEntry = (seq: number, chars: number): StreamEntry => entryOf(seq, { type: 'event', message: 'x'.repeat(chars), severity: 'info' });

function entryOf(seq: number, payload: Payload): StreamEntry {
  return { seq, ts: 0, channel: channelOf(payload), coalesceKey: coalesceKeyOf(payload), payload, serialised: JSON.stringify({ seq, ts: 0, data: payload }) };
}

const decoded = (texts: readonly string[]) => texts.map((text) => decodeServerFrame(text));

describe('connection', () => {
  it('sends a frame larger than maxBufferedBytes to a client that has read everything before it', () => {
    const events = JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ ts: i, message: 's'.repeat(250), severity: 'info' })));
    const { socket, counters } = joined('v1', {}, snapshotOf({ events }));
    expect(socket.closedWith).toBeNull();
    expect(decoded(socket.sent).map((frame) => frame.kind)).toEqual(['welcome', 'snapshot']);
    expect(socket.sent[1]!.length).toBeGreaterThan(8 * LIMIT);
    expect(counters.slowConsumersClosed).toBe(0);
    expect(counters.snapshotsSent).toBe(1);
  });

  it('says welcome first, with the join and its own settings, then the snapshot and why', () => {
    const { socket } = joined('v1', {}, snapshotOf({ seq: 7 }));
    const [welcome, snapshot] = decoded(socket.sent);
    expect(welcome).toMatchObject({
      kind: 'welcome',
      frame: {
        version: 1,
        epoch: 'e',
        seq: 7,
        resume: 'snapshot',
        reason: 'new',
        heartbeatIntervalMs: 30_000,
        idleTimeoutMs: 60_000,
        limits: { maxFrameBytes: 1024 * 1024, maxMessagesPerSecond: 20, maxBatchMessages: 500, flushIntervalMs: FLUSH_MS },
        presence: { connections: 1, users: [] },
      },
    });
    expect(snapshot).toMatchObject({ kind: 'snapshot', frame: { reason: 'new', epoch: 'e', seq: 7, state: EMPTY_STATE } });
  });

  it('counts only frames sent earlier and still unread against maxBufferedBytes', () => {
    const { socket, scheduler, counters, connection } = joined('v1', { maxBatchMessages: 2 });
    socket.drain();
    const handshake = socket.sent.splice(0);
    expect(handshake).toHaveLength(2);
    // Each batch of two envelopes is about 600 bytes; the limit is 1 000.
    for (let seq = 1; seq <= 4; seq++) connection.receiveDelta(eventEntry(seq, 250));
    expect(socket.sent).toHaveLength(2);
    expect(socket.closedWith).toBeNull();
    connection.receiveDelta(eventEntry(5, 250));
    scheduler.advance(FLUSH_MS);
    expect(socket.sent).toHaveLength(2);
    expect(socket.closedWith).toBe(CLOSE_CODES.tooSlow);
    expect(counters.slowConsumersClosed).toBe(1);
  });

  it('checks a floor snapshot or batch against the buffer once, as the one v1 frame that would carry it', () => {
    const envelopes = [1, 2, 3].map((seq) => eventEntry(seq, 500));
    const snapshot = snapshotOf({ seq: 3, floor: envelopes.map((entry) => entry.serialised) });
    const { socket, scheduler, connection } = joined('floor', {}, snapshot);
    expect(socket.sent).toEqual(envelopes.map((entry) => entry.serialised));
    socket.drain();
    const more = [4, 5, 6].map((seq) => eventEntry(seq, 500));
    for (const entry of more) connection.receiveDelta(entry);
    scheduler.advance(FLUSH_MS);
    expect(socket.sent).toEqual([...envelopes, ...more].map((entry) => entry.serialised));
    expect(socket.closedWith).toBeNull();
    connection.receiveDelta(eventEntry(7, 10));
    scheduler.advance(FLUSH_MS);
    expect(socket.closedWith).toBe(CLOSE_CODES.tooSlow);
  });

  it('keeps sending to a client that reads what it is sent', () => {
    const { socket, scheduler, connection } = joined('v1', { maxBatchMessages: 2 });
    socket.drain();
    socket.sent.splice(0);
    for (let seq = 1; seq <= 20; seq++) {
      connection.receiveDelta(eventEntry(seq, 400));
      scheduler.advance(FLUSH_MS);
      socket.drain();
    }
    expect(socket.closedWith).toBeNull();
    expect(socket.sent).toHaveLength(20);
    // Each batch accounts for exactly the seq it carries: no gap, no overlap.
    expect(decoded(socket.sent).map((frame) => (frame.kind === 'messages' ? frame.range : frame.kind))).toEqual(
      Array.from({ length: 20 }, (_, i) => ({ from: i + 1, to: i + 1, coalesced: 0 })),
    );
  });

  it('drops what is queued when a new snapshot comes: it supersedes the old stream', () => {
    const { socket, scheduler, connection } = joined();
    connection.receiveDelta(eventEntry(1, 10));
    connection.receiveSnapshot(snapshotOf(), 'reset');
    scheduler.advance(FLUSH_MS);
    const frames = decoded(socket.sent);
    expect(frames.map((frame) => frame.kind)).toEqual(['welcome', 'snapshot', 'snapshot']);
    expect(frames.map((frame) => (frame.kind === 'snapshot' ? frame.frame.reason : null))).toEqual([null, 'new', 'reset']);
    // The new stream's first delta starts the range right after the snapshot.
    connection.receiveDelta(eventEntry(1, 10));
    scheduler.advance(FLUSH_MS);
    expect(decoded(socket.sent.slice(3))).toMatchObject([{ kind: 'messages', range: { from: 1, to: 1, coalesced: 0 } }]);
  });

  it('sends a floor client the snapshot envelopes the room built, one per frame', () => {
    const { socket, counters } = joined('floor', {}, snapshotOf({ floor: ['a', 'b', 'c'] }));
    expect(socket.sent).toEqual(['a', 'b', 'c']);
    expect(counters).toMatchObject({ framesSent: 3, messagesSent: 3, snapshotsSent: 1 });
  });

  it('accounts in each batch range for the messages of channels it does not get', () => {
    const { socket, scheduler, connection } = connect();
    connection.join(roomWith(snapshotOf()), { user: null, expiresAt: null }, { type: 'hello', version: 1, channels: ['events'] });
    socket.sent.splice(0);
    connection.receiveDelta(eventEntry(1, 10));
    connection.receiveDelta(entryOf(2, { type: 'chart-point', series: 's', value: { t: 1, y: 1 } }));
    connection.receiveDelta(eventEntry(3, 10));
    scheduler.advance(FLUSH_MS);
    connection.receiveDelta(entryOf(4, { type: 'chart-point', series: 's', value: { t: 2, y: 2 } }));
    scheduler.advance(FLUSH_MS);
    connection.receiveDelta(eventEntry(5, 10));
    scheduler.advance(FLUSH_MS);
    const frames = decoded(socket.sent);
    expect(frames.map((frame) => (frame.kind === 'messages' ? [frame.range, frame.messages.map((m) => m.seq)] : frame.kind))).toEqual([
      [{ from: 1, to: 3, coalesced: 0 }, [1, 3]],
      // Seq 4 went to no frame of its own: the next batch's range covers it.
      [{ from: 4, to: 5, coalesced: 0 }, [5]],
    ]);
  });

  it('coalesces the stats of a reader past softBufferedBytes, then closes it with 4409 past maxBufferedBytes', () => {
    const { socket, scheduler, counters, connection } = joined('v1', { softBufferedBytes: 300, maxBufferedBytes: 100_000 });
    socket.drain();
    socket.sent.splice(0);
    const point = (seq: number, series: string): StreamEntry => entryOf(seq, { type: 'chart-point', series, value: { t: seq, y: seq } });
    // A first batch, unread: the buffer now holds more than the soft limit.
    connection.receiveDelta(eventEntry(1, 400));
    scheduler.advance(FLUSH_MS);
    expect(counters.slowConsumersDegraded).toBe(0);
    connection.receiveDelta(point(2, 'a'));
    connection.receiveDelta(point(3, 'b'));
    connection.receiveDelta(point(4, 'a'));
    connection.receiveDelta(eventEntry(5, 10));
    connection.receiveDelta(point(6, 'a'));
    // The flush finds the first batch still unread: from this batch on, each series' latest value only.
    scheduler.advance(FLUSH_MS);
    expect(socket.sent).toHaveLength(2);
    const batch = decodeServerFrame(socket.sent[1]!);
    expect(batch).toMatchObject({ kind: 'messages', range: { from: 2, to: 6, coalesced: 2 } });
    expect(batch.kind === 'messages' && batch.messages.map((m) => m.seq)).toEqual([3, 5, 6]);
    expect(counters).toMatchObject({ slowConsumersDegraded: 1, messagesCoalesced: 2, slowConsumersClosed: 0 });
    // Degraded, the window is five times longer, so more stats coalesce.
    connection.receiveDelta(point(7, 'a'));
    scheduler.advance(FLUSH_MS);
    expect(socket.sent).toHaveLength(2);
    scheduler.advance(4 * FLUSH_MS);
    expect(socket.sent).toHaveLength(3);
    expect(decodeServerFrame(socket.sent[2]!)).toMatchObject({ kind: 'messages', range: { from: 7, to: 7, coalesced: 0 } });
    expect(socket.closedWith).toBeNull();
    // Still not reading: past the hard limit it is closed.
    socket.bufferedAmount = 100_001;
    connection.receiveDelta(eventEntry(8, 10));
    scheduler.advance(5 * FLUSH_MS);
    expect(socket.closedWith).toBe(CLOSE_CODES.tooSlow);
    expect(counters.slowConsumersClosed).toBe(1);
  });

  it('closes a v1 client that has not said hello within helloTimeoutMs with 1008', () => {
    const { socket, scheduler, hellos } = connect('v1', { helloTimeoutMs: 10_000 });
    scheduler.advance(9_999);
    expect(socket.closedWith).toBeNull();
    scheduler.advance(1);
    expect(socket.closedWith).toBe(CLOSE_CODES.policyViolation);
    expect(JSON.parse(socket.closeReason!)).toMatchObject({ reason: 'expected hello' });
    expect(hellos).toEqual([]);
  });

  it('hands a hello to the gateway once, refuses anything else first, and never times out after it', () => {
    const { socket, scheduler, counters, hellos } = connect('v1');
    socket.receive({ type: 'subscribe', channels: ['events'] });
    expect(decoded(socket.sent)).toMatchObject([{ kind: 'error', frame: { code: 'hello-first' } }]);
    expect(counters.clientMessagesRejected).toBe(1);
    socket.receive({ type: 'hello', version: 1, channels: ['topology'] });
    expect(hellos).toEqual([{ type: 'hello', version: 1, channels: ['topology'] }]);
    scheduler.advance(60_000);
    expect(socket.closedWith).toBeNull();
  });

  it('closes a client that says hello in another protocol version with 1008', () => {
    const { socket, hellos } = connect('v1');
    socket.receive({ type: 'hello', version: 2 });
    expect(socket.closedWith).toBe(CLOSE_CODES.policyViolation);
    expect(JSON.parse(socket.closeReason!)).toMatchObject({ reason: 'unsupported protocol version', version: 1 });
    expect(hellos).toEqual([]);
  });

  it('closes a client past maxMessagesPerSecond (after a burst of twice as many) with 4429 and a retry delay', () => {
    const { socket, scheduler, counters } = joined('v1', { maxMessagesPerSecond: 5, rateLimitRetryMs: 7_000 });
    for (let i = 0; i < 10; i++) socket.receive({ type: 'ping', id: i });
    expect(socket.closedWith).toBeNull();
    // Half a second refills 2.5 messages' worth: two more pass, the third does not.
    scheduler.advance(500);
    socket.receive({ type: 'ping' });
    socket.receive({ type: 'ping' });
    expect(socket.closedWith).toBeNull();
    socket.receive({ type: 'ping' });
    expect(socket.closedWith).toBe(CLOSE_CODES.rateLimited);
    expect(JSON.parse(socket.closeReason!)).toMatchObject({ retryAfterMs: 7_000, limitPerS: 5 });
    expect(counters.rateLimited).toBe(1);
    expect(decoded(socket.sent).filter((frame) => frame.kind === 'pong')).toHaveLength(12);
  });

  it('closes a client silent for longer than idleTimeoutMs with 4408 at the next liveness check', () => {
    const { socket, scheduler, connection } = joined('v1', { idleTimeoutMs: 60_000 });
    scheduler.advance(60_000);
    connection.checkLiveness();
    expect(socket.closedWith).toBeNull();
    socket.emit('pong');
    scheduler.advance(60_001);
    connection.checkLiveness();
    expect(socket.closedWith).toBe(CLOSE_CODES.heartbeatTimeout);
  });
});
