/**
 * What travels in one WebSocket frame, in each direction.
 *
 * A client that opens `/ws?project=<id>` with no subprotocol gets the
 * compatible floor: every frame is one {@link Envelope} (seed 004's format plus
 * `seq`), all channels, no handshake. A client that offers the
 * {@link SUBPROTOCOL} negotiates: it sends `hello` (version, the epoch and seq
 * it holds, its channels, maybe a token), the gateway answers `welcome`, then
 * either a `snapshot` or the replay of what the client missed, then `batch`
 * frames, each saying which range of seqs it covers.
 */
import { z } from 'zod';
import { ChartPoint, Id, LIMITS, MeshEdge, MeshNode, Progress, Severity } from './mesh.ts';
import { Envelope } from './messages.ts';

export const PROTOCOL_VERSION = 1;
/** Offered by the browser client as a WebSocket subprotocol to get batched frames. */
export const SUBPROTOCOL = `meshwatch.v${PROTOCOL_VERSION}`;

/**
 * A token may also ride as a second subprotocol entry, `meshwatch.bearer.<jwt>`
 * (a browser cannot set headers on a WebSocket, and the query string ends up
 * in logs). The gateway selects SUBPROTOCOL, never echoes the token.
 */
export const BEARER_PROTOCOL_PREFIX = 'meshwatch.bearer.';

export const FRAME_LIMITS = {
  /** Largest frame the gateway accepts from a client (seed 002: 1 MB). */
  maxClientFrameBytes: 1024 * 1024,
  /**
   * Largest frame a client accepts from the gateway; snapshots are the big
   * ones. The client checks the string's length, a lower bound of its bytes.
   */
  maxServerFrameBytes: 16 * 1024 * 1024,
  /** Most envelopes one batch frame may carry. */
  maxBatchMessages: 10_000,
  maxTokenLength: 8_192,
  /** Channels named in one hello or subscribe message. */
  maxChannels: 300,
  maxLogFilterText: 200,
} as const;

/**
 * What a client can subscribe to. `logs:<nodeId>` streams one node's log;
 * `logs:*` every node's (what floor clients get).
 */
export const BASE_CHANNELS = ['topology', 'stats', 'events', 'progress'] as const;
export type BaseChannel = (typeof BASE_CHANNELS)[number];
export const ALL_LOGS_CHANNEL = 'logs:*';
export const LOGS_CHANNEL_PREFIX = 'logs:';
export const Channel = z.union([
  z.enum(BASE_CHANNELS),
  z.string().startsWith(LOGS_CHANNEL_PREFIX).max(LOGS_CHANNEL_PREFIX.length + LIMITS.idLength).min(LOGS_CHANNEL_PREFIX.length + 1),
]);
export type Channel = z.infer<typeof Channel>;
/** What a v1 client that names no channels gets: everything, like the floor. */
export const ALL_CHANNELS: readonly Channel[] = [...BASE_CHANNELS, ALL_LOGS_CHANNEL];

export function isBaseChannel(channel: string): channel is BaseChannel {
  return (BASE_CHANNELS as readonly string[]).includes(channel);
}

export function logsChannel(nodeId: string): Channel {
  return `${LOGS_CHANNEL_PREFIX}${nodeId}`;
}

/** A log stream's per-connection state (seed 002's pause, resume, filter), applied on the gateway. */
export const LogStreamOptions = z.object({
  /** Lines below this level are not sent. */
  minLevel: Severity.optional(),
  /** Only lines containing this text (case-insensitive) are sent. */
  text: z.string().max(FRAME_LIMITS.maxLogFilterText).optional(),
  paused: z.boolean().optional(),
});
export type LogStreamOptions = z.infer<typeof LogStreamOptions>;

/** Why a client got a snapshot rather than a replay of what it missed. */
export const SNAPSHOT_REASONS = [
  /** The client held nothing (first connect). */
  'new',
  /** The stream the client held is gone: the gateway restarted, or the project started over. */
  'epoch-changed',
  /** The client's last seq is older than the gateway's replay buffer. */
  'gap-too-old',
  /** What the client missed is too much to replay at once (it would pass the slow-consumer limit). */
  'gap-too-large',
  /** The client's last seq is ahead of the stream (it cannot be this stream). */
  'ahead',
  /** The client saw a gap in seqs and asked. */
  'client-requested',
  /** The project started over while the client watched. */
  'reset',
] as const;
export const SnapshotReason = z.enum(SNAPSHOT_REASONS);
export type SnapshotReason = z.infer<typeof SnapshotReason>;

export const EventRecord = z.object({
  ts: z.number(),
  message: z.string().max(LIMITS.messageLength),
  severity: Severity,
  nodeId: Id.optional(),
});
export type EventRecord = z.infer<typeof EventRecord>;

export const LogLine = z.object({
  ts: z.number(),
  level: Severity,
  text: z.string().max(LIMITS.logTextLength),
});
export type LogLine = z.infer<typeof LogLine>;

export const SeriesWindow = z.object({
  series: z.string().min(1).max(LIMITS.idLength),
  nodeId: Id.optional(),
  points: z.array(ChartPoint).max(10_000),
});
export type SeriesWindow = z.infer<typeof SeriesWindow>;

export const LogWindow = z.object({ nodeId: Id, lines: z.array(LogLine).max(10_000) });
export type LogWindow = z.infer<typeof LogWindow>;

/** The project as the gateway holds it at `seq`: topology plus the recent window of everything else. */
export const SnapshotState = z.object({
  nodes: z.array(MeshNode).max(100_000),
  edges: z.array(MeshEdge).max(500_000),
  progress: z.array(Progress).max(10_000),
  /** Oldest first. */
  events: z.array(EventRecord).max(10_000),
  series: z.array(SeriesWindow).max(10_000),
  logs: z.array(LogWindow).max(10_000),
});
export type SnapshotState = z.infer<typeof SnapshotState>;

export const SnapshotFrame = z.object({
  type: z.literal('snapshot'),
  reason: SnapshotReason.optional(),
  /** Identifies the gateway's stream; a new epoch means earlier `seq`s mean nothing. */
  epoch: z.string().min(1).max(64),
  seq: z.number().int().nonnegative(),
  state: SnapshotState,
});
export type SnapshotFrame = z.infer<typeof SnapshotFrame>;

/**
 * A batch's messages are validated one by one, so one bad message costs only
 * itself. `from`..`to` is the range of seqs the batch accounts for: every
 * message in it the connection is subscribed to (and its log filters pass) is
 * in this frame, so a client whose channels skip seqs still sees a gap when
 * `from` is not one past the previous frame's `to`. `coalesced` counts the
 * stats messages the gateway dropped in favour of a later value for the same
 * series or edge, because this connection was reading too slowly.
 */
export const BatchFrameShape = z.object({
  type: z.literal('batch'),
  from: z.number().int().nonnegative().optional(),
  to: z.number().int().nonnegative().optional(),
  coalesced: z.number().int().nonnegative().optional(),
  messages: z.array(z.unknown()).max(FRAME_LIMITS.maxBatchMessages),
});
export type BatchFrame = { type: 'batch'; from?: number; to?: number; coalesced?: number; messages: Envelope[] };

export const Presence = z.object({
  /** Open connections watching the project. */
  connections: z.number().int().nonnegative(),
  /** Signed-in users among them (when auth is on), sorted, at most 100. */
  users: z.array(z.string().max(LIMITS.idLength)).max(100),
});
export type Presence = z.infer<typeof Presence>;

export const WelcomeFrame = z.object({
  type: z.literal('welcome'),
  version: z.number().int(),
  epoch: z.string().min(1).max(64),
  /** The project's latest seq as the client joined. */
  seq: z.number().int().nonnegative(),
  /** `replay`: the frames that follow resume from the client's seq; `snapshot`: a snapshot follows, and `reason` says why. */
  resume: z.enum(['replay', 'snapshot']),
  reason: SnapshotReason.optional(),
  /** How many messages the replay carries (before channel filtering). */
  replayed: z.number().int().nonnegative().optional(),
  heartbeatIntervalMs: z.number().int().positive(),
  idleTimeoutMs: z.number().int().positive(),
  limits: z.object({
    maxFrameBytes: z.number().int().positive(),
    maxMessagesPerSecond: z.number().positive(),
    maxBatchMessages: z.number().int().positive(),
    flushIntervalMs: z.number().nonnegative(),
  }),
  channels: z.array(Channel).max(FRAME_LIMITS.maxChannels + BASE_CHANNELS.length + 1),
  user: z.string().max(LIMITS.idLength).optional(),
  /** When the token expires (ms since the epoch): refresh it before, with an `auth` message. */
  tokenExpiresAt: z.number().nullable().optional(),
  presence: Presence,
});
export type WelcomeFrame = z.infer<typeof WelcomeFrame>;

/** A node's log window at `seq`, replacing what the client holds for it (on subscribe, resume of a paused stream, filter change). */
export const LogsFrame = z.object({
  type: z.literal('logs'),
  nodeId: Id,
  seq: z.number().int().nonnegative(),
  lines: z.array(LogLine).max(10_000),
  options: LogStreamOptions.optional(),
});
export type LogsFrame = z.infer<typeof LogsFrame>;

export const PresenceFrame = Presence.extend({ type: z.literal('presence') });
export type PresenceFrame = z.infer<typeof PresenceFrame>;

export const AuthenticatedFrame = z.object({
  type: z.literal('authenticated'),
  user: z.string().max(LIMITS.idLength),
  tokenExpiresAt: z.number().nullable(),
});
export type AuthenticatedFrame = z.infer<typeof AuthenticatedFrame>;

/**
 * `seq`, when present: every message up to it the connection is subscribed to
 * has been sent. A client whose channels are quiet moves its resume point on
 * with it, so a later resume is a short replay, not a snapshot.
 */
export const PongFrame = z.object({
  type: z.literal('pong'),
  id: z.number().int().optional(),
  ts: z.number(),
  seq: z.number().int().nonnegative().optional(),
});
export type PongFrame = z.infer<typeof PongFrame>;

/** A refused client message: counted on the gateway; the connection closes with 1008 if they persist. */
export const ErrorFrame = z.object({
  type: z.literal('error'),
  code: z.string().max(64),
  message: z.string().max(LIMITS.messageLength),
});
export type ErrorFrame = z.infer<typeof ErrorFrame>;

export type ServerFrame = WelcomeFrame | SnapshotFrame | BatchFrame | LogsFrame | PresenceFrame | AuthenticatedFrame | PongFrame | ErrorFrame;

const Token = z.string().min(1).max(FRAME_LIMITS.maxTokenLength);
/** Every base channel, `logs:*` and `maxChannels` log channels: what a connection can hold. */
const Channels = z.array(Channel).max(FRAME_LIMITS.maxChannels + BASE_CHANNELS.length + 1);

export const HelloMessage = z.object({
  type: z.literal('hello'),
  version: z.number().int(),
  /** The stream the client holds, if any: the gateway replays from `seq` or says why it sends a snapshot. */
  resume: z.object({ epoch: z.string().min(1).max(64), seq: z.number().int().nonnegative() }).optional(),
  /** Default: ALL_CHANNELS. */
  channels: Channels.optional(),
  /** Log stream options by node, for `logs:<nodeId>` channels. */
  logs: z.array(LogStreamOptions.extend({ nodeId: Id })).max(256).optional(),
  /** A token, when not sent as a subprotocol entry. */
  token: Token.optional(),
});
export type HelloMessage = z.infer<typeof HelloMessage>;

/** Client → gateway. Anything else is answered with an `error` frame and counted. */
export const ClientMessage = z.discriminatedUnion('type', [
  HelloMessage,
  z.object({ type: z.literal('ping'), id: z.number().int().optional() }),
  z.object({ type: z.literal('subscribe'), channels: Channels }),
  z.object({ type: z.literal('unsubscribe'), channels: Channels }),
  /** Seed 002's log controls, per node. `filter` replaces the node's filter. */
  z.object({
    type: z.literal('logs'),
    nodeId: Id,
    action: z.enum(['pause', 'resume', 'filter']),
    minLevel: Severity.optional(),
    text: z.string().max(FRAME_LIMITS.maxLogFilterText).optional(),
  }),
  /** The client saw a gap in seqs: it wants a fresh snapshot. */
  z.object({ type: z.literal('resync') }),
  /** A fresh token on a live connection, before the old one expires. */
  z.object({ type: z.literal('auth'), token: Token }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type ClientMessageOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;
