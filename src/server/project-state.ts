/**
 * A project's current state as the gateway holds it: the topology (nodes,
 * edges with their latest stats, progress) plus bounded recent windows of
 * events, series and logs. A joining client gets it as its snapshot.
 *
 * The fold follows the browser store's semantics (src/store/apply-batch.ts),
 * with the rules both take from src/protocol/fold.ts so they cannot drift: an
 * upsert without stats keeps the edge's stats, a log chunk's blank lines carry
 * nothing (a chunk of none changes nothing), a status or stats update for an
 * unknown id is ignored, and deleting a node drops its edges, its logs and the
 * series it owns. Every collection has a cap (PROJECT_STATE_LIMITS).
 */
import { mergeEdgeUpsert, splitLogLines } from '../protocol/fold.ts';
import type { ChartPoint, MeshEdge, MeshNode, Progress } from '../protocol/mesh.ts';
import type { Payload, PayloadOf } from '../protocol/messages.ts';
import type { EventRecord, LogLine, SnapshotState } from '../protocol/frames.ts';
import { assertNever } from '../lib/assert-never.ts';
import { RingBuffer } from './ring-buffer.ts';

/** Bounds of a project's state: everything that grows with time has one. */
export const PROJECT_STATE_LIMITS = {
  /** Events kept for the snapshot, newest wins. */
  maxEvents: 200,
  maxPointsPerSeries: 600,
  /** Past this many series, the one updated longest ago is dropped. */
  maxSeries: 256,
  maxLogLinesPerNode: 100,
  /** Past this many nodes with logs, the logs written to longest ago are dropped. */
  maxLogNodes: 256,
  /**
   * Longer log lines are cut in the snapshot window (live deltas still carry
   * them whole): 256 nodes × 100 lines × 16 KiB would otherwise be 400 MiB.
   */
  maxLogLineChars: 2_000,
  /** Topology caps: past them, a new node or edge is refused rather than stamped. */
  maxNodes: 10_000,
  maxEdges: 50_000,
  /** Progress items (crawl runs, builds) kept; the one updated longest ago goes first. */
  maxProgress: 64,
} as const;
/** PROJECT_STATE_LIMITS, any of which a gateway may override. */
export type ProjectStateLimits = { -readonly [K in keyof typeof PROJECT_STATE_LIMITS]: number };

/** Why a payload was refused; nothing was changed. */
export interface StateRefusal {
  code: 'node-limit' | 'edge-limit';
  reason: string;
}

/** Why a run of payloads was refused, and the first payload that would not fit; nothing was changed. */
export interface BatchRefusal extends StateRefusal {
  index: number;
}

interface SeriesBuffer {
  points: RingBuffer<ChartPoint>;
  nodeId?: string;
}

/** One project's current state; `admit`, then `apply`, each payload; `snapshot` for joiners. */
export class ProjectState {
  readonly limits: ProjectStateLimits;
  private readonly nodes = new Map<string, MeshNode>();
  private readonly edges = new Map<string, MeshEdge>();
  /** node id → ids of the edges that touch it, so deleting a node costs its degree, not the edge count. */
  private readonly edgesByNode = new Map<string, Set<string>>();
  /** Least-recently-updated first, like `series`. */
  private readonly progress = new Map<string, Progress>();
  private readonly events: RingBuffer<EventRecord>;
  /**
   * Kept in least-recently-updated order (see `touch`), so eviction takes the
   * first key. A node's series are found by scanning these (at most
   * `maxSeries`) rather than through an index that owner changes would litter.
   */
  private readonly series = new Map<string, SeriesBuffer>();
  /** Least-recently-written first, like `series`. */
  private readonly logs = new Map<string, RingBuffer<LogLine>>();

  constructor(limits: Partial<ProjectStateLimits> = {}) {
    this.limits = { ...PROJECT_STATE_LIMITS, ...limits };
    this.events = new RingBuffer(this.limits.maxEvents);
  }

  /**
   * The state a `snapshot()` describes, exactly: each collection in the same
   * order (so LRU evictions happen as they would have), within `limits`. How
   * a gateway that joins a shared project (Redis) starts from another's
   * snapshot instead of the whole history.
   */
  static fromSnapshot(state: SnapshotState, limits: Partial<ProjectStateLimits> = {}): ProjectState {
    const restored = new ProjectState(limits);
    for (const node of state.nodes) restored.nodes.set(node.id, node);
    for (const edge of state.edges) restored.upsertEdge(edge);
    for (const progress of state.progress) restored.progress.set(progress.id, progress);
    for (const event of state.events) restored.events.push(event);
    for (const window of state.series) {
      const buffer: SeriesBuffer = { points: new RingBuffer(restored.limits.maxPointsPerSeries) };
      if (window.nodeId !== undefined) buffer.nodeId = window.nodeId;
      for (const point of window.points) buffer.points.push(point);
      restored.series.set(window.series, buffer);
    }
    for (const { nodeId, lines } of state.logs) {
      const buffer = new RingBuffer<LogLine>(restored.limits.maxLogLinesPerNode);
      for (const line of lines) buffer.push(line);
      restored.logs.set(nodeId, buffer);
    }
    return restored;
  }

  /** Whether `apply` would accept the payload; checked before a `seq` is spent on it. */
  admit(payload: Payload): StateRefusal | null {
    if (payload.type === 'node-upsert' && !this.nodes.has(payload.node.id) && this.nodes.size >= this.limits.maxNodes) {
      return { code: 'node-limit', reason: `project already has ${this.limits.maxNodes} nodes` };
    }
    if (payload.type === 'edge-upsert' && !this.edges.has(payload.edge.id) && this.edges.size >= this.limits.maxEdges) {
      return { code: 'edge-limit', reason: `project already has ${this.limits.maxEdges} edges` };
    }
    return null;
  }

  /**
   * Whether `apply`, payload by payload, would accept every one of `payloads`:
   * a dry run of `admit` over the whole run, counting the nodes and edges the
   * run itself adds. Deletes in the run are not credited, so a run that
   * removes and adds at the cap may be refused although it would just fit;
   * the other way round it is never wrong (what is present is always within
   * what was there plus what the run upserts).
   */
  admitAll(payloads: readonly Payload[]): BatchRefusal | null {
    const newNodes = new Set<string>();
    const newEdges = new Set<string>();
    for (let index = 0; index < payloads.length; index++) {
      const payload = payloads[index]!;
      if (payload.type === 'node-upsert') {
        const { id } = payload.node;
        if (this.nodes.has(id) || newNodes.has(id)) continue;
        if (this.nodes.size + newNodes.size >= this.limits.maxNodes) {
          return { code: 'node-limit', reason: `project would pass ${this.limits.maxNodes} nodes`, index };
        }
        newNodes.add(id);
      } else if (payload.type === 'edge-upsert') {
        const { id } = payload.edge;
        if (this.edges.has(id) || newEdges.has(id)) continue;
        if (this.edges.size + newEdges.size >= this.limits.maxEdges) {
          return { code: 'edge-limit', reason: `project would pass ${this.limits.maxEdges} edges`, index };
        }
        newEdges.add(id);
      }
    }
    return null;
  }

  /**
   * `apply` when `admit` allows it; a payload past a topology cap changes
   * nothing. How a shared stream, stamped before any gateway could check it
   * against its state, is folded: every gateway folding the same sequence
   * decides alike.
   */
  applyAdmitted(payload: Payload, ts: number): void {
    if (!this.admit(payload)) this.apply(payload, ts);
  }

  /** Folds one payload stamped at `ts`. Call `admit` first: past the topology caps this would exceed them. */
  apply(payload: Payload, ts: number): void {
    switch (payload.type) {
      case 'node-upsert':
        this.nodes.set(payload.node.id, payload.node);
        break;
      case 'node-status': {
        const node = this.nodes.get(payload.id);
        if (node && node.status !== payload.status) this.nodes.set(payload.id, { ...node, status: payload.status });
        break;
      }
      case 'node-delete':
        this.deleteNode(payload.id);
        break;
      case 'edge-upsert':
        this.upsertEdge(payload.edge);
        break;
      case 'edge-stats': {
        const edge = this.edges.get(payload.id);
        if (edge) this.edges.set(payload.id, { ...edge, stats: payload.stats });
        break;
      }
      case 'edge-delete':
        this.deleteEdge(payload.id);
        break;
      case 'event': {
        const event: EventRecord = { ts, message: payload.message, severity: payload.severity };
        if (payload.nodeId !== undefined) event.nodeId = payload.nodeId;
        this.events.push(event);
        break;
      }
      case 'log-chunk':
        this.appendLogs(payload, ts);
        break;
      case 'chart-point':
        this.appendPoint(payload);
        break;
      case 'progress':
        touch(this.progress, payload.progress.id, payload.progress);
        if (this.progress.size > this.limits.maxProgress) this.progress.delete(oldestKey(this.progress)!);
        break;
      default:
        assertNever(payload);
    }
  }

  /** The project as it stands, within the limits; windows are oldest first. */
  snapshot(): SnapshotState {
    const series: SnapshotState['series'] = [];
    // Least recently updated first: the browser store rebuilds its own LRU from this order.
    for (const [name, buffer] of this.series) {
      const window: SnapshotState['series'][number] = { series: name, points: buffer.points.toArray() };
      if (buffer.nodeId !== undefined) window.nodeId = buffer.nodeId;
      series.push(window);
    }
    const logs: SnapshotState['logs'] = [];
    for (const [nodeId, lines] of this.logs) logs.push({ nodeId, lines: lines.toArray() });
    return {
      nodes: [...this.nodes.values()],
      edges: [...this.edges.values()],
      progress: [...this.progress.values()],
      events: this.events.toArray(),
      series,
      logs,
    };
  }

  /** One node's log window, oldest first; empty when it has none. */
  logWindow(nodeId: string): LogLine[] {
    return this.logs.get(nodeId)?.toArray() ?? [];
  }

  logNodeIds(): string[] {
    return [...this.logs.keys()];
  }

  /** Sizes of every collection, for stats and for the tests that prove the bounds. */
  counts(): { nodes: number; edges: number; progress: number; events: number; series: number; logNodes: number } {
    return {
      nodes: this.nodes.size,
      edges: this.edges.size,
      progress: this.progress.size,
      events: this.events.size,
      series: this.series.size,
      logNodes: this.logs.size,
    };
  }

  private upsertEdge(edge: MeshEdge): void {
    const before = this.edges.get(edge.id);
    if (before && (before.source !== edge.source || before.target !== edge.target)) this.unlinkEdge(before);
    this.edges.set(edge.id, mergeEdgeUpsert(before, edge));
    this.link(edge.source, edge.id);
    this.link(edge.target, edge.id);
  }

  private deleteEdge(id: string): void {
    const edge = this.edges.get(id);
    if (!edge) return;
    this.edges.delete(id);
    this.unlinkEdge(edge);
  }

  private deleteNode(id: string): void {
    this.nodes.delete(id);
    const edgeIds = this.edgesByNode.get(id);
    if (edgeIds) for (const edgeId of [...edgeIds]) this.deleteEdge(edgeId);
    this.edgesByNode.delete(id);
    this.logs.delete(id);
    // Deleting from a Map while iterating it is safe: entries not yet visited are still visited.
    for (const [name, buffer] of this.series) if (buffer.nodeId === id) this.series.delete(name);
  }

  private link(nodeId: string, edgeId: string): void {
    let ids = this.edgesByNode.get(nodeId);
    if (!ids) this.edgesByNode.set(nodeId, (ids = new Set()));
    ids.add(edgeId);
  }

  private unlinkEdge(edge: MeshEdge): void {
    for (const nodeId of [edge.source, edge.target]) {
      const ids = this.edgesByNode.get(nodeId);
      if (!ids) continue;
      ids.delete(edge.id);
      if (ids.size === 0) this.edgesByNode.delete(nodeId);
    }
  }

  private appendPoint(payload: PayloadOf<'chart-point'>): void {
    let buffer = this.series.get(payload.series);
    if (!buffer) {
      if (this.series.size >= this.limits.maxSeries) {
        const oldest = oldestKey(this.series);
        if (oldest !== undefined) this.series.delete(oldest);
      }
      buffer = { points: new RingBuffer(this.limits.maxPointsPerSeries) };
    }
    touch(this.series, payload.series, buffer);
    if (payload.nodeId !== undefined) buffer.nodeId = payload.nodeId;
    buffer.points.push(payload.value);
  }

  private appendLogs(payload: PayloadOf<'log-chunk'>, ts: number): void {
    const lines = splitLogLines(payload.text);
    // An empty chunk must not take a log slot, or a stream of them could evict every real log.
    if (lines.length === 0) return;
    let buffer = this.logs.get(payload.nodeId);
    if (!buffer) {
      if (this.logs.size >= this.limits.maxLogNodes) {
        const oldest = oldestKey(this.logs);
        if (oldest !== undefined) this.logs.delete(oldest);
      }
      buffer = new RingBuffer(this.limits.maxLogLinesPerNode);
    }
    touch(this.logs, payload.nodeId, buffer);
    const level = payload.level ?? 'info';
    const max = this.limits.maxLogLineChars;
    for (const text of lines) {
      buffer.push({ ts, level, text: text.length > max ? `${text.slice(0, max - 1)}…` : text });
    }
  }
}

/** Re-inserting moves a key to the end of a Map, so the first key is always the least recently touched. */
function touch<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
}

function oldestKey(map: Map<string, unknown>): string | undefined {
  for (const key of map.keys()) return key;
  return undefined;
}
