/**
 * The WebSocket gateway: `/ws?project=<id>` upgrades, one room per project,
 * per-connection batching, heartbeat and limits, on top of `ws` in `noServer`
 * mode so it can share a port with anything (Vite's dev server, the
 * standalone server in main.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { FRAME_LIMITS, SUBPROTOCOL } from '../protocol/frames.ts';
import { Id } from '../protocol/mesh.ts';
import type { Payload } from '../protocol/messages.ts';
import { CLOSE_CODES, closeReason } from './close-codes.ts';
import { Connection, type GatewayCounters } from './connection.ts';
import { noop, pathnameOf, rejectUpgrade } from './http/http-helpers.ts';
import type { ProjectStateLimits } from './project-state.ts';
import { Room, type PublishOutcome } from './room.ts';

/** Why a project's room was created: a viewer connected, or a payload was published to it. */
export type ProjectOpenCause = 'connection' | 'publish';

/** Options of `new Gateway(options)`; every one has a default (GATEWAY_DEFAULTS). */
export interface GatewayOptions {
  /** URL path whose upgrades `attach` handles; every other upgrade is left alone. Default `'/ws'`. */
  path?: string;
  /** How long a connection collects deltas before sending them as one frame. Default 100 ms. */
  flushIntervalMs?: number;
  /** A connection's queue is flushed at once when it holds this many envelopes. Default 500; at most `FRAME_LIMITS.maxBatchMessages`. */
  maxBatchMessages?: number;
  /** Every connection is pinged this often. Default 30 000 ms. */
  heartbeatIntervalMs?: number;
  /** A connection with no pong and no message for this long is terminated. Default 60 000 ms. */
  idleTimeoutMs?: number;
  /** Largest frame accepted from a client; `ws` closes with 1009 past it. Default 1 MiB (`FRAME_LIMITS.maxClientFrameBytes`). */
  maxPayloadBytes?: number;
  /** A connection whose unsent data passes this is closed with 4409. Default 8 MiB. */
  maxBufferedBytes?: number;
  /** A connection is closed with 1008 once this many of its frames were rejected. Default 20. */
  maxBadMessages?: number;
  /** Rooms (projects) held at once; a connection to one more is closed with 4429. Default 1 000. */
  maxRooms?: number;
  /** Bounds of each project's state; defaults are PROJECT_STATE_LIMITS. */
  stateLimits?: Partial<ProjectStateLimits>;
  /** How long `close()` waits for clients to acknowledge 1001 before terminating them. Default 2 000 ms. */
  closeTimeoutMs?: number;
  /** Wall-clock milliseconds stamped on envelopes. Default `Date.now`. */
  now?: () => number;
  /** Called once per project, when its room is created and before anyone joins it (e.g. to start a simulator). */
  onProjectOpened?: (projectId: string, room: Room, cause: ProjectOpenCause) => void;
  /** Internal failures (a throwing hook, a bug in a handler); the gateway carries on. Default: `console.error`. */
  onError?: (error: unknown, context: string) => void;
}

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
  closeTimeoutMs: 2_000,
} as const;

/** Counters since the gateway started, and what it holds now. */
export interface GatewayStats extends GatewayCounters {
  epoch: string;
  connections: number;
  rooms: number;
  /** Publishes refused: too many projects, a topology cap, or the gateway closing. */
  publishesRefused: number;
}

type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * The meshwatch gateway. `attach(httpServer)` (or call `handleUpgrade`), then
 * `publish(projectId, payload)`; `close()` on shutdown.
 */
export class Gateway {
  /** This process's stream identity: a reconnecting client that sees a new epoch knows its seqs are void. */
  readonly epoch: string;
  private readonly settings: Required<Omit<GatewayOptions, 'onProjectOpened' | 'stateLimits'>> &
    Pick<GatewayOptions, 'onProjectOpened' | 'stateLimits'>;
  private readonly wss: WebSocketServer;
  private readonly rooms = new Map<string, Room>();
  private readonly connections = new Set<Connection>();
  private readonly counters: GatewayCounters = {
    framesSent: 0,
    messagesSent: 0,
    snapshotsSent: 0,
    clientMessagesRejected: 0,
    slowConsumersClosed: 0,
  };
  private publishesRefused = 0;
  private readonly detachers = new Set<() => void>();
  private readonly heartbeat: NodeJS.Timeout;
  private closing: Promise<void> | null = null;

  constructor(options: GatewayOptions = {}) {
    this.settings = {
      ...GATEWAY_DEFAULTS,
      now: Date.now,
      onError: (error, context) => console.error(`[meshwatch gateway] ${context}:`, error),
      ...withoutUndefined(options),
    };
    this.epoch = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.settings.maxPayloadBytes,
      // The gateway tracks its own connections; ws's set would be a second copy.
      clientTracking: false,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    this.heartbeat = setInterval(() => this.checkLiveness(), this.settings.heartbeatIntervalMs);
    // A gateway never keeps the process alive by itself; its server does.
    this.heartbeat.unref();
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
   * Upgrades one request, whatever its path. A missing, empty or overlong
   * `project` query parameter is answered with HTTP 400, a closing gateway
   * with 503; neither reaches `ws`.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    try {
      if (this.closing) return rejectUpgrade(socket, 503, 'gateway is shutting down');
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

  /** The project's room, if it has been opened. */
  room(projectId: string): Room | undefined {
    return this.rooms.get(projectId);
  }

  /** Counters since start and current sizes, e.g. for `/healthz`. */
  stats(): GatewayStats {
    return {
      epoch: this.epoch,
      connections: this.connections.size,
      rooms: this.rooms.size,
      ...this.counters,
      publishesRefused: this.publishesRefused,
    };
  }

  /**
   * Flushes every pending batch, closes every socket with 1001, stops the
   * heartbeat and detaches from the servers. Clients that do not answer the
   * close within `closeTimeoutMs` are terminated. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const detach of [...this.detachers]) detach();
    const closing = [...this.connections];
    const reason = closeReason('gateway shutting down');
    for (const connection of closing) connection.shutdown(CLOSE_CODES.goingAway, reason);

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<true>((resolve) => {
      timer = setTimeout(() => resolve(true), this.settings.closeTimeoutMs);
    });
    const settled = await Promise.race([Promise.all(closing.map((c) => c.closed)).then(() => false as const), timedOut]);
    clearTimeout(timer);
    if (settled) for (const connection of closing) connection.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private publishUnchecked(projectId: string, payload: Payload): PublishOutcome {
    if (this.closing) return { ok: false, code: 'gateway-closed', reason: 'gateway is shutting down' };
    const room = this.openRoom(projectId, 'publish');
    if (!room) return { ok: false, code: 'too-many-projects', reason: `gateway already holds ${this.settings.maxRooms} projects` };
    return room.publish(payload);
  }

  private accept(socket: WebSocket, projectId: string): void {
    socket.on('error', noop); // until the Connection adds its own; a client may vanish at any time
    if (this.closing) {
      socket.close(CLOSE_CODES.goingAway, closeReason('gateway shutting down'));
      return;
    }
    const room = this.openRoom(projectId, 'connection');
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
      counters: this.counters,
      now: this.settings.now,
      clock: () => performance.now(),
      onDetached: (detached) => {
        room.leave(detached);
        this.connections.delete(detached);
      },
      onInternalError: (error) => this.settings.onError(error, `connection to project ${projectId}`),
    });
    this.connections.add(connection);
    room.join(connection);
    // The snapshot itself may have closed it (too large, or the client already too slow).
    if (!this.connections.has(connection)) room.leave(connection);
  }

  private openRoom(projectId: string, cause: ProjectOpenCause): Room | null {
    const existing = this.rooms.get(projectId);
    if (existing) return existing;
    if (this.rooms.size >= this.settings.maxRooms) return null;
    const room = new Room(projectId, this.epoch, { now: this.settings.now, stateLimits: this.settings.stateLimits });
    this.rooms.set(projectId, room);
    try {
      this.settings.onProjectOpened?.(projectId, room, cause);
    } catch (error) {
      this.settings.onError(error, `onProjectOpened(${projectId})`);
    }
    return room;
  }

  private checkLiveness(): void {
    for (const connection of [...this.connections]) {
      try {
        connection.checkLiveness(this.settings.idleTimeoutMs);
      } catch (error) {
        this.settings.onError(error, 'heartbeat');
      }
    }
  }
}

/** The `project` query parameter of an upgrade URL, validated like every other id. */
export function projectFromUrl(url: string | undefined): { ok: true; projectId: string } | { ok: false; reason: string } {
  const query = url?.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const projectId = new URLSearchParams(query).get('project');
  if (projectId === null) return { ok: false, reason: 'missing project query parameter' };
  if (projectId.trim() === '') return { ok: false, reason: 'empty project query parameter' };
  if (!Id.safeParse(projectId).success) return { ok: false, reason: 'project id must be at most 128 characters' };
  return { ok: true, projectId };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
