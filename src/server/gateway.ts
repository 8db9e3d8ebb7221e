/**
 * The WebSocket gateway: `/ws?project=<id>` upgrades, one room per project,
 * per-connection batching, heartbeat and limits, on top of `ws` in `noServer`
 * mode so it can share a port with anything (Vite's dev server, the
 * standalone server in main.ts). Rooms come and go (rooms.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { CLOSE_CODES, closeReason } from '../protocol/close-codes.ts';
import { FRAME_LIMITS, SUBPROTOCOL } from '../protocol/frames.ts';
import { ProjectId } from '../protocol/mesh.ts';
import type { Payload } from '../protocol/messages.ts';
import { Connection, type GatewayCounters } from './connection.ts';
import { noop, pathnameOf, rejectUpgrade } from './http/http-helpers.ts';
import { createOriginPolicy, type OriginPolicy } from './http/origin.ts';
import { withoutUndefined } from './options.ts';
import { ProjectState, type ProjectStateLimits } from './project-state.ts';
import type { PublishAllOutcome, PublishOutcome, Room } from './room.ts';
import { RoomTable, type ProjectCloseCause, type ProjectOpenCause } from './rooms.ts';
import { realScheduler, type Scheduler } from './scheduler.ts';

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
  /** A connection whose unsent data passes this is closed with 4409. Default 8 MiB. */
  maxBufferedBytes?: number;
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
  /** Internal failures (a throwing hook, a bug in a handler); the gateway carries on. Default: `console.error`. */
  onError?: (error: unknown, context: string) => void;
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
  maxBufferedBytes: 8 * 1024 * 1024,
  maxBadMessages: 20,
  maxRooms: 1_000,
  roomIdleTimeoutMs: 10 * 60_000,
  closeTimeoutMs: 2_000,
} as const;

/** Counters since the gateway started, and what it holds now. */
export interface GatewayStats extends GatewayCounters {
  epoch: string;
  connections: number;
  rooms: number;
  /** Rooms dropped, idle or evicted for another project. */
  roomsDropped: number;
  /** Publishes refused (payloads, for an all-or-nothing request): too many projects, a topology cap, or the gateway closing. */
  publishesRefused: number;
  /** Upgrades refused with 403 because they came from another site's page. */
  originsRefused: number;
}

type Settings = Required<Omit<GatewayOptions, GatewayHooks | 'stateLimits' | 'allowedOrigins'>> &
  Pick<GatewayOptions, GatewayHooks | 'stateLimits'>;
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
  private readonly counters: GatewayCounters = {
    framesSent: 0,
    messagesSent: 0,
    snapshotsSent: 0,
    clientMessagesRejected: 0,
    slowConsumersClosed: 0,
  };
  private publishesRefused = 0;
  private originsRefused = 0;
  /** What a project without a room is checked against before one is opened for it. */
  private emptyState: ProjectState | null = null;
  private readonly detachers = new Set<() => void>();
  private readonly stopHeartbeat: () => void;
  /**
   * Set first thing in `close()`: shutting down closes connections, whose
   * hooks must not run (nor publishes, nor upgrades) from then on.
   */
  private closing = false;
  private closed: Promise<void> | null = null;

  constructor(options: GatewayOptions = {}) {
    const { allowedOrigins, ...rest } = options;
    this.settings = {
      ...GATEWAY_DEFAULTS,
      now: Date.now,
      scheduler: realScheduler,
      onError: (error, context) => console.error(`[meshwatch gateway] ${context}:`, error),
      ...withoutUndefined(rest),
    };
    this.originPolicy = createOriginPolicy(allowedOrigins);
    this.epoch = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
    this.rooms = new RoomTable({
      epoch: this.epoch,
      maxRooms: this.settings.maxRooms,
      idleTimeoutMs: this.settings.roomIdleTimeoutMs,
      scheduler: this.settings.scheduler,
      room: { now: this.settings.now, stateLimits: this.settings.stateLimits },
      onOpened: (projectId, room, cause) => this.callHook('onProjectOpened', projectId, () => this.settings.onProjectOpened?.(projectId, room, cause)),
      onClosed: (projectId, room, cause) => this.callHook('onProjectClosed', projectId, () => this.settings.onProjectClosed?.(projectId, room, cause)),
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
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        try {
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
    if (!outcome.ok) this.publishesRefused++;
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
    if (!outcome.ok) this.publishesRefused += payloads.length;
    return outcome;
  }

  /**
   * Starts the project's stream over, if its room holds anything: the state
   * is emptied, seqs begin again at 1 under a new epoch, and every viewer gets
   * the new snapshot (the client's own reaction to a new epoch). Returns
   * whether it did.
   */
  resetProject(projectId: string): boolean {
    const room = this.rooms.get(projectId);
    if (this.closing || !room || room.seq === 0) return false;
    this.rooms.reset(room);
    return true;
  }

  /** The project's room, if it is open. */
  room(projectId: string): Room | undefined {
    return this.rooms.get(projectId);
  }

  /** Counters since start and current sizes, e.g. for `/healthz`. */
  stats(): GatewayStats {
    return {
      epoch: this.epoch,
      connections: this.connections.size,
      rooms: this.rooms.size,
      roomsDropped: this.rooms.dropped,
      ...this.counters,
      publishesRefused: this.publishesRefused,
      originsRefused: this.originsRefused,
    };
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
    for (const detach of [...this.detachers]) detach();
    const closing = [...this.connections];
    const reason = closeReason('gateway shutting down');
    // Each connection terminates a peer that does not answer within closeTimeoutMs, so this settles.
    for (const connection of closing) connection.shutdown(CLOSE_CODES.goingAway, reason);
    await Promise.all(closing.map((connection) => connection.closed));
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private publishUnchecked(projectId: string, payload: Payload): PublishOutcome {
    if (this.closing) return { ok: false, code: 'gateway-closed', reason: 'gateway is shutting down' };
    const room = this.rooms.open(projectId, 'publish');
    if (!room) return this.tooManyProjects();
    const outcome = room.publish(payload);
    if (outcome.ok) this.rooms.touch(room);
    return outcome;
  }

  private publishAllUnchecked(projectId: string, payloads: readonly Payload[], startOver: boolean): PublishAllOutcome {
    if (this.closing) return { ok: false, code: 'gateway-closed', reason: 'gateway is shutting down' };
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
    const room = this.rooms.open(projectId, 'connection');
    if (!room) {
      socket.close(CLOSE_CODES.rateLimited, closeReason('too many projects on this gateway', { retryAfterMs: 60_000 }));
      return;
    }
    const connection: Connection = new Connection(socket, projectId, {
      mode: socket.protocol === SUBPROTOCOL ? 'v1' : 'floor',
      flushIntervalMs: this.settings.flushIntervalMs,
      // A bigger batch would be rejected whole by every client.
      maxBatchMessages: Math.min(this.settings.maxBatchMessages, FRAME_LIMITS.maxBatchMessages),
      maxBufferedBytes: this.settings.maxBufferedBytes,
      maxBadMessages: this.settings.maxBadMessages,
      closeTimeoutMs: this.settings.closeTimeoutMs,
      counters: this.counters,
      now: this.settings.now,
      scheduler: this.settings.scheduler,
      onDetached: (detached) => {
        this.connections.delete(detached);
        if (!room.leave(detached)) return;
        this.rooms.touch(room);
        if (room.memberCount === 0) this.callHook('onProjectUnwatched', projectId, () => this.settings.onProjectUnwatched?.(projectId, room));
      },
      onInternalError: (error) => this.settings.onError(error, `connection to project ${projectId}`),
    });
    this.connections.add(connection);
    if (room.memberCount === 0) this.callHook('onProjectWatched', projectId, () => this.settings.onProjectWatched?.(projectId, room));
    room.join(connection);
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
        connection.checkLiveness(this.settings.idleTimeoutMs);
      } catch (error) {
        this.settings.onError(error, 'heartbeat');
      }
    }
    this.rooms.dropIdle();
  }
}

/** The `project` query parameter of an upgrade URL, validated as a `ProjectId`. */
function projectFromUrl(url: string | undefined): { ok: true; projectId: string } | { ok: false; reason: string } {
  const query = url?.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const projectId = new URLSearchParams(query).get('project');
  if (projectId === null) return { ok: false, reason: 'missing project query parameter' };
  const parsed = ProjectId.safeParse(projectId);
  if (!parsed.success) return { ok: false, reason: `invalid project query parameter: ${parsed.error.issues[0]?.message ?? 'not a project id'}` };
  return { ok: true, projectId: parsed.data };
}
