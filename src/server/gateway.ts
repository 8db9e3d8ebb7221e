/**
 * The WebSocket gateway: `/ws?project=<id>` upgrades, one room per project,
 * per-connection batching, heartbeat and limits, on top of `ws` in `noServer`
 * mode so it can share a port with anything (Vite's dev server, the
 * standalone server in main.ts). Rooms come and go (rooms.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE_CODES, closeReason } from '../protocol/close-codes.ts';
import { BEARER_PROTOCOL_PREFIX, FRAME_LIMITS, SUBPROTOCOL, type HelloMessage } from '../protocol/frames.ts';
import { ProjectId } from '../protocol/mesh.ts';
import type { Payload } from '../protocol/messages.ts';
import { AccessControl, type AccessCounters, type AccessDecision, type AccessRefusal } from './access.ts';
import type { AuthConfig } from './auth.ts';
import { Connection, zeroCounters, type ConnectionIdentity, type ConnectionMode, type GatewayCounters } from './connection.ts';
import { noop, pathnameOf, rejectUpgrade } from './http/http-helpers.ts';
import { createOriginPolicy, type OriginPolicy } from './http/origin.ts';
import { newEpoch } from './epoch.ts';
import { log } from './log.ts';
import { withoutUndefined } from './options.ts';
import { ProjectState, type ProjectStateLimits } from './project-state.ts';
import type { PublishAllOutcome, PublishOutcome, Room } from './room.ts';
import type { ReplayBudget, ReplayLimits } from './stream/replay-buffer.ts';
import { RoomTable, type ProjectCloseCause, type ProjectOpenCause } from './rooms.ts';
import { realScheduler, type Scheduler } from './scheduler.ts';
import type { SharedStreams, SharedStreamStats } from './scale/shared-streams.ts';

export type { ProjectCloseCause, ProjectOpenCause } from './rooms.ts';

/** Options of `new Gateway(options)`; every one has a default (GATEWAY_DEFAULTS). */
export interface GatewayOptions {
  /** URL path whose upgrades `attach` handles; every other upgrade is left alone. Default `'/ws'`. */
  path?: string;
  /** How long a connection collects deltas before sending them as one frame. Default 100 ms. */
  flushIntervalMs?: number;
  /** A connection's queue is flushed at once when it holds this many envelopes. Default 500; at most `FRAME_LIMITS.maxBatchMessages`. */
  maxBatchMessages?: number;
  /** Every connection is pinged this often; idle rooms are looked for as often. Default 30 000 ms. */
  heartbeatIntervalMs?: number;
  /** A connection with no pong and no message for this long is closed with 4408. Default 60 000 ms. */
  idleTimeoutMs?: number;
  /** Largest frame accepted from a client; `ws` closes with 1009 past it. Default 1 MiB (`FRAME_LIMITS.maxClientFrameBytes`). */
  maxPayloadBytes?: number;
  /** A connection whose unsent data passes this has its stats coalesced and its flushes spaced out. Default 1 MiB. */
  softBufferedBytes?: number;
  /** A connection whose unsent data passes this is closed with 4409. Default 8 MiB. */
  maxBufferedBytes?: number;
  /** Messages per second a client may send (twice as many in a burst); past it, 4429. Default 20. */
  maxMessagesPerSecond?: number;
  /** The delay a 4429 asks for (rate or connection limits). Default 10 000 ms. */
  rateLimitRetryMs?: number;
  /** A v1 client that has not sent `hello` by then is closed with 1008. Default 10 000 ms. */
  helloTimeoutMs?: number;
  /** Token auth (JWT): a secret or a public key. Default none: anonymous, and the servers listen on loopback only. */
  auth?: AuthConfig | null;
  /** The projects that exist; a viewer of another gets 4404. Default: every project exists. */
  projects?: readonly string[];
  /** Connections one signed-in user may hold across the gateway; past it, 4429. Default 50 (seed 002). */
  maxConnectionsPerUser?: number;
  /** Connections watching one project; past it, 4429. Default 1 000. */
  maxConnectionsPerProject?: number;
  /** Bounds of each project's replay buffer (count, age, bytes); defaults are REPLAY_DEFAULTS. */
  replayLimits?: Partial<ReplayLimits>;
  /** Characters all projects' replay buffers may hold together. Default 256 MiB. */
  maxReplayBytesTotal?: number;
  /** On shutdown each client is told to wait a random delay up to this before reconnecting, so a restart is not stormed. Default 3 000 ms. */
  shutdownRetryJitterMs?: number;
  /** Random numbers in [0, 1), for the shutdown jitter. Default `Math.random`. */
  random?: () => number;
  /** A connection is closed with 1008 once this many of its frames were rejected. Default 20. */
  maxBadMessages?: number;
  /**
   * Rooms (projects) held at once. When full, the room idle longest (no
   * members) is dropped for a new one; with none idle, a viewer of one more
   * project is closed with 4429 and a publish to it refused. Default 1 000.
   */
  maxRooms?: number;
  /** A room with no members and no publish for this long is dropped, its state and seqs forgotten. Default 600 000 ms (10 min). */
  roomIdleTimeoutMs?: number;
  /** Bounds of each project's state; defaults are PROJECT_STATE_LIMITS. */
  stateLimits?: Partial<ProjectStateLimits>;
  /**
   * Origins allowed besides the same-origin and loopback pages every gateway
   * accepts (see `createOriginPolicy`), exactly as a browser sends them, e.g.
   * `https://dash.example.com`. Upgrades from other pages get HTTP 403. Default none.
   */
  allowedOrigins?: string[];
  /** Host names (besides loopback names and IP literals) whose same-host pages are allowed; see `createOriginPolicy`. */
  allowedHosts?: string[];
  /** How long a socket the gateway closes (shutdown, heartbeat, too slow) gets to acknowledge before it is terminated. Default 2 000 ms. */
  closeTimeoutMs?: number;
  /** Wall-clock milliseconds stamped on envelopes. Default `Date.now`. */
  now?: () => number;
  /** Monotonic time and timers (heartbeat, flush windows, close timeouts). Default `realScheduler`; tests pass one they step by hand. */
  scheduler?: Scheduler;
  /** Called once per room, when it is created and before anyone joins it. */
  onProjectOpened?: (projectId: string, room: Room, cause: ProjectOpenCause) => void;
  /**
   * Called when a project's first viewer arrives (its room had no members),
   * before that viewer gets its snapshot: what is published here (e.g. a
   * simulator's initial mesh) is in it.
   */
  onProjectWatched?: (projectId: string, room: Room) => void;
  /** Called when a project's last viewer leaves. */
  onProjectUnwatched?: (projectId: string, room: Room) => void;
  /**
   * Called when a room is dropped. Whatever still feeds the project should
   * stop: its next publish would open a new room, with a new epoch and seqs from 1.
   */
  onProjectClosed?: (projectId: string, room: Room, cause: ProjectCloseCause) => void;
  /** Internal failures (a throwing hook, a bug in a handler); the gateway carries on. Default: the structured log (log.ts), at error. */
  onError?: (error: unknown, context: string) => void;
  /**
   * Serve projects together with other gateways (src/server/scale): seqs,
   * replay and fan-out come from the shared streams, and publishing goes
   * through `submit`. Default none: this gateway stamps its own projects.
   */
  shared?: SharedStreams | null;
  /** How long a join waits for a shared room to load, or to reach the seq a client resumes from. Default 3 000 ms. */
  sharedJoinWaitMs?: number;
}

/** The gateway's hooks, which the servers that wire simulations set themselves. */
export type GatewayHooks = 'onProjectOpened' | 'onProjectWatched' | 'onProjectUnwatched' | 'onProjectClosed';

/** The defaults of GatewayOptions. */
export const GATEWAY_DEFAULTS = {
  path: '/ws',
  flushIntervalMs: 100,
  maxBatchMessages: 500,
  heartbeatIntervalMs: 30_000,
  idleTimeoutMs: 60_000,
  maxPayloadBytes: FRAME_LIMITS.maxClientFrameBytes,
  softBufferedBytes: 1024 * 1024,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxMessagesPerSecond: 20,
  rateLimitRetryMs: 10_000,
  helloTimeoutMs: 10_000,
  maxConnectionsPerUser: 50,
  maxConnectionsPerProject: 1_000,
  shutdownRetryJitterMs: 3_000,
  maxReplayBytesTotal: 256 * 1024 * 1024,
  maxBadMessages: 20,
  maxRooms: 1_000,
  roomIdleTimeoutMs: 10 * 60_000,
  closeTimeoutMs: 2_000,
  sharedJoinWaitMs: 3_000,
} as const;

/** Counters since the gateway started, and what it holds now. */
export interface GatewayStats extends GatewayCounters {
  epoch: string;
  connections: number;
  /** `connections` by mode: v1 clients, and seed-004 floor clients. */
  connectionsByMode: Record<ConnectionMode, number>;
  rooms: number;
  /** Payloads published and stamped here (`publish`, `publishAll`). */
  messagesPublished: number;
  /** Rooms dropped, idle or evicted for another project. */
  roomsDropped: number;
  /** Publishes refused (payloads, for an all-or-nothing request): too many projects, a topology cap, or the gateway closing. */
  publishesRefused: number;
  /** Upgrades refused with 403 because they came from another site's page. */
  originsRefused: number;
  /** Connections refused by close code: 4401, 4403, 4404 and the 4429 of connection limits. */
  refused: AccessCounters;
  /** Whether token auth is on. */
  authRequired: boolean;
  /** Characters of envelopes all replay buffers hold (bounded by `maxReplayBytesTotal`). */
  replayChars: number;
  /** The shared streams (Redis), when this gateway shares its projects; null when it stamps its own. */
  shared: SharedStreamStats | null;
}

type Settings = Required<
  Omit<GatewayOptions, GatewayHooks | 'stateLimits' | 'allowedOrigins' | 'allowedHosts' | 'auth' | 'projects' | 'replayLimits' | 'shared'>
> &
  Pick<GatewayOptions, GatewayHooks | 'stateLimits' | 'replayLimits'>;
/** How often, at most, a room's viewers are told who is watching. */
const PRESENCE_INTERVAL_MS = 500;

type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * The meshwatch gateway. `attach(httpServer)` (or call `handleUpgrade`), then
 * `publish(projectId, payload)`; `close()` on shutdown.
 */
export class Gateway {
  /**
   * This process's identity. Each room's epoch (what clients see) is this plus
   * a generation, new whenever a room is opened or started over, so a
   * restarted gateway and a project reopened or reset on the same gateway all
   * read as a new stream.
   */
  readonly epoch: string;
  private readonly settings: Settings;
  private readonly originPolicy: OriginPolicy;
  private readonly wss: WebSocketServer;
  private readonly rooms: RoomTable;
  private readonly connections = new Set<Connection>();
  /** Connections that joined a room, with the user slot they hold. */
  private readonly members = new Map<Connection, { room: Room; user: string | null }>();
  private readonly counters: GatewayCounters = zeroCounters();
  private readonly access: AccessControl;
  private readonly replayBudget: ReplayBudget;
  /** Tokens offered as a subprotocol entry, read at the upgrade, until the hello asks for them. */
  private readonly bearerTokens = new WeakMap<WebSocket, string>();
  /** Rooms whose watchers changed; told who is watching on the next presence tick. */
  private readonly presenceDue = new Set<Room>();
  private cancelPresence: (() => void) | null = null;
  private publishesRefused = 0;
  private messagesPublished = 0;
  private originsRefused = 0;
  /** What a project without a room is checked against before one is opened for it. */
  private emptyState: ProjectState | null = null;
  private readonly detachers = new Set<() => void>();
  private readonly shared: SharedStreams | null;
  private readonly stopHeartbeat: () => void;
  /**
   * Set first thing in `close()`: shutting down closes connections, whose
   * hooks must not run (nor publishes, nor upgrades) from then on.
   */
  private closing = false;
  private closed: Promise<void> | null = null;

  constructor(options: GatewayOptions = {}) {
    const { allowedOrigins, allowedHosts, auth, projects, shared, ...rest } = options;
    this.shared = shared ?? null;
    this.settings = {
      ...GATEWAY_DEFAULTS,
      now: Date.now,
      scheduler: realScheduler,
      onError: (error, context) => log.error(`gateway: ${context}`, { error }),
      random: Math.random,
      ...withoutUndefined(rest),
    };
    this.originPolicy = createOriginPolicy(allowedOrigins, { allowedHosts: allowedHosts ?? [] });
    this.replayBudget = { usedChars: 0, maxChars: this.settings.maxReplayBytesTotal };
    this.access = new AccessControl({
      auth: auth ?? null,
      ...(projects ? { projects } : {}),
      maxConnectionsPerUser: this.settings.maxConnectionsPerUser,
      maxConnectionsPerProject: this.settings.maxConnectionsPerProject,
      retryAfterMs: this.settings.rateLimitRetryMs,
    });
    this.epoch = newEpoch();
    this.rooms = new RoomTable({
      epoch: this.epoch,
      maxRooms: this.settings.maxRooms,
      idleTimeoutMs: this.settings.roomIdleTimeoutMs,
      scheduler: this.settings.scheduler,
      room: {
        now: this.settings.now,
        stateLimits: this.settings.stateLimits,
        replayLimits: this.settings.replayLimits,
        // Half the slow-consumer limit: a replay sent in one go must not get a healthy client closed with 4409.
        maxReplayChars: this.settings.maxBufferedBytes / 2,
        replayBudget: this.replayBudget,
      },
      onOpened: (projectId, room, cause) => {
        this.shared?.follow(projectId, room);
        this.callHook('onProjectOpened', projectId, () => this.settings.onProjectOpened?.(projectId, room, cause));
      },
      onClosed: (projectId, room, cause) => {
        this.shared?.unfollow(projectId, room);
        this.callHook('onProjectClosed', projectId, () => this.settings.onProjectClosed?.(projectId, room, cause));
      },
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.settings.maxPayloadBytes,
      // The gateway tracks its own connections; ws's set would be a second copy.
      clientTracking: false,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    this.stopHeartbeat = this.settings.scheduler.setInterval(() => this.checkLiveness(), this.settings.heartbeatIntervalMs);
  }

  /**
   * Handles `server`'s upgrades whose path is `options.path`, leaving every
   * other upgrade (e.g. Vite's HMR socket) to other listeners. Returns a
   * function that detaches the gateway again.
   */
  attach(server: EventEmitter): () => void {
    const onUpgrade: UpgradeListener = (req, socket, head) => {
      if (pathnameOf(req.url) !== this.settings.path) return;
      this.handleUpgrade(req, socket, head);
    };
    server.on('upgrade', onUpgrade);
    const detach = () => {
      server.off('upgrade', onUpgrade);
      this.detachers.delete(detach);
    };
    this.detachers.add(detach);
    return detach;
  }

  /**
   * Upgrades one request, whatever its path. None of these reach `ws`: a
   * closing gateway is answered with HTTP 503; a page of another site (see
   * `allowedOrigins`) with 403; a missing, blank or overlong `project` query
   * parameter with 400.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    try {
      if (this.closing) return rejectUpgrade(socket, 503, 'gateway is shutting down');
      const origin = this.originPolicy(req.headers);
      if (!origin.ok) {
        this.originsRefused++;
        return rejectUpgrade(socket, 403, origin.reason);
      }
      const project = projectFromUrl(req.url);
      if (!project.ok) return rejectUpgrade(socket, 400, project.reason);
      const bearer = bearerTokenOf(req.headers['sec-websocket-protocol']);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        try {
          if (bearer !== undefined) this.bearerTokens.set(ws, bearer);
          this.accept(ws, project.projectId);
        } catch (error) {
          // Past the handshake the socket speaks WebSocket: answer with a close code, not HTTP.
          this.settings.onError(error, `accepting a connection to project ${project.projectId}`);
          ws.close(CLOSE_CODES.internalError, closeReason('internal error'));
        }
      });
    } catch (error) {
      this.settings.onError(error, 'upgrade');
      rejectUpgrade(socket, 500, 'internal error');
    }
  }

  /**
   * Stamps `payload` with the project's next seq and queues it for every
   * connection to the project, opening the project's room if needed. The
   * gateway owns `payload` from here on. Never throws; a refusal says why.
   */
  publish(projectId: string, payload: Payload): PublishOutcome {
    const outcome = this.publishUnchecked(projectId, payload);
    if (outcome.ok) this.messagesPublished++;
    else this.publishesRefused++;
    return outcome;
  }

  /**
   * Publishes every payload, in order and with contiguous seqs, or none: the
   * whole run is checked against the topology caps (and the project against
   * the room limit) before the first is stamped. The gateway owns the payloads.
   *
   * With `startOver`, the run replaces whatever the project held (see
   * `resetProject`), e.g. when a real publisher takes a project over from its
   * simulator; the run is then checked against an empty state, and a refused
   * run leaves the project as it was.
   */
  publishAll(projectId: string, payloads: readonly Payload[], options: { startOver?: boolean } = {}): PublishAllOutcome {
    const outcome = this.publishAllUnchecked(projectId, payloads, options.startOver ?? false);
    if (outcome.ok) this.messagesPublished += outcome.count;
    else this.publishesRefused += payloads.length;
    return outcome;
  }

  /** Whether projects are shared with other gateways (`GatewayOptions.shared`): publish with `submit`. */
  get isShared(): boolean {
    return this.shared !== null;
  }

  /**
   * `publishAll` for either kind of gateway: on a shared one the run is
   * checked against the caps as this gateway holds the project, then stamped
   * by the shared sequencer and reaches every gateway's viewers (this one's
   * through the shared stream too). Never rejects.
   */
  async submit(projectId: string, payloads: readonly Payload[], options: { startOver?: boolean } = {}): Promise<PublishAllOutcome> {
    if (!this.shared) return this.publishAll(projectId, payloads, options);
    const outcome = await this.submitShared(this.shared, projectId, payloads, options.startOver ?? false);
    if (outcome.ok) this.messagesPublished += outcome.count;
    else this.publishesRefused += payloads.length;
    return outcome;
  }

  private async submitShared(shared: SharedStreams, projectId: string, payloads: readonly Payload[], startOver: boolean): Promise<PublishAllOutcome> {
    if (this.closing) return { ok: false, code: 'gateway-closed', reason: 'gateway is shutting down' };
    const room = this.rooms.open(projectId, 'publish');
    if (!room) return this.tooManyProjects();
    this.emptyState ??= new ProjectState(this.settings.stateLimits);
    // A room still loading has no state to check against: the caps are then checked by every gateway's fold.
    const against = startOver ? this.emptyState : room.isReady ? room.state : null;
    const refusal = against?.admitAll(payloads);
    if (refusal) return { ok: false, ...refusal };
    try {
      // What this gateway holds is the floor of the new seqs: a counter in Redis that went back must not reuse them.
      const floor = !startOver && room.isReady ? { epoch: room.epoch, seq: room.seq } : undefined;
      const { last } = await shared.append(projectId, payloads, { startOver, ...(floor ? { floor } : {}) });
      this.rooms.touch(room);
      return { ok: true, count: payloads.length, seq: last };
    } catch (error) {
      this.settings.onError(error, `appending to the shared stream of ${projectId}`);
      return { ok: false, code: 'unavailable', reason: 'the shared stream (Redis) is unavailable' };
    }
  }

  /**
   * Starts the project's stream over, if its room holds anything: the state
   * is emptied, seqs begin again at 1 under a new epoch, and every viewer gets
   * the new snapshot (the client's own reaction to a new epoch). Returns
   * whether it did.
   */
  resetProject(projectId: string): boolean {
    const room = this.rooms.get(projectId);
    // A shared project starts over through `submit(…, { startOver: true })`, which every gateway sees.
    if (this.closing || this.shared || !room || room.seq === 0) return false;
    this.rooms.reset(room);
    return true;
  }

  /**
   * Whether a publisher with `token` may publish to `projectId`: the same
   * rules as a viewer (4401, 4403, 4404), for the HTTP publish endpoint.
   * Null when the gateway has no token auth and knows every project: nothing to check.
   */
  publisherAccess(): ((token: string | undefined, projectId: string) => Promise<AccessDecision>) | null {
    if (!this.access.authRequired && !this.access.restrictsProjects) return null;
    return (token, projectId) => this.access.authorize(token, projectId, { publish: true });
  }

  /** The project's room, if it is open. */
  room(projectId: string): Room | undefined {
    return this.rooms.get(projectId);
  }

  /** Counters since start and current sizes, e.g. for `/healthz`. */
  stats(): GatewayStats {
    const connectionsByMode: Record<ConnectionMode, number> = { v1: 0, floor: 0 };
    for (const connection of this.connections) connectionsByMode[connection.mode]++;
    return {
      epoch: this.epoch,
      connections: this.connections.size,
      connectionsByMode,
      rooms: this.rooms.size,
      roomsDropped: this.rooms.dropped,
      messagesPublished: this.messagesPublished,
      ...this.counters,
      snapshotReasons: { ...this.counters.snapshotReasons },
      publishesRefused: this.publishesRefused,
      originsRefused: this.originsRefused,
      refused: { ...this.access.counters },
      replayChars: this.replayBudget.usedChars,
      shared: this.shared?.stats() ?? null,
      authRequired: this.access.authRequired,
    };
  }

  /**
   * What each open connection holds unsent right now (its queue and its
   * socket's buffer), in no particular order and without saying whose: for
   * a distribution in `/metrics`. One pass over the connections.
   */
  connectionBufferedBytes(): number[] {
    const sizes: number[] = [];
    for (const connection of this.connections) sizes.push(connection.bufferedBytes);
    return sizes;
  }

  /**
   * Flushes every pending batch, closes every socket with 1001, stops the
   * heartbeat and detaches from the servers. Clients that do not answer the
   * close within `closeTimeoutMs` are terminated. Hooks are not called once
   * closing has begun. Idempotent.
   */
  close(): Promise<void> {
    this.closing = true;
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.stopHeartbeat();
    this.cancelPresence?.();
    const closing = [...this.connections];
    // Each connection terminates a peer that does not answer within closeTimeoutMs, so this settles.
    for (const connection of closing) {
      // Spread over the jitter window, so a restarted gateway is not met by every client at once.
      const retryAfterMs = Math.round(this.settings.random() * this.settings.shutdownRetryJitterMs);
      connection.shutdown(CLOSE_CODES.goingAway, closeReason('gateway shutting down', { retryAfterMs }));
    }
    await Promise.all(closing.map((connection) => connection.closed));
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    // Attached until now, so upgrades during the shutdown get a 503 rather than no answer at all.
    for (const detach of [...this.detachers]) detach();
  }

  private publishUnchecked(projectId: string, payload: Payload): PublishOutcome {
    if (this.closing) return { ok: false, code: 'gateway-closed', reason: 'gateway is shutting down' };
    if (this.shared) return SHARED_NEEDS_SUBMIT;
    const room = this.rooms.open(projectId, 'publish');
    if (!room) return this.tooManyProjects();
    const outcome = room.publish(payload);
    if (outcome.ok) this.rooms.touch(room);
    return outcome;
  }

  private publishAllUnchecked(projectId: string, payloads: readonly Payload[], startOver: boolean): PublishAllOutcome {
    if (this.closing) return { ok: false, code: 'gateway-closed', reason: 'gateway is shutting down' };
    if (this.shared) return SHARED_NEEDS_SUBMIT;
    const existing = this.rooms.get(projectId);
    if (existing && !startOver) {
      const outcome = existing.publishAll(payloads);
      if (outcome.ok) this.rooms.touch(existing);
      return outcome;
    }
    // The run goes into an empty state: checked before the room is opened (which might evict
    // another project's for nothing) or started over (which a refused run must not do).
    this.emptyState ??= new ProjectState(this.settings.stateLimits);
    const refusal = this.emptyState.admitAll(payloads);
    if (refusal) return { ok: false, ...refusal };
    if (existing && existing.seq > 0) this.rooms.reset(existing);
    const room = existing ?? this.rooms.open(projectId, 'publish');
    if (!room) return this.tooManyProjects();
    // A room the onProjectOpened hook has already fed is not empty: it checks the run itself.
    const outcome = room.seq === 0 ? room.publishAdmitted(payloads) : room.publishAll(payloads);
    if (outcome.ok) this.rooms.touch(room);
    return outcome;
  }

  private tooManyProjects(): { ok: false; code: 'too-many-projects'; reason: string } {
    return { ok: false, code: 'too-many-projects', reason: `gateway already holds ${this.settings.maxRooms} watched projects` };
  }

  private accept(socket: WebSocket, projectId: string): void {
    socket.on('error', noop); // until the Connection adds its own; a client may vanish at any time
    if (this.closing) {
      socket.close(CLOSE_CODES.goingAway, closeReason('gateway shutting down'));
      return;
    }
    const mode = socket.protocol === SUBPROTOCOL ? 'v1' : 'floor';
    const connection: Connection = new Connection(socket, projectId, {
      mode,
      flushIntervalMs: this.settings.flushIntervalMs,
      // A bigger batch would be rejected whole by every client.
      maxBatchMessages: Math.min(this.settings.maxBatchMessages, FRAME_LIMITS.maxBatchMessages),
      softBufferedBytes: this.settings.softBufferedBytes,
      maxBufferedBytes: this.settings.maxBufferedBytes,
      maxBadMessages: this.settings.maxBadMessages,
      maxMessagesPerSecond: this.settings.maxMessagesPerSecond,
      rateLimitRetryMs: this.settings.rateLimitRetryMs,
      helloTimeoutMs: this.settings.helloTimeoutMs,
      heartbeatIntervalMs: this.settings.heartbeatIntervalMs,
      idleTimeoutMs: this.settings.idleTimeoutMs,
      maxFrameBytes: this.settings.maxPayloadBytes,
      closeTimeoutMs: this.settings.closeTimeoutMs,
      counters: this.counters,
      now: this.settings.now,
      scheduler: this.settings.scheduler,
      onHello: (hello, message) => this.onHello(hello, message, socket),
      onAuth: (authing, token) => this.onAuth(authing, token),
      onDetached: (detached) => this.onDetached(detached),
      onInternalError: (error) => this.settings.onError(error, `connection to project ${projectId}`),
    });
    this.connections.add(connection);
    if (mode === 'floor') {
      // A floor client sends nothing, so it cannot present a token: with auth on it is refused.
      const decision: AccessDecision = this.access.authRequired
        ? { ok: false, code: CLOSE_CODES.unauthorized, reason: 'token required: connect with the meshwatch.v1 subprotocol' }
        : (this.access.checkKnown(projectId) ?? { ok: true, identity: { user: null, expiresAt: null } });
      if (this.access.authRequired) this.access.counters.unauthorized++;
      this.admit(connection, decision);
    }
  }

  /** A v1 client's hello: its token (from the hello, else the subprotocol entry) is checked before it joins. */
  private onHello(connection: Connection, hello: HelloMessage, socket: WebSocket): void {
    const token = hello.token ?? this.bearerTokens.get(socket);
    this.bearerTokens.delete(socket);
    void this.access.authorize(token, connection.projectId).then(
      (decision) => this.guardAsync(connection, () => this.admit(connection, decision, hello)),
      (error: unknown) => this.refuse(connection, { ok: false, code: CLOSE_CODES.internalError, reason: 'internal error' }, error),
    );
  }

  /** Joins an authorised connection to its project's room, within the connection limits; or closes it with the refusal. */
  private admit(connection: Connection, decision: AccessDecision, hello?: HelloMessage, waited = false): void {
    if (connection.isDetached) return;
    if (this.closing) return connection.close(CLOSE_CODES.goingAway, closeReason('gateway shutting down'));
    if (!decision.ok) return this.refuse(connection, decision);
    const { projectId } = connection;
    const room = this.rooms.open(projectId, 'connection');
    if (!room) {
      return this.refuse(connection, { ok: false, code: CLOSE_CODES.rateLimited, reason: 'too many projects on this gateway', retryAfterMs: 60_000 });
    }
    if (this.shared && !waited && !this.caughtUpFor(room, hello)) {
      // A shared room loads from Redis, and a client from another gateway may hold seqs this one has not read yet.
      void this.waitForSharedRoom(room, hello).then(() => this.guardAsync(connection, () => this.admit(connection, decision, hello, true)));
      return;
    }
    if (!room.isReady) {
      return this.refuse(connection, { ok: false, code: CLOSE_CODES.internalError, reason: 'project is still loading from the shared store', retryAfterMs: 2_000 });
    }
    const limited = this.access.admit(decision.identity.user, room.memberCount);
    if (limited) return this.refuse(connection, limited);
    this.members.set(connection, { room, user: decision.identity.user });
    if (room.memberCount === 0) this.callHook('onProjectWatched', projectId, () => this.settings.onProjectWatched?.(projectId, room));
    connection.join(room, decision.identity, hello);
    this.schedulePresence(room);
  }

  /** Whether a shared room can answer this join now: loaded, and holding the seq the client resumes from (in this epoch). */
  private caughtUpFor(room: Room, hello: HelloMessage | undefined): boolean {
    if (!room.isReady) return false;
    const resume = hello?.resume;
    return !resume || resume.epoch !== room.epoch || resume.seq <= room.seq;
  }

  private async waitForSharedRoom(room: Room, hello: HelloMessage | undefined): Promise<void> {
    const wait = this.settings.sharedJoinWaitMs;
    const setTimer = (run: () => void, ms: number) => this.settings.scheduler.setTimeout(run, ms);
    await room.caughtUp(0, wait, setTimer);
    const resume = hello?.resume;
    if (resume && resume.epoch === room.epoch && resume.seq > room.seq) await room.caughtUp(resume.seq, wait, setTimer);
  }

  private refuse(connection: Connection, decision: AccessRefusal, error?: unknown): void {
    if (error !== undefined) this.settings.onError(error, `authorising a connection to ${connection.projectId}`);
    const extra: Record<string, number> = {};
    if (decision.retryAfterMs !== undefined) extra.retryAfterMs = decision.retryAfterMs;
    connection.close(decision.code, closeReason(decision.reason, extra));
  }

  /** A fresh token on a live connection: the same user, still allowed, or the connection ends with its refusal. */
  private onAuth(connection: Connection, token: string): void {
    void this.access.authorize(token, connection.projectId).then((decision) => this.guardAsync(connection, () => {
      if (connection.isDetached) return;
      if (!decision.ok) {
        this.refuse(connection, decision);
        return;
      }
      if (decision.identity.user !== connection.user) {
        return this.refuse(connection, { ok: false, code: CLOSE_CODES.unauthorized, reason: 'token is for another user' });
      }
      connection.refreshIdentity(decision.identity satisfies ConnectionIdentity);
    }));
  }

  /**
   * What runs after an await is outside every socket callback's guard: a
   * throw there would be an unhandled rejection, which ends the process.
   */
  private guardAsync(connection: Connection, action: () => void): void {
    try {
      action();
    } catch (error) {
      this.refuse(connection, { ok: false, code: CLOSE_CODES.internalError, reason: 'internal error' }, error);
    }
  }

  private onDetached(connection: Connection): void {
    this.connections.delete(connection);
    const membership = this.members.get(connection);
    if (!membership) return;
    this.members.delete(connection);
    const { room, user } = membership;
    this.access.release(user);
    if (!room.leave(connection)) return;
    this.rooms.touch(room);
    this.schedulePresence(room);
    if (room.memberCount === 0) this.callHook('onProjectUnwatched', connection.projectId, () => this.settings.onProjectUnwatched?.(connection.projectId, room));
  }

  /** Presence goes out at most every PRESENCE_INTERVAL_MS per room: a reconnect storm sends one update, not thousands. */
  private schedulePresence(room: Room): void {
    if (this.closing) return;
    this.presenceDue.add(room);
    this.cancelPresence ??= this.settings.scheduler.setTimeout(() => {
      this.cancelPresence = null;
      const due = [...this.presenceDue];
      this.presenceDue.clear();
      for (const dueRoom of due) {
        try {
          if (this.rooms.get(dueRoom.projectId) === dueRoom) dueRoom.broadcastPresence();
        } catch (error) {
          this.settings.onError(error, 'presence');
        }
      }
    }, PRESENCE_INTERVAL_MS);
  }

  private callHook(name: GatewayHooks, projectId: string, call: () => void): void {
    if (this.closing) return;
    try {
      call();
    } catch (error) {
      this.settings.onError(error, `${name}(${projectId})`);
    }
  }

  /** Pings every connection, closes the silent ones, and drops rooms nobody has watched or fed for `roomIdleTimeoutMs`. */
  private checkLiveness(): void {
    for (const connection of [...this.connections]) {
      try {
        connection.checkLiveness();
      } catch (error) {
        this.settings.onError(error, 'heartbeat');
      }
    }
    this.rooms.dropIdle();
  }
}

/** What the synchronous publishes answer on a shared gateway, whose sequencer is a round trip away. */
const SHARED_NEEDS_SUBMIT = {
  ok: false,
  code: 'use-submit',
  reason: 'this gateway shares its projects (Redis): publish with submit()',
} as const;

/** The `project` query parameter of an upgrade URL, validated as a `ProjectId`. */
function projectFromUrl(url: string | undefined): { ok: true; projectId: string } | { ok: false; reason: string } {
  const query = url?.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const projectId = new URLSearchParams(query).get('project');
  if (projectId === null) return { ok: false, reason: 'missing project query parameter' };
  const parsed = ProjectId.safeParse(projectId);
  if (!parsed.success) return { ok: false, reason: `invalid project query parameter: ${parsed.error.issues[0]?.message ?? 'not a project id'}` };
  return { ok: true, projectId: parsed.data };
}

/**
 * A token offered as the subprotocol entry `meshwatch.bearer.<token>`; tokens
 * never travel in the query string, and a browser cannot set headers.
 */
function bearerTokenOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return undefined;
  for (const entry of value.split(',')) {
    const trimmed = entry.trim();
    if (trimmed.startsWith(BEARER_PROTOCOL_PREFIX)) {
      const token = trimmed.slice(BEARER_PROTOCOL_PREFIX.length);
      return token.length > 0 && token.length <= FRAME_LIMITS.maxTokenLength ? token : undefined;
    }
  }
  return undefined;
}
