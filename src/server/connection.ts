/**
 * One client socket: its handshake, its subscriptions, its outbound queue
 * (flushed as one frame per window, degraded for a slow reader), its inbound
 * validation and rate, and its liveness. The gateway owns the sockets and
 * decides who may join what; a room sees a connection only as a RoomMember.
 *
 * Two modes, fixed at the upgrade: `v1` (the client offered SUBPROTOCOL)
 * must say `hello` first, gets `welcome`, then a snapshot or a replay, then
 * `batch` frames; `floor` (no subprotocol, seed 004) is joined at once and
 * gets one bare envelope per frame, the snapshot included, on every channel.
 */
import { WebSocket, type RawData } from 'ws';
import {
  FRAME_LIMITS,
  PROTOCOL_VERSION,
  SNAPSHOT_REASONS,
  isBaseChannel,
  type AuthenticatedFrame,
  type BaseChannel,
  type ClientMessage,
  type ClientMessageOf,
  type ErrorFrame,
  type HelloMessage,
  type LogsFrame,
  type PongFrame,
  type Presence,
  type PresenceFrame,
  type SnapshotReason,
  type WelcomeFrame,
} from '../protocol/frames.ts';
import { decodeClientMessage, encodeBatchFrame, encodeSnapshotFrameFromParts } from '../protocol/codec.ts';
import { assertNever } from '../lib/assert-never.ts';
import { CLOSE_CODES, closeReason } from '../protocol/close-codes.ts';
import { log } from './log.ts';
import type { ResumePoint, Room, RoomJoin, RoomMember, RoomSnapshot } from './room.ts';
import type { Cancel, Scheduler } from './scheduler.ts';
import { OutboundQueue } from './stream/outbound-queue.ts';
import { RateLimiter } from './stream/rate-limiter.ts';
import type { SharedFrame } from './stream/frame-cache.ts';
import type { StreamEntry } from './stream/stream-entry.ts';
import { Subscriptions } from './stream/subscriptions.ts';

/** `v1` clients offered SUBPROTOCOL; `floor` clients offered nothing (seed 004). */
export type ConnectionMode = 'v1' | 'floor';

/** Counters shared by every connection of a gateway; plain fields because they change per frame. */
export interface GatewayCounters {
  framesSent: number;
  /**
   * Characters of the frames sent (UTF-16 code units, what `text.length`
   * gives for free; the same as bytes for ASCII JSON, which nearly all is).
   */
  charsSent: number;
  /** Envelopes sent, in batches, replays or floor frames (a floor snapshot's envelopes included). */
  messagesSent: number;
  /** Envelopes queued for a connection and never sent: it closed first, or a snapshot superseded them. */
  messagesDropped: number;
  snapshotsSent: number;
  /** `snapshotsSent` by why the client got a snapshot rather than a replay. */
  snapshotReasons: Record<SnapshotReason, number>;
  /** Reconnecting clients that got what they missed from the replay buffer instead of a snapshot. */
  replays: number;
  replayedMessages: number;
  /** Client frames answered with an `error` frame or a protocol close (binary, not JSON, unknown, too big, out of turn). */
  clientMessagesRejected: number;
  /** Connections that passed the soft buffer limit and had their stats coalesced. */
  slowConsumersDegraded: number;
  /** Stats messages left out of a slow reader's batches for a later value of the same series or edge. */
  messagesCoalesced: number;
  /** Connections closed with 4409 because their send buffer passed `maxBufferedBytes`. */
  slowConsumersClosed: number;
  /** Connections closed with 4429 for sending too many messages. */
  rateLimited: number;
}

/** Every counter at 0, as a gateway starts. */
export function zeroCounters(): GatewayCounters {
  return {
    framesSent: 0,
    charsSent: 0,
    messagesSent: 0,
    messagesDropped: 0,
    snapshotsSent: 0,
    snapshotReasons: Object.fromEntries(SNAPSHOT_REASONS.map((reason) => [reason, 0])) as Record<SnapshotReason, number>,
    replays: 0,
    replayedMessages: 0,
    clientMessagesRejected: 0,
    slowConsumersDegraded: 0,
    messagesCoalesced: 0,
    slowConsumersClosed: 0,
    rateLimited: 0,
  };
}

/** Who a connection belongs to, once its token (if any) is verified. */
export interface ConnectionIdentity {
  /** Null when the gateway runs without auth. */
  user: string | null;
  /** Wall-clock ms; the connection is closed with 4401 then unless a fresh token arrives. */
  expiresAt: number | null;
}

/** What the connection asks of its gateway. */
export interface ConnectionHandlers {
  /** A v1 client said hello: the gateway checks its token and access and calls `join` (or closes it). */
  onHello(connection: Connection, hello: HelloMessage): void;
  /** A fresh token on a live connection: the gateway calls `refreshIdentity` (or closes it with 4401). */
  onAuth(connection: Connection, token: string): void;
  /** Called once when the connection stops taking deltas (closed by either side). */
  onDetached(connection: Connection): void;
  onInternalError(error: unknown): void;
}

/** Settings a gateway gives each connection. */
export interface ConnectionOptions extends ConnectionHandlers {
  mode: ConnectionMode;
  flushIntervalMs: number;
  maxBatchMessages: number;
  /** Past this much unsent data, the connection's stats are coalesced and its flushes spaced out. */
  softBufferedBytes: number;
  /** Past this much unsent data, the connection is closed with 4409. */
  maxBufferedBytes: number;
  /** The connection is closed with 1008 when this many of its frames have been rejected. */
  maxBadMessages: number;
  /** Client messages per second (sustained); a burst of twice as many is allowed. */
  maxMessagesPerSecond: number;
  /** How long a 4429 asks the client to wait. */
  rateLimitRetryMs: number;
  /** A v1 client that has not said hello by then is closed with 1008. */
  helloTimeoutMs: number;
  heartbeatIntervalMs: number;
  idleTimeoutMs: number;
  maxFrameBytes: number;
  counters: GatewayCounters;
  /** A socket the gateway closed is terminated if it has not finished closing after this long. */
  closeTimeoutMs: number;
  /** Wall-clock ms, for `ts` of pong frames and token expiry. */
  now: () => number;
  /** Monotonic time for liveness, and the flush, hello and close timers. */
  scheduler: Scheduler;
}

/**
 * A batch is flushed early past this many queued characters, so one frame
 * stays well below the 16 MiB a client accepts even when envelopes are large
 * (a log chunk may carry 16 KiB of text).
 */
const MAX_BATCH_CHARS = 4 * 1024 * 1024;
/** A degraded connection's flush window is this many times the normal one, so more stats coalesce. */
const DEGRADED_FLUSH_FACTOR = 5;
/** Bad messages are counted toward `maxBadMessages` within windows this long. */
const BAD_MESSAGE_WINDOW_MS = 60_000;
/** The longest timer Node accepts; a token valid for longer is re-checked then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type Phase = 'hello' | 'authorizing' | 'joined';

/** Close codes that end a connection in the ordinary way: logged at debug, every other one at info. */
const ORDINARY_CLOSE_CODES: ReadonlySet<number> = new Set([CLOSE_CODES.normal, CLOSE_CODES.goingAway, 1005]);
/** Numbers connections in the log, so that an entry about one can be told from another's. */
let connectionIds = 0;

/** One client socket: handshake, subscriptions, outbound batching, inbound validation, liveness. */
export class Connection implements RoomMember {
  private phase: Phase;
  private room: Room | null = null;
  private identity: ConnectionIdentity = { user: null, expiresAt: null };
  private subscriptions = new Subscriptions();
  private readonly queue = new OutboundQueue();
  private readonly rate: RateLimiter;
  /** Monotonic time of the last pong or message from the client. */
  private lastSeenAt: number;
  private degraded = false;
  private cancelFlush: Cancel | null = null;
  private cancelTerminate: Cancel | null = null;
  private cancelHello: Cancel | null = null;
  private cancelExpiry: Cancel | null = null;
  private badMessages = 0;
  private badWindowStart = 0;
  private detached = false;
  /** The close this side started, if it did: what the log says ended the connection. */
  private closeSent: { code: number; reason: string } | null = null;
  /** For the log. */
  private readonly id = ++connectionIds;
  private readonly openedAt: number;
  /** Settles when the socket has closed, whoever closed it. */
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: WebSocket,
    readonly projectId: string,
    private readonly options: ConnectionOptions,
  ) {
    this.phase = options.mode === 'v1' ? 'hello' : 'authorizing';
    this.lastSeenAt = this.openedAt = options.scheduler.now();
    this.rate = new RateLimiter(options.maxMessagesPerSecond, options.maxMessagesPerSecond * 2, options.scheduler);
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
      socket.once('close', (code?: number, reason?: Buffer) => {
        this.detach();
        this.cancelTerminate?.();
        resolve();
        this.logClosed(code ?? 1006, reason?.toString('utf8') ?? '');
      });
    });
    log.debug('connection opened', { connection: this.id, project: projectId, mode: options.mode });
    if (options.mode === 'v1') {
      this.cancelHello = options.scheduler.setTimeout(() => {
        this.cancelHello = null;
        if (this.phase === 'hello') this.close(CLOSE_CODES.policyViolation, closeReason('expected hello'));
      }, options.helloTimeoutMs);
    }
  }

  get user(): string | null {
    return this.identity.user;
  }

  get mode(): ConnectionMode {
    return this.options.mode;
  }

  /** Whether the connection has been closed or has stopped taking deltas. */
  get isDetached(): boolean {
    return this.detached;
  }

  /** Unsent bytes in the socket's buffer: what this connection costs the gateway's memory right now. */
  get bufferedBytes(): number {
    return this.socket.bufferedAmount + this.queue.queuedChars;
  }

  /**
   * Joins `room` as `identity` (called by the gateway once the client may):
   * the hello's channels and log options take effect, and the room says how
   * the client catches up (`receiveJoin`).
   */
  join(room: Room, identity: ConnectionIdentity, hello?: HelloMessage): void {
    if (this.detached) return;
    this.phase = 'joined';
    this.room = room;
    this.refreshIdentity(identity, false);
    if (hello?.channels) {
      this.subscriptions = new Subscriptions([]);
      if (!this.subscriptions.subscribe(hello.channels).ok) {
        this.reject('too-many-channels', `at most ${FRAME_LIMITS.maxChannels} log channels per connection`);
        this.subscriptions = new Subscriptions(hello.channels.filter((channel) => !channel.startsWith('logs:')));
      }
    }
    for (const { nodeId, ...options } of hello?.logs ?? []) this.subscriptions.setLogOptions(nodeId, options);
    const resume: ResumePoint | undefined = hello?.resume;
    room.join(this, resume);
  }

  /** A verified token: who the connection is, until when. */
  refreshIdentity(identity: ConnectionIdentity, announce = true): void {
    if (this.detached) return;
    this.identity = identity;
    this.cancelExpiry?.();
    this.cancelExpiry = null;
    if (identity.expiresAt !== null) {
      const delay = Math.max(0, Math.min(MAX_TIMER_MS, identity.expiresAt - this.options.now()));
      this.cancelExpiry = this.options.scheduler.setTimeout(() => {
        this.cancelExpiry = null;
        if (this.identity.expiresAt !== null && this.identity.expiresAt <= this.options.now()) {
          this.close(CLOSE_CODES.unauthorized, closeReason('token expired'));
        } else {
          this.refreshIdentity(this.identity, false);
        }
      }, delay);
    }
    if (announce && identity.user !== null) {
      const frame: AuthenticatedFrame = { type: 'authenticated', user: identity.user, tokenExpiresAt: identity.expiresAt };
      this.send(JSON.stringify(frame));
    }
  }

  receiveJoin(join: RoomJoin): void {
    if (this.options.mode === 'floor') {
      if (join.plan.kind === 'snapshot') this.receiveSnapshot(join.plan.snapshot, join.plan.reason);
      return;
    }
    const { plan } = join;
    const welcome: WelcomeFrame = {
      type: 'welcome',
      version: PROTOCOL_VERSION,
      epoch: join.epoch,
      seq: join.seq,
      resume: plan.kind,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      idleTimeoutMs: this.options.idleTimeoutMs,
      limits: {
        maxFrameBytes: this.options.maxFrameBytes,
        maxMessagesPerSecond: this.options.maxMessagesPerSecond,
        maxBatchMessages: this.options.maxBatchMessages,
        flushIntervalMs: this.options.flushIntervalMs,
      },
      channels: this.subscriptions.list(),
      tokenExpiresAt: this.identity.expiresAt,
      presence: join.presence,
    };
    if (this.identity.user !== null) welcome.user = this.identity.user;
    if (plan.kind === 'snapshot') welcome.reason = plan.reason;
    else welcome.replayed = plan.entries.length;
    if (!this.send(JSON.stringify(welcome))) return;
    if (plan.kind === 'snapshot') {
      this.receiveSnapshot(plan.snapshot, plan.reason);
      return;
    }
    this.replay(join.seq, plan.entries);
    // A log channel the client named in its hello may be new to it (chosen while it was away):
    // its window, after the replay, replaces whatever partial log the client holds.
    for (const channel of this.subscriptions.list()) {
      if (channel.startsWith('logs:') && channel !== 'logs:*') this.sendLogWindow(channel.slice('logs:'.length));
    }
  }

  receiveSnapshot(snapshot: RoomSnapshot, reason: SnapshotReason): void {
    if (this.detached) return;
    // Deltas still queued belong before the snapshot (after a room's reset, to the old stream): it has them.
    this.dropQueue();
    this.queue.startAt(snapshot.seq);
    if (this.options.mode === 'v1') {
      const frame = this.snapshotFrame(snapshot, reason);
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
    this.options.counters.snapshotReasons[reason]++;
  }

  receiveDelta(entry: StreamEntry): void {
    if (this.detached || this.phase !== 'joined') return;
    const text = this.options.mode === 'floor' ? entry.serialised : this.subscriptions.render(entry);
    if (text === null) {
      this.queue.skip(entry.seq);
      return;
    }
    this.queue.push(entry.seq, text, entry.coalesceKey);
    if (this.queue.length >= this.options.maxBatchMessages || this.queue.queuedChars >= MAX_BATCH_CHARS) {
      this.flush();
    } else {
      const window = this.degraded ? this.options.flushIntervalMs * DEGRADED_FLUSH_FACTOR : this.options.flushIntervalMs;
      this.cancelFlush ??= this.options.scheduler.setTimeout(() => this.guard(() => this.flush()), window);
    }
  }

  receivePresence(presence: Presence): void {
    if (this.options.mode !== 'v1' || this.phase !== 'joined') return;
    const frame: PresenceFrame = { type: 'presence', ...presence };
    this.send(JSON.stringify(frame));
  }

  /** Sends what is queued now: one batch frame (v1) or one frame per envelope (floor). */
  flush(): void {
    this.cancelFlush?.();
    this.cancelFlush = null;
    if (this.detached) return;
    this.updateDegraded();
    const batch = this.queue.take(this.degraded);
    if (!batch) return;
    if (batch.coalesced > 0) this.options.counters.messagesCoalesced += batch.coalesced;
    if (this.options.mode !== 'v1') return void this.sendEach(batch.texts);
    const build = () => encodeBatchFrame(batch.texts, batch.from, batch.to, batch.coalesced);
    // A coalesced batch is this connection's own; any other is the frame of every member subscribed alike.
    if (batch.coalesced > 0 || !this.room) return void this.send(build(), batch.texts.length);
    const frame = this.room.frames.frameFor(this.subscriptions.signature, batch.from, batch.to, build);
    this.send(frame.text, batch.texts.length, frame);
  }

  /**
   * Pings a live client; closes one silent for longer than `idleTimeoutMs` (no
   * pong, no message) with 4408, so that a client which is merely slow learns
   * why.
   */
  checkLiveness(): void {
    if (this.options.scheduler.now() - this.lastSeenAt > this.options.idleTimeoutMs) {
      this.close(CLOSE_CODES.heartbeatTimeout, closeReason('heartbeat timeout', { idleMs: this.options.idleTimeoutMs }));
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
    if (state !== WebSocket.CLOSING) {
      this.closeSent ??= { code, reason };
      this.socket.close(code, reason);
    }
    this.cancelTerminate ??= this.options.scheduler.setTimeout(() => this.socket.terminate(), this.options.closeTimeoutMs);
  }

  /** Flushes what is queued, then closes: nothing published before a shutdown is lost. */
  shutdown(code: number, reason: string): void {
    this.guard(() => this.flush());
    this.close(code, reason);
  }

  terminate(): void {
    this.detach();
    this.closeSent ??= { code: 1006, reason: 'terminated' };
    this.socket.terminate();
  }

  /** Sends what a resuming client missed, in batches, each accounting for its range. */
  private replay(seq: number, entries: readonly StreamEntry[]): void {
    const first = entries[0];
    this.queue.startAt(first ? first.seq - 1 : seq);
    this.options.counters.replays++;
    this.options.counters.replayedMessages += entries.length;
    for (const entry of entries) {
      this.receiveDelta(entry);
      if (this.detached) return;
    }
    this.flush();
  }

  private snapshotFrame(snapshot: RoomSnapshot, reason: SnapshotReason): string {
    const parts = snapshot.parts();
    const subs = this.subscriptions;
    let logs = parts.logs;
    if (!subs.allLogsUnfiltered) {
      const windows = [];
      for (const window of snapshot.state().logs) {
        if (!subs.wantsLogsOf(window.nodeId)) continue;
        const lines = subs.filterWindow(window.nodeId, window.lines);
        if (lines) windows.push({ nodeId: window.nodeId, lines });
      }
      logs = JSON.stringify(windows);
    }
    const has = (channel: BaseChannel) => subs.has(channel);
    return encodeSnapshotFrameFromParts(
      snapshot.epoch,
      snapshot.seq,
      {
        nodes: has('topology') ? parts.nodes : '[]',
        edges: has('topology') ? parts.edges : '[]',
        progress: has('progress') ? parts.progress : '[]',
        events: has('events') ? parts.events : '[]',
        series: has('stats') ? parts.series : '[]',
        logs,
      },
      reason,
    );
  }

  /** A node's current log window, as this connection's filters have it, after flushing what was queued before it. */
  private sendLogWindow(nodeId: string): void {
    const room = this.room;
    if (!room) return;
    const lines = this.subscriptions.filterWindow(nodeId, room.logWindow(nodeId));
    if (lines === null) return;
    // Queued chunks for this node are older than the window, which includes them: flush first keeps order.
    this.flush();
    const frame: LogsFrame = { type: 'logs', nodeId, seq: room.seq, lines, options: this.subscriptions.logOptions(nodeId) };
    this.send(JSON.stringify(frame));
  }

  /**
   * The only way a frame leaves: every frame, a pong or an error reply as much
   * as a batch, is preceded by the buffer check, since a client can make the
   * gateway write (pings) without ever reading. `envelopes` is how many the
   * frame carries, for the counters. Returns false when the frame was not
   * sent (the socket is not open, or the connection was closed as too slow).
   */
  private send(text: string, envelopes = 0, shared?: SharedFrame): boolean {
    if (this.socket.readyState !== WebSocket.OPEN || !this.checkBuffered()) return false;
    // A frame shared with other connections goes as its UTF-8 bytes, encoded once, in a text frame.
    if (shared) this.socket.send(shared.bytes, { binary: false });
    else this.socket.send(text);
    this.options.counters.framesSent++;
    this.options.counters.charsSent += text.length;
    this.options.counters.messagesSent += envelopes;
    return true;
  }

  /** Envelopes one frame each (floor), checked as one unit like the v1 frame that would carry them. */
  private sendEach(envelopes: readonly string[]): boolean {
    if (this.socket.readyState !== WebSocket.OPEN || !this.checkBuffered()) return false;
    let chars = 0;
    for (const envelope of envelopes) {
      this.socket.send(envelope);
      chars += envelope.length;
    }
    this.options.counters.framesSent += envelopes.length;
    this.options.counters.charsSent += chars;
    this.options.counters.messagesSent += envelopes.length;
    return true;
  }

  /**
   * The second step of slow-consumer handling (the first is `updateDegraded`):
   * a reader still slower than what it is sent would make its send buffer,
   * and so the gateway's memory, grow without end, so past the limit it is
   * closed with 4409 and reconnects to resume. Checked before a send: right
   * after it, the frame just written would count as unread, and one large
   * snapshot would close a healthy client. Returns false when it closed.
   */
  private checkBuffered(): boolean {
    const buffered = this.socket.bufferedAmount;
    if (buffered <= this.options.maxBufferedBytes || this.detached) return true;
    this.options.counters.slowConsumersClosed++;
    this.close(CLOSE_CODES.tooSlow, closeReason('too slow to keep up', { bufferedBytes: buffered }));
    return false;
  }

  /** The first step: past the soft limit, stats are coalesced and flushes spaced out; back under half of it, normal again. */
  private updateDegraded(): void {
    const buffered = this.socket.bufferedAmount;
    if (!this.degraded && buffered > this.options.softBufferedBytes) {
      this.degraded = true;
      this.options.counters.slowConsumersDegraded++;
    } else if (this.degraded && buffered < this.options.softBufferedBytes / 2) {
      this.degraded = false;
    }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    // A closing connection answers nothing: its frames would only fill the buffer it is closed for.
    if (this.detached) return;
    this.lastSeenAt = this.options.scheduler.now();
    if (!this.rate.take()) {
      this.options.counters.rateLimited++;
      this.close(
        CLOSE_CODES.rateLimited,
        closeReason('too many messages', { retryAfterMs: this.options.rateLimitRetryMs, limitPerS: this.options.maxMessagesPerSecond }),
      );
      return;
    }
    if (isBinary) {
      this.reject('binary-frame', 'binary frames are not part of the protocol');
      return;
    }
    const decoded = decodeClientMessage(rawDataToString(data));
    if (!decoded.ok) {
      this.reject(decoded.code, decoded.reason);
      return;
    }
    this.dispatch(decoded.message);
  }

  private dispatch(message: ClientMessage): void {
    if (message.type === 'ping') {
      const pong: PongFrame = { type: 'pong', ts: this.options.now() };
      if (message.id !== undefined) pong.id = message.id;
      const settled = this.phase === 'joined' && this.options.mode === 'v1' ? this.queue.settledSeq : null;
      if (settled !== null) pong.seq = settled;
      this.send(JSON.stringify(pong));
      return;
    }
    if (this.phase === 'hello') {
      if (message.type !== 'hello') return this.reject('hello-first', 'say hello first');
      if (message.version !== PROTOCOL_VERSION) {
        this.options.counters.clientMessagesRejected++;
        this.close(CLOSE_CODES.policyViolation, closeReason('unsupported protocol version', { version: PROTOCOL_VERSION }));
        return;
      }
      this.phase = 'authorizing';
      this.cancelHello?.();
      this.cancelHello = null;
      this.options.onHello(this, message);
      return;
    }
    if (this.phase !== 'joined' || this.options.mode !== 'v1') return this.reject('out-of-turn', `${message.type} is not expected now`);
    switch (message.type) {
      case 'hello':
        return this.reject('out-of-turn', 'hello was already said');
      case 'subscribe':
        return this.subscribe(message);
      case 'unsubscribe':
        this.subscriptions.unsubscribe(message.channels);
        return;
      case 'logs':
        return this.controlLogs(message);
      case 'resync':
        this.room?.resync(this);
        return;
      case 'auth':
        this.options.onAuth(this, message.token);
        return;
      default:
        assertNever(message);
    }
  }

  private subscribe(message: ClientMessageOf<'subscribe'>): void {
    const baseAdded = message.channels.some((channel) => isBaseChannel(channel) && !this.subscriptions.has(channel));
    const change = this.subscriptions.subscribe(message.channels);
    // A base channel added back missed what was published meanwhile: a snapshot brings it up to date.
    if (change.ok && baseAdded) {
      this.room?.resync(this);
      return;
    }
    if (!change.ok) return this.reject('too-many-channels', `at most ${FRAME_LIMITS.maxChannels} log channels per connection`);
    for (const nodeId of change.logsStarted) this.sendLogWindow(nodeId);
    // `logs:*`: every node that has a log gets its window (the ones just named above already did).
    if (change.allLogsStarted && this.room) {
      const named = new Set(change.logsStarted);
      for (const nodeId of this.room.logNodes()) if (!named.has(nodeId)) this.sendLogWindow(nodeId);
    }
  }

  private controlLogs(message: ClientMessageOf<'logs'>): void {
    const current = this.subscriptions.logOptions(message.nodeId);
    const next =
      message.action === 'filter'
        ? { ...current, minLevel: message.minLevel, text: message.text }
        : { ...current, paused: message.action === 'pause' };
    if (!this.subscriptions.setLogOptions(message.nodeId, next)) {
      return this.reject('not-subscribed', `subscribe to logs:${message.nodeId} first`);
    }
    // Resuming or refiltering replaces the client's lines with the window as it now should see it.
    if (message.action !== 'pause') this.sendLogWindow(message.nodeId);
  }

  private reject(code: string, message: string): void {
    this.options.counters.clientMessagesRejected++;
    // "Persist" means many within a minute, not twenty over a connection's whole life.
    const now = this.options.scheduler.now();
    if (now - this.badWindowStart > BAD_MESSAGE_WINDOW_MS) {
      this.badWindowStart = now;
      this.badMessages = 0;
    }
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
    this.cancelHello?.();
    this.cancelExpiry?.();
    this.cancelHello = this.cancelExpiry = null;
    this.options.onDetached(this);
  }

  private dropQueue(): void {
    this.cancelFlush?.();
    this.cancelFlush = null;
    this.options.counters.messagesDropped += this.queue.length;
    this.queue.clear();
  }

  /**
   * One entry per connection: at debug when it ended in the ordinary way
   * (1000, 1001, 1005), at info when it did not, with the code and reason of
   * the side that closed first (the gateway's own when it did).
   */
  private logClosed(peerCode: number, peerReason: string): void {
    const sent = this.closeSent;
    const code = sent?.code ?? peerCode;
    const fields = {
      connection: this.id,
      project: this.projectId,
      mode: this.options.mode,
      user: this.identity.user ?? undefined,
      code,
      ...readCloseReason(sent?.reason ?? peerReason),
      by: sent ? 'gateway' : 'client',
      durationMs: Math.round(this.options.scheduler.now() - this.openedAt),
    };
    if (ORDINARY_CLOSE_CODES.has(code)) log.debug('connection closed', fields);
    else log.info('connection closed', fields);
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

/**
 * A close reason for the log: its text, and whatever numbers `closeReason`
 * added to it (e.g. `bufferedBytes`) under `details`, where a client's own
 * JSON cannot overwrite the entry's other fields.
 */
function readCloseReason(raw: string): { reason: string; details?: Record<string, unknown> } {
  const text = raw.slice(0, 123);
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { reason: text };
    const { reason, ...details } = parsed as Record<string, unknown>;
    return { reason: typeof reason === 'string' ? reason : '', ...(Object.keys(details).length > 0 ? { details } : {}) };
  } catch {
    return { reason: text };
  }
}

function rawDataToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
