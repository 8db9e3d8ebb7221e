/** The shape of the realtime store: the seed 004 surface plus what the dashboard needs to be honest about its data. */
import type { ChartPoint, MeshEdge, MeshNode, NodeStatus, Progress, Severity } from '../protocol/mesh.ts';
import type { Envelope } from '../protocol/messages.ts';
import type { LogLine, Presence, SnapshotFrame, SnapshotReason } from '../protocol/frames.ts';

/** Hard bounds on everything that grows with time (DESIGN.md, "Store"). */
export const STORE_LIMITS = {
  maxEvents: 2_000,
  maxLogLinesPerNode: 1_000,
  maxPointsPerSeries: 600,
  /** Past this many series, the one updated longest ago is dropped. */
  maxSeries: 256,
  /** Past this many nodes with logs, the logs written to longest ago are dropped. */
  maxLogNodes: 256,
  /** Past this many progress items (runs), the one updated longest ago is dropped. */
  maxProgress: 64,
  /** Status changes kept per node, oldest dropped first. How many nodes have a history follows `nodes`. */
  maxStatusHistoryPerNode: 50,
} as const;
/** Widened from the literal types of {@link STORE_LIMITS} so tests and embedders can pass their own bounds. */
export type StoreLimits = { readonly [K in keyof typeof STORE_LIMITS]: number };

/**
 * `open` is live (the gateway's welcome came); `offline` waits for the
 * browser's network to return; `error` is failed for good, with the reason in
 * `connection.lastError`; `closed` was stopped on purpose.
 */
export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'offline' | 'closed' | 'error';

export interface ConnectionInfo {
  url: string | null;
  /**
   * Failed attempts in a row. It stays for 5 s after a link opens, then
   * goes to 0, so a link that opens and drops at once keeps backing off.
   */
  attempt: number;
  /** Wall-clock time of the next reconnect attempt, while reconnecting. */
  nextRetryAt: number | null;
  lastError: string | null;
  /** Wall-clock time the status last changed. */
  since: number;
}

export interface StreamInfo {
  epoch: string | null;
  /** The `seq` of the newest message applied; -1 before any. */
  lastSeq: number;
  /** Messages applied since the store was created. */
  received: number;
  /** Frames or messages that failed validation and were dropped before reaching the store. */
  rejected: number;
  snapshots: number;
  /** Stats messages the gateway coalesced away because this client read too slowly. */
  coalesced: number;
  /** Gaps in seq the client detected (each answered by a fresh snapshot). */
  gaps: number;
  /** How the client last caught up with the stream, and when. */
  sync: SyncInfo | null;
  /**
   * The received messages the last `applyBatch` (or `applySnapshot`'s messages
   * after the snapshot) applied, and the range of their envelope `ts` (the
   * gateway's publish time): what publish-to-paint latency is measured from.
   * Local edits (`clearNode`, `clearEdge`) and a snapshot alone leave it as it
   * is; null until the first received message.
   */
  lastBatch: BatchInfo | null;
}

export interface BatchInfo {
  /** Messages in the batch. */
  size: number;
  /** The smallest and largest envelope `ts` in the batch (ms since the epoch). */
  oldestTs: number;
  newestTs: number;
}

/** How a (re)connection caught up: the missed messages replayed, or a snapshot and why. */
export interface SyncInfo {
  mode: 'replay' | 'snapshot';
  reason?: SnapshotReason;
  /** Messages replayed. */
  replayed?: number;
  /** Wall-clock ms. */
  at: number;
}

export interface MeshEvent {
  /** Unique within this store; a stable React key. */
  id: number;
  ts: number;
  message: string;
  severity: Severity;
  nodeId?: string;
}

/** A node's status from `ts` on (the envelope's `ts`, or the snapshot's time for a status first seen in one). */
export interface StatusChange {
  ts: number;
  status: NodeStatus;
}

export interface StoredLogLine {
  id: number;
  ts: number;
  level: Severity;
  text: string;
}

export interface RealtimeData {
  status: ConnectionStatus;
  connection: ConnectionInfo;
  stream: StreamInfo;
  nodes: Record<string, MeshNode>;
  /** Edge structure and its latest stats (`edge-stats` replaces `stats`). */
  edges: Record<string, MeshEdge>;
  /** Newest first. */
  events: MeshEvent[];
  /** Oldest point first, at most `maxPointsPerSeries` per series. */
  charts: Record<string, ChartPoint[]>;
  /** Oldest line first, at most `maxLogLinesPerNode` per node. */
  logs: Record<string, StoredLogLine[]>;
  progress: Record<string, Progress>;
  /**
   * Names of the series each node owns (a `chart-point` with `nodeId`).
   * Replaced only when ownership changes, so a node's panel can subscribe to
   * its own list without scanning every series on every frame.
   */
  seriesByNode: Record<string, readonly string[]>;
  /**
   * Each node's status changes, oldest first, at most
   * `maxStatusHistoryPerNode`: one when the node appears, one per change of
   * status. Keys are exactly those of `nodes`. A node's array is replaced
   * only when an entry is added, so a heartbeat that repeats the status keeps
   * it (and the whole record) as it was.
   */
  statusHistory: Record<string, readonly StatusChange[]>;
  /**
   * Bumped only when the graph's structure changes (a node or edge added,
   * removed, relabelled or rewired), never for status or stats. The topology
   * view rebuilds its node and edge lists on this alone.
   */
  topologyVersion: number;
  /** Who else watches the project (v1 gateways); null until the first welcome. */
  presence: Presence | null;
}

export interface RealtimeActions {
  setConnection: (status: ConnectionStatus, info?: Partial<Omit<ConnectionInfo, 'since'>>) => void;
  /** Applies one message (the seed's action); same as `applyBatch([message])`. */
  apply: (message: Envelope) => void;
  /**
   * Applies any number of messages with one store notification. `rejected`
   * adds to the count of dropped messages in the same notification.
   */
  applyBatch: (messages: readonly Envelope[], rejected?: number) => void;
  /**
   * Replaces the mesh with the gateway's snapshot (connection state is kept),
   * then applies the messages that arrived after it: one notification for both.
   */
  applySnapshot: (frame: Pick<SnapshotFrame, 'epoch' | 'seq' | 'state'>, after?: readonly Envelope[], rejected?: number) => void;
  /**
   * Empties the mesh (nodes, edges, events, charts, logs, progress, status history) before a
   * stream that does not start with a snapshot; connection state and counters stay.
   */
  clearMesh: () => void;
  /** Replaces one node's log lines with the gateway's window for it (on subscribe, resume, refilter). */
  applyLogWindow: (nodeId: string, lines: readonly LogLine[]) => void;
  setPresence: (presence: Presence) => void;
  /** Records how the stream caught up (`sync`) and adds to its `coalesced` and `gaps` counters. */
  noteStream: (note: { sync?: SyncInfo; coalesced?: number; gaps?: number }) => void;
  clearNode: (id: string) => void;
  clearEdge: (id: string) => void;
  clearEvents: () => void;
}

export type RealtimeState = RealtimeData & RealtimeActions;
