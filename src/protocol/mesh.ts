/**
 * The mesh's vocabulary: nodes, edges and their live numbers, as schemas with
 * the types inferred from them. Every string and number has a bound, so a
 * hostile publisher cannot make one message cost more than a few kilobytes.
 */
import { z } from 'zod';

export const LIMITS = {
  idLength: 128,
  labelLength: 200,
  messageLength: 2_000,
  logTextLength: 16_384,
  metaEntries: 32,
} as const;

// zod 4's z.number() already rejects NaN and ±Infinity.
const finite = z.number();
const nonNegative = finite.nonnegative();

export const Id = z.string().min(1).max(LIMITS.idLength);

/** A project as named in `/ws?project=<id>` and `/api/projects/<id>/publish`. */
export const ProjectId = Id.refine((id) => id.trim() !== '', 'project id must not be blank');
/** The project the app opens without `?project=`, and the one the gateway names at start-up. */
export const DEFAULT_PROJECT = 'demo';

export const NODE_STATUSES = ['healthy', 'degraded', 'down', 'starting', 'unknown'] as const;
export const NodeStatus = z.enum(NODE_STATUSES);
export type NodeStatus = z.infer<typeof NodeStatus>;

export const SEVERITIES = ['debug', 'info', 'warn', 'error'] as const;
/** Severity of an event and level of a log line share one scale. */
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

export const MeshNode = z.object({
  id: Id,
  label: z.string().max(LIMITS.labelLength),
  /** Free-form role such as `frontier`, `fetcher` or `postgres`; views pick an icon by it. */
  kind: z.string().min(1).max(64),
  status: NodeStatus,
  /** Nodes of one pool (e.g. all fetchers) share a group. */
  group: z.string().max(64).optional(),
  meta: z
    .record(z.string().max(64), z.union([z.string().max(500), finite]))
    .refine((m) => Object.keys(m).length <= LIMITS.metaEntries, 'too many meta entries')
    .optional(),
});
export type MeshNode = z.infer<typeof MeshNode>;

/** What flows along an edge: throughput, error ratio and tail latency. */
export const EdgeStats = z.object({
  rps: nonNegative,
  errorRate: nonNegative.max(1),
  p95Ms: nonNegative,
});
export type EdgeStats = z.infer<typeof EdgeStats>;

export const MeshEdge = z.object({
  id: Id,
  source: Id,
  target: Id,
  label: z.string().max(LIMITS.labelLength).optional(),
  stats: EdgeStats.optional(),
});
export type MeshEdge = z.infer<typeof MeshEdge>;

export const ChartPoint = z.object({ t: finite, y: finite });
export type ChartPoint = z.infer<typeof ChartPoint>;

export const PROGRESS_STATUSES = ['running', 'complete', 'failed'] as const;
/** A build, deploy or crawl run that advances in steps (seed 000's progress events). */
export const Progress = z.object({
  id: Id,
  label: z.string().max(LIMITS.labelLength),
  percent: nonNegative.max(100),
  status: z.enum(PROGRESS_STATUSES),
  step: z.number().int().nonnegative().optional(),
  steps: z.number().int().positive().optional(),
});
export type Progress = z.infer<typeof Progress>;
