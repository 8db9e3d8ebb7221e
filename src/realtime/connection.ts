/**
 * The browser's one socket to the gateway, as a plain class: connect,
 * decode and validate every frame once, queue the messages and hand them to
 * the store once per animation frame, reconnect with backoff. React only
 * starts and stops it (see `./use-ws.ts`).
 */
import { decodeServerFrame } from '../protocol/codec.ts';
import { CLOSE_CODES, parseCloseReason, TERMINAL_CLOSE_CODES } from '../protocol/close-codes.ts';
import { SUBPROTOCOL, type ClientMessage } from '../protocol/frames.ts';
import { createFrameScheduler, type FrameScheduler } from '../lib/frame-scheduler.ts';
import { BACKOFF, backoffDelay } from './backoff.ts';
import { InboundQueue, type RealtimeSink } from './inbound-queue.ts';

/** The part of the WebSocket interface this client uses; the browser's and `ws`'s both fit. */
export interface SocketLike {
  readonly readyState: number;
  readonly protocol: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type SocketFactory = (url: string, protocols: string[]) => SocketLike;

const OPEN = 1;

export interface RealtimeConnectionOptions {
  url: string;
  sink: RealtimeSink;
  /** Defaults to the global `WebSocket`. */
  createSocket?: SocketFactory;
  /** Defaults to `[SUBPROTOCOL]`; pass `[]` to ask for the seed-004 floor. */
  protocols?: string[];
  random?: () => number;
  now?: () => number;
  createScheduler?: (callback: () => void) => FrameScheduler;
}

export class RealtimeConnection {
  private readonly options: Required<Omit<RealtimeConnectionOptions, 'createSocket'>> & { createSocket: SocketFactory };
  private readonly queue = new InboundQueue();
  private readonly scheduler: FrameScheduler;
  private socket: SocketLike | null = null;
  private attempt = 0;
  private started = false;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stableTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: RealtimeConnectionOptions) {
    this.options = {
      protocols: [SUBPROTOCOL],
      random: Math.random,
      now: Date.now,
      createScheduler: createFrameScheduler,
      createSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike,
      ...options,
    };
    this.scheduler = this.options.createScheduler(() => this.queue.drain(this.options.sink));
  }

  /**
   * Opens the socket on the next microtask, so that React StrictMode's
   * mount → unmount → mount, which calls start, stop, start synchronously,
   * never creates the first socket at all.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.options.sink.setConnection('connecting', { url: this.options.url, attempt: 0, nextRetryAt: null, lastError: null });
    queueMicrotask(() => {
      if (!this.stopped) this.open();
    });
  }

  /** Closes for good (1000); nothing from the old socket reaches the store afterwards. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    this.scheduler.cancel();
    this.queue.clear();
    const socket = this.socket;
    this.socket = null;
    if (socket) this.detach(socket).close(1000, 'client stopped');
    this.options.sink.setConnection('closed', { nextRetryAt: null });
  }

  /** Sends a client message if the link is up; returns whether it was sent. */
  send(message: ClientMessage): boolean {
    if (this.socket?.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private open(): void {
    this.retryTimer = null;
    const { url, protocols, sink } = this.options;
    if (this.attempt > 0) sink.setConnection('connecting', { attempt: this.attempt, nextRetryAt: null });
    let socket: SocketLike;
    try {
      socket = this.options.createSocket(url, protocols);
    } catch (error) {
      // The URL itself is refused (malformed, or ws: from an https: page): retrying cannot help.
      this.stopped = true;
      sink.setConnection('error', {
        nextRetryAt: null,
        lastError: error instanceof Error ? error.message : 'could not open the socket',
      });
      return;
    }
    this.socket = socket;
    // Every handler first checks that its socket is still the current one:
    // events from an orphaned socket must not touch the store.
    socket.onopen = () => {
      if (socket !== this.socket) return;
      // Without the subprotocol the gateway (an older one, or the seed-004
      // floor) sends no snapshot and replays its window as upserts: start empty.
      if (socket.protocol !== SUBPROTOCOL) sink.clearMesh();
      sink.setConnection('open', { nextRetryAt: null, lastError: null });
      this.stableTimer = setTimeout(() => {
        this.stableTimer = null;
        this.attempt = 0;
        sink.setConnection('open', { attempt: 0 });
      }, BACKOFF.stableAfterMs);
    };
    socket.onmessage = (event) => {
      if (socket !== this.socket) return;
      const decoded = decodeServerFrame(event.data);
      if (decoded.kind === 'error') sink.setConnection('open', { lastError: decoded.frame.message });
      if (this.queue.push(decoded)) {
        // Frames are not coming (a hidden tab): apply now rather than let the queue grow.
        this.scheduler.cancel();
        this.queue.drain(sink);
      } else if (!this.queue.isEmpty) {
        this.scheduler.request();
      }
    };
    socket.onerror = () => {
      // A close event always follows; the reconnect decision is made there.
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.detach(socket);
      this.clearTimers();
      // Apply what arrived before the close: it is valid data.
      this.scheduler.flush();
      if (this.stopped) return;
      const reason = parseCloseReason(event.reason);
      if (event.code === CLOSE_CODES.normal) {
        this.stopped = true;
        sink.setConnection('closed', { nextRetryAt: null });
        return;
      }
      const terminal = TERMINAL_CLOSE_CODES.get(event.code);
      if (terminal !== undefined) {
        this.stopped = true;
        sink.setConnection('error', { nextRetryAt: null, lastError: `${reason.message ?? terminal} (${event.code})` });
        return;
      }
      this.scheduleReconnect(`${reason.message ?? 'connection lost'} (${event.code})`, reason.retryAfterMs);
    };
  }

  private scheduleReconnect(lastError: string, minimumDelayMs = 0): void {
    const delay = Math.max(backoffDelay(this.attempt, this.options.random), minimumDelayMs);
    this.attempt++;
    this.options.sink.setConnection('reconnecting', {
      attempt: this.attempt,
      nextRetryAt: this.options.now() + delay,
      lastError,
    });
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  private detach(socket: SocketLike): SocketLike {
    socket.onopen = socket.onmessage = socket.onclose = null;
    socket.onerror = () => {};
    return socket;
  }

  private clearTimers(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.stableTimer !== null) clearTimeout(this.stableTimer);
    this.retryTimer = null;
    this.stableTimer = null;
  }
}
