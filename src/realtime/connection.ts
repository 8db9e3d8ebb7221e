/**
 * The browser's one socket to the gateway, as a plain class: negotiate
 * (`hello` → `welcome`), decode and validate every frame once, check that
 * the seqs are whole, queue the messages and hand them to the store once per
 * animation frame, keep the link honest by wall-clock time, and reconnect
 * with backoff, resuming where it left off. React only starts and stops it
 * (see `./use-ws.ts`).
 */
import { decodeServerFrame, type DecodedServerFrame } from '../protocol/codec.ts';
import { parseCloseReason } from '../protocol/close-codes.ts';
import {
  ALL_CHANNELS,
  BEARER_PROTOCOL_PREFIX,
  FRAME_LIMITS,
  LOGS_CHANNEL_PREFIX,
  PROTOCOL_VERSION,
  SUBPROTOCOL,
  type Channel,
  type ClientMessage,
  type HelloMessage,
  type LogStreamOptions,
  type WelcomeFrame,
} from '../protocol/frames.ts';
import { createFrameScheduler, type FrameScheduler } from '../lib/frame-scheduler.ts';
import { BACKOFF, backoffDelay } from './backoff.ts';
import { closeAction } from './close-policy.ts';
import { browserEnvironment, type ClientEnvironment, type EnvironmentEvent } from './environment.ts';
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

/**
 * Where tokens come from when the gateway requires them. `fresh` is true
 * after a 4401 (the last one was refused). Null: there is none, and the
 * client stops and says so.
 */
export type TokenSource = (options: { fresh: boolean }) => Promise<string | null> | string | null;

const OPEN = 1;
/** RFC 7230 `token` characters, which a subprotocol entry is made of. */
const SUBPROTOCOL_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Client-side heartbeat: a ping at most this often while the link is quiet. */
export const LINK_CHECK = {
  /** Longest gap between the client's pings; shorter when the gateway's heartbeat is. */
  maxPingIntervalMs: 15_000,
  /** A link with no frame for this many ping intervals (plus grace) is dead, whatever the socket says. */
  deadAfterIntervals: 2,
  graceMs: 5_000,
  /** A link that looks dead by the clock gets a ping, and this long to answer it before it is replaced. */
  probeMs: 3_000,
  /** A token is refreshed this long before it expires, or at 80 % of a shorter life... */
  refreshBeforeExpiryMs: 60_000,
  /** ...but never sooner than this after the last refresh, whatever the token source returns. */
  minRefreshDelayMs: 5_000,
} as const;

export interface RealtimeConnectionOptions {
  url: string;
  sink: RealtimeSink;
  /** Defaults to the global `WebSocket`. */
  createSocket?: SocketFactory;
  /** Defaults to `[SUBPROTOCOL]`; pass `[]` to ask for the seed-004 floor. */
  protocols?: string[];
  /** Channels to stream (default: all). Change them later with `subscribe` / `unsubscribe`. */
  channels?: readonly Channel[];
  /** Tokens for a gateway with auth on; without one, a 4401 stops the client. */
  getToken?: TokenSource;
  random?: () => number;
  /** Wall-clock ms: how the link's age is judged (timers stall in background tabs; the clock does not). */
  now?: () => number;
  createScheduler?: (callback: () => void) => FrameScheduler;
  environment?: ClientEnvironment;
}

type Settings = Required<Omit<RealtimeConnectionOptions, 'createSocket' | 'getToken' | 'channels'>> & {
  createSocket: SocketFactory;
  getToken: TokenSource | null;
};

export class RealtimeConnection {
  private readonly options: Settings;
  private readonly queue = new InboundQueue();
  private readonly scheduler: FrameScheduler;
  private socket: SocketLike | null = null;
  private attempt = 0;
  private started = false;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Wall-clock time the pending retry is due, to catch one a background tab held back. */
  private nextRetryAt: number | null = null;
  private stableTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private probeTimer: ReturnType<typeof setTimeout> | null = null;
  /** Whether a frame came since the probe ping went out. */
  private heardSinceProbe = false;
  /** Expiry of the token the gateway last accepted; a refresh is scheduled only when it moves on. */
  private tokenExpiresAt: number | null = null;
  private stopListening: () => void = () => {};
  /** The stream held: its epoch and the last seq accounted for (v1 only). A resume starts here. */
  private position: { epoch: string; seq: number } | null = null;
  /** A gap was seen: batches are dropped until the snapshot asked for arrives. */
  private awaitingSnapshot = false;
  private welcome: WelcomeFrame | null = null;
  /** Wall-clock time of the last frame from the gateway. */
  private lastFrameAt = 0;
  private needFreshToken = false;
  private channels: Set<Channel>;
  private readonly logOptions = new Map<string, LogStreamOptions>();
  private pingId = 0;
  private helloToken: string | null = null;
  /** Whether a frame came since the last link check: a quiet link gets a ping even if the wall clock is stuck. */
  private heardSinceCheck = false;
  /** Waiting for the browser's `online`; only then does `online` skip the backoff. */
  private offline = false;
  /** Channels and log options as the last hello stated them, to send what changed before the welcome came. */
  private helloChannels = new Set<Channel>();
  private helloLogOptions = new Map<string, LogStreamOptions>();

  constructor(options: RealtimeConnectionOptions) {
    const { channels, getToken, createSocket, ...rest } = options;
    this.options = {
      protocols: [SUBPROTOCOL],
      random: Math.random,
      now: Date.now,
      createScheduler: createFrameScheduler,
      environment: browserEnvironment(),
      ...rest,
      createSocket: createSocket ?? ((url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike),
      getToken: getToken ?? null,
    };
    this.channels = new Set(channels ?? ALL_CHANNELS);
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
    this.stopListening = this.options.environment.listen((event) => this.onEnvironment(event));
    queueMicrotask(() => {
      if (!this.stopped) this.connect();
    });
  }

  /** Closes for good (1000); nothing from the old socket reaches the store afterwards. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopListening();
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

  /** Adds channels, now and for every reconnect. */
  subscribe(channels: readonly Channel[]): void {
    const added = channels.filter((channel) => !this.channels.has(channel));
    if (added.length === 0) return;
    for (const channel of added) this.channels.add(channel);
    if (this.welcome) this.send({ type: 'subscribe', channels: added });
    // Before the welcome, the hello already sent is out of date: `syncAfterWelcome` sends the difference.
  }

  unsubscribe(channels: readonly Channel[]): void {
    const removed = channels.filter((channel) => this.channels.delete(channel));
    for (const channel of removed) if (channel.startsWith(LOGS_CHANNEL_PREFIX)) this.logOptions.delete(channel.slice(LOGS_CHANNEL_PREFIX.length));
    if (removed.length > 0 && this.welcome) this.send({ type: 'unsubscribe', channels: removed });
  }

  /** Pauses, resumes or filters one node's log stream on the gateway (seed 002). */
  setLogOptions(nodeId: string, options: LogStreamOptions): void {
    const previous = this.logOptions.get(nodeId) ?? {};
    this.logOptions.set(nodeId, options);
    if (this.welcome) this.sendLogOptions(nodeId, previous, options);
  }

  private sendLogOptions(nodeId: string, previous: LogStreamOptions, options: LogStreamOptions): void {
    if (previous.minLevel !== options.minLevel || (previous.text ?? '') !== (options.text ?? '')) {
      const message: ClientMessage = { type: 'logs', nodeId, action: 'filter' };
      if (options.minLevel !== undefined) message.minLevel = options.minLevel;
      if (options.text) message.text = options.text;
      this.send(message);
    }
    if (Boolean(previous.paused) !== Boolean(options.paused)) this.send({ type: 'logs', nodeId, action: options.paused ? 'pause' : 'resume' });
  }

  private get negotiating(): boolean {
    return this.options.protocols.includes(SUBPROTOCOL);
  }

  /** Gets a token if the gateway needs one, then opens the socket. */
  private connect(): void {
    this.retryTimer = null;
    if (!this.options.environment.isOnline()) return this.goOffline();
    const { getToken } = this.options;
    if (!getToken || !this.negotiating) return this.open(null);
    const fresh = this.needFreshToken;
    Promise.resolve()
      .then(() => getToken({ fresh }))
      .then(
        (token) => {
          if (this.stopped || this.socket) return;
          if (token === null && fresh) return this.fail('sign-in required: the gateway refused the token and there is no other');
          this.needFreshToken = false;
          this.open(token);
        },
        (error: unknown) => {
          if (this.stopped || this.socket) return;
          this.scheduleReconnect(`could not get a token: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
  }

  private open(token: string | null): void {
    const { url, sink } = this.options;
    this.offline = false;
    sink.setConnection('connecting', { attempt: this.attempt, nextRetryAt: null });
    // A token rides as a subprotocol entry (never in the URL, which ends up in logs); one with
    // characters a subprotocol may not hold (a pasted token with a space) goes in the hello instead.
    this.helloToken = token && !SUBPROTOCOL_TOKEN.test(token) ? token : null;
    const protocols = token && !this.helloToken ? [...this.options.protocols, `${BEARER_PROTOCOL_PREFIX}${token}`] : this.options.protocols;
    let socket: SocketLike;
    try {
      socket = this.options.createSocket(url, protocols);
    } catch (error) {
      // The URL itself is refused (malformed, or ws: from an https: page): retrying cannot help.
      return this.fail(error instanceof Error ? error.message : 'could not open the socket');
    }
    this.socket = socket;
    this.welcome = null;
    this.awaitingSnapshot = false;
    // Every handler first checks that its socket is still the current one:
    // events from an orphaned socket must not touch the store.
    socket.onopen = () => {
      if (socket !== this.socket) return;
      this.lastFrameAt = this.options.now();
      if (socket.protocol === SUBPROTOCOL) {
        socket.send(JSON.stringify(this.hello()));
        return; // live once the welcome comes
      }
      // Without the subprotocol the gateway (the seed-004 floor) sends no
      // snapshot and replays its window as upserts: start empty.
      this.position = null;
      sink.clearMesh();
      this.becameLive();
    };
    socket.onmessage = (event) => {
      if (socket !== this.socket) return;
      this.lastFrameAt = this.options.now();
      this.heardSinceCheck = true;
      this.heardSinceProbe = true;
      this.onFrame(decodeServerFrame(event.data));
    };
    socket.onerror = () => {
      // A close event always follows; the reconnect decision is made there.
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.welcome = null;
      this.detach(socket);
      this.clearTimers();
      // Apply what arrived before the close: it is valid data.
      this.scheduler.flush();
      if (this.stopped) return;
      this.afterClose(event.code, event.reason);
    };
  }

  /** What changed between the hello and its welcome (the user picked another node meanwhile) goes out now. */
  private syncAfterWelcome(): void {
    const added = [...this.channels].filter((channel) => !this.helloChannels.has(channel));
    const removed = [...this.helloChannels].filter((channel) => !this.channels.has(channel));
    if (added.length > 0) this.send({ type: 'subscribe', channels: added });
    if (removed.length > 0) this.send({ type: 'unsubscribe', channels: removed });
    for (const [nodeId, options] of this.logOptions) {
      const stated = this.helloLogOptions.get(nodeId) ?? {};
      if (stated !== options) this.sendLogOptions(nodeId, stated, options);
    }
  }

  private hello(): HelloMessage {
    this.helloChannels = new Set(this.channels);
    this.helloLogOptions = new Map(this.logOptions);
    const hello: HelloMessage = { type: 'hello', version: PROTOCOL_VERSION, channels: [...this.channels] };
    if (this.position) hello.resume = { ...this.position };
    if (this.helloToken) hello.token = this.helloToken.slice(0, FRAME_LIMITS.maxTokenLength);
    const logs = [...this.logOptions].map(([nodeId, options]) => ({ nodeId, ...options }));
    if (logs.length > 0) hello.logs = logs.slice(0, 256);
    return hello;
  }

  private onFrame(decoded: DecodedServerFrame): void {
    const { sink } = this.options;
    switch (decoded.kind) {
      case 'welcome':
        return this.onWelcome(decoded.frame);
      case 'snapshot': {
        const { frame } = decoded;
        // One no welcome announced (the project started over, or the answer to our resync) is said too.
        const unannounced = !this.awaitingSnapshot || frame.reason === 'client-requested';
        if (unannounced && frame.reason !== undefined && frame.reason !== 'new') {
          sink.noteStream({ sync: { mode: 'snapshot', reason: frame.reason, at: this.options.now() } });
        }
        this.position = { epoch: frame.epoch, seq: frame.seq };
        this.awaitingSnapshot = false;
        break;
      }
      case 'messages': {
        const { range } = decoded;
        // Superseded by the snapshot on its way (after a welcome that promised one, or our resync).
        if (range && this.awaitingSnapshot) return;
        if (range && this.position) {
          if (range.from > this.position.seq + 1) {
            // Something between what we hold and this frame never came: ask for a snapshot rather than show a wrong mesh.
            this.awaitingSnapshot = true;
            sink.noteStream({ gaps: 1 });
            this.send({ type: 'resync' });
            return;
          }
          // An overlap (from ≤ seq) was applied already: events and log lines would show twice.
          const held = this.position.seq;
          this.position.seq = Math.max(held, range.to);
          if (range.coalesced > 0) sink.noteStream({ coalesced: range.coalesced });
          if (range.from <= held) {
            const fresh = decoded.messages.filter((message) => message.seq > held);
            if (fresh.length === 0 && decoded.rejected === 0) return;
            this.pushDecoded({ ...decoded, messages: fresh });
            return;
          }
        }
        break;
      }
      case 'logs':
        // Ordered after everything queued before it, which the window already includes.
        this.scheduler.cancel();
        this.queue.drain(sink);
        sink.applyLogWindow(decoded.frame.nodeId, decoded.frame.lines);
        return;
      case 'presence':
        sink.setPresence({ connections: decoded.frame.connections, users: decoded.frame.users });
        return;
      case 'authenticated':
        // A token source that hands back the same token must not make this a loop.
        if (decoded.frame.tokenExpiresAt !== null && decoded.frame.tokenExpiresAt > (this.tokenExpiresAt ?? 0)) {
          this.scheduleRefresh(decoded.frame.tokenExpiresAt);
        }
        return;
      case 'error':
        sink.setConnection(this.welcome || !this.negotiating ? 'open' : 'connecting', { lastError: decoded.frame.message });
        return;
      case 'pong': {
        // Nothing we are subscribed to happened up to `seq`: the resume point moves on.
        const { seq } = decoded.frame;
        if (seq !== undefined && this.position && !this.awaitingSnapshot && this.welcome?.epoch === this.position.epoch) {
          this.position.seq = Math.max(this.position.seq, seq);
        }
        return;
      }
      case 'invalid':
        break;
    }
    this.pushDecoded(decoded);
  }

  private pushDecoded(decoded: DecodedServerFrame): void {
    const { sink } = this.options;
    if (this.queue.push(decoded)) {
      // Frames are not coming (a hidden tab): apply now rather than let the queue grow.
      this.scheduler.cancel();
      this.queue.drain(sink);
    } else if (!this.queue.isEmpty) {
      this.scheduler.request();
    }
  }

  private onWelcome(welcome: WelcomeFrame): void {
    this.welcome = welcome;
    const { sink } = this.options;
    if (welcome.resume === 'replay') {
      sink.noteStream({ sync: { mode: 'replay', replayed: welcome.replayed ?? 0, at: this.options.now() } });
    } else {
      // The snapshot that follows replaces everything; until it comes, batches have no base. The
      // position stays what the store holds: a drop before the snapshot must not resume from it.
      this.awaitingSnapshot = true;
      const sync: Parameters<RealtimeSink['noteStream']>[0]['sync'] = { mode: 'snapshot', at: this.options.now() };
      if (welcome.reason) sync!.reason = welcome.reason;
      sink.noteStream({ sync });
    }
    sink.setPresence(welcome.presence);
    this.scheduleRefresh(welcome.tokenExpiresAt ?? null);
    this.syncAfterWelcome();
    this.becameLive();
  }

  private becameLive(): void {
    const { sink } = this.options;
    sink.setConnection('open', { nextRetryAt: null, lastError: null });
    this.stableTimer = setTimeout(() => {
      this.stableTimer = null;
      this.attempt = 0;
      sink.setConnection('open', { attempt: 0 });
    }, BACKOFF.stableAfterMs);
    const interval = this.pingInterval();
    this.pingTimer = setInterval(() => this.checkLink(), interval);
  }

  private pingInterval(): number {
    const gatewayBeat = this.welcome?.heartbeatIntervalMs ?? Infinity;
    return Math.max(1_000, Math.min(LINK_CHECK.maxPingIntervalMs, gatewayBeat / 2));
  }

  /**
   * Judges the link by the wall clock: a link with no frame for two ping
   * intervals is dead even if the socket still says open (a laptop that
   * slept, a NAT that forgot us), and is replaced at once, resuming. A quiet
   * one gets a ping, whose pong proves it alive.
   */
  private checkLink(): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return;
    if (this.negotiating && !this.welcome) return;
    const quietFor = this.options.now() - this.lastFrameAt;
    const interval = this.pingInterval();
    if (quietFor > interval * LINK_CHECK.deadAfterIntervals + LINK_CHECK.graceMs) {
      // Silent by the clock, but a throttled background tab's timers make a quiet link look so too:
      // a ping decides. Its answer, or any frame, within probeMs keeps the link.
      if (this.probeTimer !== null) return;
      this.heardSinceProbe = false;
      if (this.negotiating) this.send({ type: 'ping', id: ++this.pingId });
      this.probeTimer = setTimeout(() => {
        this.probeTimer = null;
        if (this.heardSinceProbe || this.socket !== socket) return;
        this.socket = null;
        this.welcome = null;
        this.detach(socket).close(4000, 'no frames: link presumed dead');
        this.clearTimers();
        this.scheduler.flush();
        this.scheduleReconnect(`no data for ${Math.round((this.options.now() - this.lastFrameAt) / 1000)} s`, 0, true);
      }, LINK_CHECK.probeMs);
      return;
    }
    // By the clock, or by the timer alone when the clock says otherwise (a frozen or skewed clock).
    if ((quietFor >= interval / 2 || !this.heardSinceCheck) && this.negotiating) this.send({ type: 'ping', id: ++this.pingId });
    this.heardSinceCheck = false;
  }

  /** The page came back (focus, visible) or the network did: check now rather than wait for a throttled timer. */
  private onEnvironment(event: EnvironmentEvent): void {
    if (this.stopped) return;
    if (event === 'offline') {
      const socket = this.socket;
      this.socket = null;
      this.welcome = null;
      if (socket) this.detach(socket).close(4000, 'browser offline');
      this.clearTimers();
      this.scheduler.flush();
      return this.goOffline();
    }
    if (event === 'online') {
      if (this.socket) return this.checkLink();
      // An `online` without an `offline` first must not skip a wait the gateway asked for (4429).
      if (!this.offline) return;
      // The network is back: try now, not when the backoff timer would have fired.
      this.clearTimers();
      this.attempt = 0;
      return this.connect();
    }
    if (this.socket) return this.checkLink();
    // A retry whose timer a background tab held back is overdue: go now.
    if (this.retryTimer !== null && this.nextRetryAt !== null && this.options.now() >= this.nextRetryAt) {
      this.clearTimers();
      this.connect();
    }
  }

  private afterClose(code: number, rawReason: string): void {
    const action = closeAction(code, parseCloseReason(rawReason));
    switch (action.kind) {
      case 'stop':
        this.stopped = true;
        this.stopListening();
        this.options.sink.setConnection('closed', { nextRetryAt: null });
        return;
      case 'fail':
        return this.fail(action.message);
      case 'reauthenticate':
        if (!this.options.getToken) return this.fail(`${action.message}: sign-in required`);
        this.needFreshToken = true;
        return this.scheduleReconnect(action.message);
      case 'reconnect':
        if (action.delayMs !== undefined && !action.atLeast) return this.scheduleReconnect(action.message, action.delayMs, true);
        return this.scheduleReconnect(action.message, action.delayMs ?? 0);
    }
  }

  private fail(message: string): void {
    this.stopped = true;
    this.stopListening();
    this.clearTimers();
    this.options.sink.setConnection('error', { nextRetryAt: null, lastError: message });
  }

  private goOffline(): void {
    this.offline = true;
    this.nextRetryAt = null;
    this.options.sink.setConnection('offline', { nextRetryAt: null, lastError: 'the browser is offline' });
  }

  /** Waits the backoff delay (at least `minimumDelayMs`), or exactly `minimumDelayMs` when `exact`. */
  private scheduleReconnect(lastError: string, minimumDelayMs = 0, exact = false): void {
    const delay = exact ? minimumDelayMs : Math.max(backoffDelay(this.attempt, this.options.random), minimumDelayMs);
    this.attempt++;
    this.nextRetryAt = this.options.now() + delay;
    this.options.sink.setConnection('reconnecting', { attempt: this.attempt, nextRetryAt: this.nextRetryAt, lastError });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Asks the token source for a new token before the current one expires, and sends it on the live link. */
  private scheduleRefresh(expiresAt: number | null): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    const { getToken } = this.options;
    this.tokenExpiresAt = expiresAt;
    if (expiresAt === null || !getToken) return;
    const life = expiresAt - this.options.now();
    const delay = Math.max(LINK_CHECK.minRefreshDelayMs, Math.min(life - LINK_CHECK.refreshBeforeExpiryMs, life * 0.8));
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      Promise.resolve()
        .then(() => getToken({ fresh: true }))
        .then(
          (token) => {
            if (token) this.send({ type: 'auth', token });
          },
          () => {
            // No fresh token: the gateway closes with 4401 at expiry, and the reconnect asks again.
          },
        );
    }, Math.min(delay, 2 ** 31 - 1));
  }

  private detach(socket: SocketLike): SocketLike {
    socket.onopen = socket.onmessage = socket.onclose = null;
    socket.onerror = () => {};
    return socket;
  }

  private clearTimers(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.stableTimer !== null) clearTimeout(this.stableTimer);
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    if (this.probeTimer !== null) clearTimeout(this.probeTimer);
    this.retryTimer = this.stableTimer = this.pingTimer = this.refreshTimer = this.probeTimer = null;
  }
}
