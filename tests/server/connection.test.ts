import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CLOSE_CODES } from '../../src/protocol/close-codes.ts';
import { Connection, type ConnectionMode, type GatewayCounters } from '../../src/server/connection.ts';
import type { RoomSnapshot } from '../../src/server/room.ts';
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

  send(text: string): void {
    this.sent.push(text);
    this.bufferedAmount += Buffer.byteLength(text);
  }
  drain(): void {
    this.bufferedAmount = 0;
  }
  close(code: number): void {
    this.closedWith = code;
    this.readyState = WebSocket.CLOSING;
  }
  terminate(): void {
    this.readyState = WebSocket.CLOSED;
    this.emit('close');
  }
  ping(): void {}
}

const FLUSH_MS = 100;
const LIMIT = 1_000;

function connect(mode: ConnectionMode = 'v1', maxBatchMessages = 500) {
  const socket = new FakeSocket();
  const scheduler = new ManualScheduler();
  const counters: GatewayCounters = { framesSent: 0, messagesSent: 0, snapshotsSent: 0, clientMessagesRejected: 0, slowConsumersClosed: 0 };
  const connection = new Connection(socket as unknown as WebSocket, 'p1', {
    mode,
    flushIntervalMs: FLUSH_MS,
    maxBatchMessages,
    maxBufferedBytes: LIMIT,
    maxBadMessages: 20,
    counters,
    closeTimeoutMs: 2_000,
    now: () => 0,
    scheduler,
    onDetached: () => {},
    onInternalError: (error) => {
      throw error;
    },
  });
  return { socket, scheduler, counters, connection };
}

const snapshotOf = (frame: string, floor: string[] = []): RoomSnapshot => ({
  epoch: 'e',
  seq: 0,
  state: () => ({ nodes: [], edges: [], progress: [], events: [], series: [], logs: [] }),
  frame: () => frame,
  floorEnvelopes: () => floor,
});

const envelope = (seq: number, chars: number) => JSON.stringify({ seq, ts: 0, data: { type: 'event', message: 'x'.repeat(chars), severity: 'info' } });

describe('connection', () => {
  it('sends a frame larger than maxBufferedBytes to a client that has read everything before it', () => {
    const { socket, counters, connection } = connect();
    connection.receiveSnapshot(snapshotOf('s'.repeat(8 * LIMIT)));
    expect(socket.closedWith).toBeNull();
    expect(socket.sent).toHaveLength(1);
    expect(counters.slowConsumersClosed).toBe(0);
  });

  it('counts only frames sent earlier and still unread against maxBufferedBytes', () => {
    const { socket, scheduler, counters, connection } = connect('v1', 2);
    // Each batch of two envelopes is about 600 bytes; the limit is 1 000.
    for (let seq = 1; seq <= 4; seq++) connection.receiveDelta(envelope(seq, 250));
    expect(socket.sent).toHaveLength(2);
    expect(socket.closedWith).toBeNull();
    connection.receiveDelta(envelope(5, 250));
    scheduler.advance(FLUSH_MS);
    expect(socket.sent).toHaveLength(2);
    expect(socket.closedWith).toBe(CLOSE_CODES.tooSlow);
    expect(counters.slowConsumersClosed).toBe(1);
  });

  it('checks a floor snapshot or batch against the buffer once, as the one v1 frame that would carry it', () => {
    const { socket, scheduler, connection } = connect('floor');
    const envelopes = [1, 2, 3].map((seq) => envelope(seq, 500));
    connection.receiveSnapshot(snapshotOf('unused', envelopes));
    expect(socket.sent).toEqual(envelopes);
    socket.drain();
    for (const text of envelopes) connection.receiveDelta(text);
    scheduler.advance(FLUSH_MS);
    expect(socket.sent).toEqual([...envelopes, ...envelopes]);
    expect(socket.closedWith).toBeNull();
    connection.receiveDelta(envelope(4, 10));
    scheduler.advance(FLUSH_MS);
    expect(socket.closedWith).toBe(CLOSE_CODES.tooSlow);
  });

  it('keeps sending to a client that reads what it is sent', () => {
    const { socket, scheduler, connection } = connect('v1', 2);
    for (let seq = 1; seq <= 20; seq++) {
      connection.receiveDelta(envelope(seq, 400));
      scheduler.advance(FLUSH_MS);
      socket.drain();
    }
    expect(socket.closedWith).toBeNull();
    expect(socket.sent).toHaveLength(20);
  });

  it('drops what is queued when a new snapshot comes: it supersedes the old stream', () => {
    const { socket, scheduler, connection } = connect();
    connection.receiveSnapshot(snapshotOf('first'));
    connection.receiveDelta(envelope(1, 10));
    connection.receiveSnapshot(snapshotOf('second'));
    scheduler.advance(FLUSH_MS);
    expect(socket.sent).toEqual(['first', 'second']);
  });

  it('sends a floor client the snapshot envelopes the room built, one per frame', () => {
    const { socket, counters, connection } = connect('floor');
    connection.receiveSnapshot(snapshotOf('unused', ['a', 'b', 'c']));
    expect(socket.sent).toEqual(['a', 'b', 'c']);
    expect(counters).toMatchObject({ framesSent: 3, messagesSent: 3, snapshotsSent: 1 });
  });
});
