/**
 * One client socket: its outbound queue, flushed as one frame per window, its
 * inbound validation, and its liveness. The gateway owns the sockets; a room
 * sees a connection only as a {@link RoomMember}.
 *
 * Two modes, fixed at the handshake: `v1` (the client offered SUBPROTOCOL)
 * gets a `snapshot` frame then `batch` frames; `floor` (no subprotocol, seed
 * 004) gets one bare envelope per frame, the snapshot included.
 */
import { WebSocket, type RawData } from 'ws';
import { FRAME_LIMITS, type ErrorFrame, type PongFrame } from '../protocol/frames.ts';
import { decodeClientMessage, encodeBatchFrame } from '../protocol/codec.ts';
import { assertNever } from '../lib/assert-never.ts';
import { CLOSE_CODES, closeReason } from '../protocol/close-codes.ts';
import type { RoomMember, RoomSnapshot } from './room.ts';
import type { Cancel, Scheduler } from './scheduler.ts';

/** `v1` clients offered SUBPROTOCOL; `floor` clients offered nothing (seed 004). */
export type ConnectionMode = 'v1' | 'floor';

/** Counters shared by every connection of a gateway; plain fields because they change per frame. */
export interface GatewayCounters {
  framesSent: number;
  /** Envelopes sent, in batches or floor frames (a floor snapshot's envelopes included). */
  messagesSent: number;
  snapshotsSent: number;
  /** Client frames answered with an `error` frame or a protocol close (binary, not JSON, unknown, too big). */
  clientMessagesRejected: number;
  /** Connections closed with 4409 because their send buffer passed `maxBufferedBytes`. */
  slowConsumersClosed: number;
}

/** Settings and hooks a gateway gives each connection. */
export interface ConnectionOptions {
  mode: ConnectionMode;
  flushIntervalMs: number;
  maxBatchMessages: number;
  maxBufferedBytes: number;
  /** The connection is closed with 1008 when this many of its frames have been rejected. */
  maxBadMessages: number;
  counters: GatewayCounters;
  /** A socket the gateway closed is terminated if it has not finished closing after this long. */
  closeTimeoutMs: number;
  /** Wall-clock ms, for the `ts` of pong frames. */
  now: () => number;
  /** Monotonic time for liveness, and the flush and close timers. */
  scheduler: Scheduler;
  /** Called once when the connection stops taking deltas (closed by either side). */
  onDetached: (connection: Connection) => void;
  onInternalError: (error: unknown) => void;
}

/**
 * A batch is flushed early past this many queued characters, so one frame
 * stays well below the 16 MiB a client accepts even when envelopes are large
 * (a log chunk may carry 16 KiB of text).
 */
const MAX_BATCH_CHARS = 4 * 1024 * 1024;

/** One client socket: outbound batching, inbound validation, liveness. */
export class Connection implements RoomMember {
  /** Monotonic time of the last pong or message from the client. */
  private lastSeenAt: number;
  private queue: string[] = [];
  private queuedChars = 0;
  private cancelFlush: Cancel | null = null;
  private cancelTerminate: Cancel | null = null;
  private badMessages = 0;
  private detached = false;
  /** Settles when the socket has closed, whoever closed it. */
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: WebSocket,
    readonly projectId: string,
    private readonly options: ConnectionOptions,
  ) {
    this.lastSeenAt = options.scheduler.now();
    // `ws` emits 'error' for a client's protocol faults (oversized frame → 1009, bad UTF-8 → 1007,
    // codes `WS_ERR_*`) and then closes the socket itself; without a listener the process would crash.
    socket.on('error', (error: Error & { code?: unknown }) => {
      if (typeof error.code === 'string' && error.code.startsWith('WS_ERR_')) options.counters.clientMessagesRejected++;
    });
    socket.on('message', (data, isBinary) => this.guard(() => this.onMessage(data, isBinary)));
    socket.on('pong', () => {
      this.lastSeenAt = options.scheduler.now();
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.detach();
        this.cancelTerminate?.();
        resolve();
      });
    });
  }

  receiveSnapshot(snapshot: RoomSnapshot): void {
    // Deltas still queued belong before the snapshot (after a room's reset, to the old stream): it has them.
    this.dropQueue();
    if (this.options.mode === 'v1') {
      const frame = snapshot.frame();
      if (frame.length > FRAME_LIMITS.maxServerFrameBytes) {
        // The client would reject it as too large; say so instead of sending it.
        this.close(CLOSE_CODES.internalError, closeReason('snapshot too large'));
        return;
      }
      if (!this.send(frame)) return;
    } else if (!this.sendEach(snapshot.floorEnvelopes())) {
      return;
    }
    this.options.counters.snapshotsSent++;
  }

  receiveDelta(serialised: string): void {
    if (this.detached) return;
    this.queue.push(serialised);
    this.queuedChars += serialised.length;
    if (this.queue.length >= this.options.maxBatchMessages || this.queuedChars >= MAX_BATCH_CHARS) {
      this.flush();
    } else {
      this.cancelFlush ??= this.options.scheduler.setTimeout(() => this.guard(() => this.flush()), this.options.flushIntervalMs);
    }
  }

  /** Sends what is queued now: one batch frame (v1) or one frame per envelope (floor). */
  flush(): void {
    const batch = this.queue;
    this.dropQueue();
    if (batch.length === 0) return;
    if (this.options.mode === 'v1') this.send(encodeBatchFrame(batch), batch.length);
    else this.sendEach(batch);
  }

  /**
   * Pings a live client; closes one silent for longer than `idleTimeoutMs` (no
   * pong, no message) with 4408, so that a client which is merely slow learns
   * why.
   */
  checkLiveness(idleTimeoutMs: number): void {
    if (this.options.scheduler.now() - this.lastSeenAt > idleTimeoutMs) {
      this.close(CLOSE_CODES.heartbeatTimeout, closeReason('heartbeat timeout', { idleMs: idleTimeoutMs }));
      return;
    }
    if (this.socket.readyState === WebSocket.OPEN) this.socket.ping();
  }

  /**
   * Stops taking deltas and closes with `code`; `reason` is short JSON (see
   * closeReason). A peer that does not finish the closing handshake within
   * `closeTimeoutMs` (dead, or not reading) is terminated: `ws` alone would
   * hold its socket and unsent data for 30 s. So is one already closing (the
   * peer started it), so that `closed` always settles within that time.
   */
  close(code: number, reason: string): void {
    this.detach();
    const state = this.socket.readyState;
    if (state === WebSocket.CLOSED) return;
    if (state !== WebSocket.CLOSING) this.socket.close(code, reason);
    this.cancelTerminate ??= this.options.scheduler.setTimeout(() => this.socket.terminate(), this.options.closeTimeoutMs);
  }

  /** Flushes what is queued, then closes: nothing published before a shutdown is lost. */
  shutdown(code: number, reason: string): void {
    this.guard(() => this.flush());
    this.close(code, reason);
  }

  terminate(): void {
    this.detach();
    this.socket.terminate();
  }

  /**
   * The only way a frame leaves: every frame, a pong or an error reply as much
   * as a batch, is preceded by the buffer check, since a client can make the
   * gateway write (pings) without ever reading. `envelopes` is how many the
   * frame carries, for the counters. Returns false when the frame was not
   * sent (the socket is not open, or the connection was closed as too slow).
   */
  private send(text: string, envelopes = 0): boolean {
    if (this.socket.readyState !== WebSocket.OPEN || !this.checkBuffered()) return false;
    this.socket.send(text);
    this.options.counters.framesSent++;
    this.options.counters.messagesSent += envelopes;
    return true;
  }

  /** Envelopes one frame each (floor), checked as one unit like the v1 frame that would carry them. */
  private sendEach(envelopes: readonly string[]): boolean {
    if (this.socket.readyState !== WebSocket.OPEN || !this.checkBuffered()) return false;
    for (const envelope of envelopes) this.socket.send(envelope);
    this.options.counters.framesSent += envelopes.length;
    this.options.counters.messagesSent += envelopes.length;
    return true;
  }

  /**
   * A reader slower than what it is sent would make its send buffer, and so
   * the gateway's memory, grow without end: past the limit it is closed with
   * 4409 and reconnects to a fresh snapshot. (Finer degradation, such as
   * coalescing series first, is for a later issue.) Checked before a send:
   * right after it, the frame just written would count as unread, and one
   * large snapshot would close a healthy client. Returns false when it closed.
   */
  private checkBuffered(): boolean {
    const buffered = this.socket.bufferedAmount;
    if (buffered <= this.options.maxBufferedBytes || this.detached) return true;
    this.options.counters.slowConsumersClosed++;
    this.close(CLOSE_CODES.tooSlow, closeReason('too slow to keep up', { bufferedBytes: buffered }));
    return false;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    // A closing connection answers nothing: its frames would only fill the buffer it is closed for.
    if (this.detached) return;
    this.lastSeenAt = this.options.scheduler.now();
    if (isBinary) {
      this.reject('binary-frame', 'binary frames are not part of the protocol');
      return;
    }
    const decoded = decodeClientMessage(rawDataToString(data));
    if (!decoded.ok) {
      this.reject(decoded.code, decoded.reason);
      return;
    }
    const message = decoded.message;
    switch (message.type) {
      case 'ping': {
        const pong: PongFrame = { type: 'pong', ts: this.options.now() };
        if (message.id !== undefined) pong.id = message.id;
        this.send(JSON.stringify(pong));
        break;
      }
      default:
        assertNever(message.type);
    }
  }

  private reject(code: string, message: string): void {
    this.options.counters.clientMessagesRejected++;
    this.badMessages++;
    const frame: ErrorFrame = { type: 'error', code, message };
    this.send(JSON.stringify(frame));
    if (this.badMessages >= this.options.maxBadMessages) {
      this.close(CLOSE_CODES.policyViolation, closeReason('too many bad messages', { rejected: this.badMessages }));
    }
  }

  private detach(): void {
    if (this.detached) return;
    this.detached = true;
    this.dropQueue();
    this.options.onDetached(this);
  }

  private dropQueue(): void {
    this.cancelFlush?.();
    this.cancelFlush = null;
    this.queue = [];
    this.queuedChars = 0;
  }

  /** Nothing a client sends, and no bug in handling it, may throw out of a socket callback. */
  private guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.options.onInternalError(error);
      try {
        this.close(CLOSE_CODES.internalError, closeReason('internal error'));
      } catch {
        this.terminate();
      }
    }
  }
}

function rawDataToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
