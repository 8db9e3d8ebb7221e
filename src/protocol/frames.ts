/**
 * What travels in one WebSocket frame, in each direction.
 *
 * A client that opens `/ws?project=<id>` with no subprotocol gets the
 * compatible floor: every frame is one {@link Envelope} (seed 004's format plus
 * `seq`). A client that offers the {@link SUBPROTOCOL} gets {@link ServerFrame}s:
 * a snapshot of the project first, then batches of envelopes.
 */
import { z } from 'zod';
import { ChartPoint, Id, LIMITS, MeshEdge, MeshNode, Progress, Severity } from './mesh.ts';
import { Envelope } from './messages.ts';

export const PROTOCOL_VERSION = 1;
/** Offered by the browser client as a WebSocket subprotocol to get batched frames. */
export const SUBPROTOCOL = `meshwatch.v${PROTOCOL_VERSION}`;

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
} as const;

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
  /** Identifies the gateway's stream; a new epoch means earlier `seq`s mean nothing. */
  epoch: z.string().min(1).max(64),
  seq: z.number().int().nonnegative(),
  state: SnapshotState,
});
export type SnapshotFrame = z.infer<typeof SnapshotFrame>;

/** A batch's messages are validated one by one, so one bad message costs only itself. */
export const BatchFrameShape = z.object({
  type: z.literal('batch'),
  messages: z.array(z.unknown()).max(FRAME_LIMITS.maxBatchMessages),
});
export type BatchFrame = { type: 'batch'; messages: Envelope[] };

export const PongFrame = z.object({ type: z.literal('pong'), id: z.number().int().optional(), ts: z.number() });
export type PongFrame = z.infer<typeof PongFrame>;

export const ErrorFrame = z.object({
  type: z.literal('error'),
  code: z.string().max(64),
  message: z.string().max(LIMITS.messageLength),
});
export type ErrorFrame = z.infer<typeof ErrorFrame>;

export type ServerFrame = SnapshotFrame | BatchFrame | PongFrame | ErrorFrame;

/** Client → gateway. Anything else is answered with an `error` frame and counted. */
export const ClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping'), id: z.number().int().optional() }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
