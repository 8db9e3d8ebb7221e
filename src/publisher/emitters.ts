/**
 * One typed method per payload type, in the spirit of seed 003's
 * EventBroadcaster (`fileChanged(file, event)` rather than
 * `emit('files', {...})`), plus the names seed 000's emitters had
 * (`emitServiceStatus`, `emitBuildProgress`, `emitLogStream`,
 * `emitDockerStats`, `emitDeployProgress`), so code written against either
 * reads the same here. Each method builds a payload and hands it to `send`,
 * which validates it (a TypeError at once when it is bad) and queues it.
 */
import type { ChartPoint, EdgeStats, MeshEdge, MeshNode, NodeStatus, Progress, Severity } from '../protocol/mesh.ts';
import { LIMITS, PROGRESS_STATUSES } from '../protocol/mesh.ts';
import type { Payload } from '../protocol/messages.ts';
import { DockerStatsPoints, type DockerStats } from './docker-stats.ts';

export type ProgressStatus = (typeof PROGRESS_STATUSES)[number];

/** The typed methods of a publisher. Each validates at once and throws a TypeError on bad input; none waits for the network. */
export interface Emitters {
  /** Adds a node or replaces it whole. */
  upsertNode(node: MeshNode): void;
  /** Changes a node's status only. */
  setStatus(id: string, status: NodeStatus): void;
  /** Seed 000's name for `setStatus`. */
  emitServiceStatus(id: string, status: NodeStatus): void;
  /** Removes a node, with its logs, its series and the edges that touch it. */
  deleteNode(id: string): void;
  /** Adds an edge or replaces it whole. */
  upsertEdge(edge: MeshEdge): void;
  /** Changes an edge's live numbers only. */
  edgeStats(id: string, stats: EdgeStats): void;
  deleteEdge(id: string): void;
  /** An entry of the event feed, optionally about one node. */
  event(message: string, severity: Severity, nodeId?: string): void;
  /** One or more log lines (separated by `\n`, at most 16 KiB) of a node. */
  log(nodeId: string, text: string, level?: Severity): void;
  /** Seed 000's name for `log`. */
  emitLogStream(nodeId: string, text: string, level?: Severity): void;
  /** A point of a chart series: a value now, or `{t, y}` at a time of its own (ms since the epoch). */
  point(series: string, value: number | ChartPoint, nodeId?: string): void;
  /** A run's state as a whole (see `Progress`); `emitBuildProgress` and `emitDeployProgress` build one from steps. */
  progress(progress: Progress): void;
  /**
   * Build `id` at `step` of `total`: progress id `build:<id>`, label
   * `Build <id> · <stage>`, percent from the steps, status `complete` at the
   * last step and `running` before it unless given (e.g. `failed`).
   */
  emitBuildProgress(id: string, step: number, total: number, stage?: string, status?: ProgressStatus): void;
  /** As `emitBuildProgress`, for deploy `id` (progress id `deploy:<id>`, label `Deploy <id> · <stage>`). */
  emitDeployProgress(id: string, step: number, total: number, stage?: string, status?: ProgressStatus): void;
  /**
   * A container's stats as chart points of the node's `<nodeId>:docker/…`
   * series (see docker-stats.ts for the names and units); network counters
   * become rates from the second report on.
   */
  emitDockerStats(nodeId: string, stats: DockerStats): void;
  /** Any payload or payloads, as they are; an array is checked whole before any of it is queued. */
  publish(payload: Payload | readonly Payload[]): void;
}

/** The runs the step helpers describe: each has its own progress ids, so a build and a deploy of one service are two bars. */
export const STEP_RUNS = {
  build: { idPrefix: 'build:', name: 'Build' },
  deploy: { idPrefix: 'deploy:', name: 'Deploy' },
} as const;

/** Run `id` of `kind` at `step` of `total`, as a `Progress` (unvalidated: `send` checks it). */
export function stepProgress(
  kind: keyof typeof STEP_RUNS,
  id: string,
  step: number,
  total: number,
  stage?: string,
  status?: ProgressStatus,
): Progress {
  const run = STEP_RUNS[kind];
  const label = stage === undefined || stage === '' ? `${run.name} ${id}` : `${run.name} ${id} · ${stage}`;
  return {
    id: `${run.idPrefix}${id}`,
    // Ours to shorten, unlike a label the caller wrote whole: cut rather than refuse.
    label: label.length > LIMITS.labelLength ? `${label.slice(0, LIMITS.labelLength - 1)}…` : label,
    percent: Math.round((step / total) * 1_000) / 10,
    status: status ?? (step >= total ? 'complete' : 'running'),
    step,
    steps: total,
  };
}

/** The typed methods, each building payloads for `send` (which validates and queues them, or throws). */
export function createEmitters(send: (payloads: readonly unknown[]) => void, now: () => number): Emitters {
  const docker = new DockerStatsPoints();
  const one = (payload: unknown) => send([payload]);
  const setStatus = (id: string, status: NodeStatus) => one({ type: 'node-status', id, status });
  const log = (nodeId: string, text: string, level?: Severity) =>
    one(level === undefined ? { type: 'log-chunk', nodeId, text } : { type: 'log-chunk', nodeId, text, level });
  const withNode = <T extends object>(payload: T, nodeId: string | undefined) => (nodeId === undefined ? payload : { ...payload, nodeId });

  return {
    upsertNode: (node) => one({ type: 'node-upsert', node }),
    setStatus,
    emitServiceStatus: setStatus,
    deleteNode: (id) => {
      one({ type: 'node-delete', id });
      docker.forget(id);
    },
    upsertEdge: (edge) => one({ type: 'edge-upsert', edge }),
    edgeStats: (id, stats) => one({ type: 'edge-stats', id, stats }),
    deleteEdge: (id) => one({ type: 'edge-delete', id }),
    event: (message, severity, nodeId) => one(withNode({ type: 'event', message, severity }, nodeId)),
    log,
    emitLogStream: log,
    point: (series, value, nodeId) =>
      one(withNode({ type: 'chart-point', series, value: typeof value === 'number' ? { t: now(), y: value } : value }, nodeId)),
    progress: (progress) => one({ type: 'progress', progress }),
    emitBuildProgress: (id, step, total, stage, status) => one({ type: 'progress', progress: stepProgress('build', id, step, total, stage, status) }),
    emitDeployProgress: (id, step, total, stage, status) => one({ type: 'progress', progress: stepProgress('deploy', id, step, total, stage, status) }),
    emitDockerStats: (nodeId, stats) => {
      const report = docker.report(nodeId, stats, now());
      send(report.points);
      report.remember(); // only now: a report `send` threw on was never published
    },
    publish: (payload) => send(Array.isArray(payload) ? payload : [payload]),
  };
}
