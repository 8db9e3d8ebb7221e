/**
 * The messages a project's stream is made of (seed 004, plus `edge-delete` and
 * `progress`), and the envelope that carries each one.
 */
import { z } from 'zod';
import {
  ChartPoint,
  EdgeStats,
  Id,
  LIMITS,
  MeshEdge,
  MeshNode,
  NodeStatus,
  Progress,
  Severity,
} from './mesh.ts';

export const Payload = z.discriminatedUnion('type', [
  z.object({ type: z.literal('node-upsert'), node: MeshNode }),
  z.object({ type: z.literal('node-status'), id: Id, status: NodeStatus }),
  z.object({ type: z.literal('node-delete'), id: Id }),
  z.object({ type: z.literal('edge-upsert'), edge: MeshEdge }),
  z.object({ type: z.literal('edge-stats'), id: Id, stats: EdgeStats }),
  z.object({ type: z.literal('edge-delete'), id: Id }),
  z.object({
    type: z.literal('event'),
    message: z.string().max(LIMITS.messageLength),
    severity: Severity,
    nodeId: Id.optional(),
  }),
  z.object({
    type: z.literal('log-chunk'),
    nodeId: Id,
    /** One or more lines separated by `\n`. */
    text: z.string().max(LIMITS.logTextLength),
    level: Severity.optional(),
  }),
  z.object({
    type: z.literal('chart-point'),
    series: z.string().min(1).max(LIMITS.idLength),
    value: ChartPoint,
    /** The node a series belongs to; deleting the node drops the series. */
    nodeId: Id.optional(),
  }),
  z.object({ type: z.literal('progress'), progress: Progress }),
]);
export type Payload = z.infer<typeof Payload>;
export type PayloadType = Payload['type'];
export type PayloadOf<T extends PayloadType> = Extract<Payload, { type: T }>;

/**
 * Seed 004's `{ts, data}` plus `seq`, the project's sequence number: one more
 * for each live message. The envelopes that replay a snapshot to a floor
 * client all carry the `seq` the snapshot reflects.
 */
export const Envelope = z.object({
  seq: z.number().int().nonnegative(),
  /** Milliseconds since the Unix epoch, stamped by the gateway. */
  ts: z.number(),
  data: Payload,
});
export type Envelope = z.infer<typeof Envelope>;
