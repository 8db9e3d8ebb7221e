/**
 * Folds a batch of messages into the store's data.
 *
 * Shaped for speed: immutability is per batch, not per message. Each touched
 * collection (and each touched series or log buffer) is copied once, on first
 * touch, then mutated in place for the rest of the batch; untouched
 * collections keep their identity so narrow selectors do not fire.
 */
import type { ChartPoint, MeshEdge, MeshNode, Progress, Severity } from '../protocol/mesh.ts';
import type { Envelope } from '../protocol/messages.ts';
import { mergeEdgeUpsert, splitLogLines } from '../protocol/fold.ts';
import { assertNever } from '../lib/assert-never.ts';
import type { LruKeys } from '../lib/lru-keys.ts';
import { copyRecord, emptyRecord, type Dict } from './records.ts';
import { StatusHistoryDraft } from './status-history.ts';
import type { MeshEvent, RealtimeData, StoreLimits, StoredLogLine } from './types.ts';

/** Per-store bookkeeping that views never read, kept outside the reactive state. */
export interface Bookkeeping {
  seriesLru: LruKeys;
  logLru: LruKeys;
  progressLru: LruKeys;
  /** series name → owning node id, for series that named one. */
  seriesOwner: Map<string, string>;
  nextId: number;
}

/** What a batch adds to the stream's counters; a local edit adds nothing. */
export interface BatchCounts {
  received: number;
  rejected: number;
}

/** A feed entry, numbered by the store; `nodeId` is set only when present, however the event arrived. */
export function newEvent(book: Bookkeeping, ts: number, message: string, severity: Severity, nodeId: string | undefined): MeshEvent {
  const event: MeshEvent = { id: book.nextId++, ts, message, severity };
  if (nodeId !== undefined) event.nodeId = nodeId;
  return event;
}

export function newLogLine(book: Bookkeeping, ts: number, level: Severity, text: string): StoredLogLine {
  return { id: book.nextId++, ts, level, text };
}

function isStructuralNodeChange(before: MeshNode | undefined, after: MeshNode): boolean {
  return !before || before.label !== after.label || before.kind !== after.kind || before.group !== after.group;
}

function isStructuralEdgeChange(before: MeshEdge | undefined, after: MeshEdge): boolean {
  return !before || before.source !== after.source || before.target !== after.target || before.label !== after.label;
}

export function reduceBatch(
  state: RealtimeData,
  messages: readonly Envelope[],
  book: Bookkeeping,
  limits: StoreLimits,
  counts: BatchCounts,
): Partial<RealtimeData> {
  let nodes: Dict<MeshNode> | null = null;
  let edges: Dict<MeshEdge> | null = null;
  let charts: Dict<ChartPoint[]> | null = null;
  let logs: Dict<StoredLogLine[]> | null = null;
  let progress: Dict<Progress> | null = null;
  // Buffers already copied in this batch, safe to mutate.
  const ownSeries = new Set<string>();
  const ownLogs = new Set<string>();
  const newEvents: MeshEvent[] = [];
  let structural = false;
  let ownershipChanged = false;
  let lastSeq = state.stream.lastSeq;
  const history = new StatusHistoryDraft(state.statusHistory, limits.maxStatusHistoryPerNode);
  let oldestTs = Infinity;
  let newestTs = -Infinity;
  // Edges touching deleted nodes go in one pass at the end, not one scan per
  // delete. To match message-by-message application, an edge goes only if an
  // endpoint was deleted after the edge's last upsert in this batch.
  const deletedAt = new Map<string, number>();
  const upsertedAt = new Map<string, number>();
  let position = 0;
  /** An edge still in the record but already gone as far as messages after its endpoint's deletion are concerned. */
  const isDoomed = (edge: MeshEdge) =>
    deletedAt.size > 0 &&
    Math.max(deletedAt.get(edge.source) ?? 0, deletedAt.get(edge.target) ?? 0) > (upsertedAt.get(edge.id) ?? 0);

  const writableNodes = () => (nodes ??= copyRecord(state.nodes));
  const writableEdges = () => (edges ??= copyRecord(state.edges));
  const writableCharts = () => (charts ??= copyRecord(state.charts));
  const writableLogs = () => (logs ??= copyRecord(state.logs));

  const dropSeries = (series: string) => {
    const all = writableCharts();
    delete all[series];
    ownSeries.delete(series);
    book.seriesLru.delete(series);
    if (book.seriesOwner.delete(series)) ownershipChanged = true;
  };
  const dropLogs = (nodeId: string) => {
    if (!((logs ?? state.logs)[nodeId])) return;
    delete writableLogs()[nodeId];
    ownLogs.delete(nodeId);
    book.logLru.delete(nodeId);
  };
  const deleteEdge = (id: string) => {
    if (!((edges ?? state.edges)[id])) return;
    delete writableEdges()[id];
    structural = true;
  };

  for (const message of messages) {
    position++;
    if (message.seq > lastSeq) lastSeq = message.seq;
    if (message.ts < oldestTs) oldestTs = message.ts;
    if (message.ts > newestTs) newestTs = message.ts;
    const data = message.data;
    switch (data.type) {
      case 'node-upsert': {
        const all = writableNodes();
        const before = all[data.node.id];
        if (isStructuralNodeChange(before, data.node)) structural = true;
        if (before?.status !== data.node.status) history.append(data.node.id, message.ts, data.node.status);
        all[data.node.id] = data.node;
        break;
      }
      case 'node-status': {
        const current = (nodes ?? state.nodes)[data.id];
        if (current && current.status !== data.status) {
          writableNodes()[data.id] = { ...current, status: data.status };
          history.append(data.id, message.ts, data.status);
        }
        break;
      }
      case 'node-delete': {
        const id = data.id;
        if ((nodes ?? state.nodes)[id]) {
          delete writableNodes()[id];
          structural = true;
        }
        deletedAt.set(id, position);
        history.drop(id);
        dropLogs(id);
        for (const [series, owner] of book.seriesOwner) if (owner === id) dropSeries(series);
        break;
      }
      case 'edge-upsert': {
        const all = writableEdges();
        const existing = all[data.edge.id];
        const before = existing && !isDoomed(existing) ? existing : undefined;
        if (isStructuralEdgeChange(before, data.edge)) structural = true;
        all[data.edge.id] = mergeEdgeUpsert(before, data.edge);
        upsertedAt.set(data.edge.id, position);
        break;
      }
      case 'edge-stats': {
        const current = (edges ?? state.edges)[data.id];
        if (current && !isDoomed(current)) writableEdges()[data.id] = { ...current, stats: data.stats };
        break;
      }
      case 'edge-delete':
        deleteEdge(data.id);
        break;
      case 'event':
        newEvents.push(newEvent(book, message.ts, data.message, data.severity, data.nodeId));
        break;
      case 'log-chunk': {
        const lines = splitLogLines(data.text);
        // An empty chunk must not take one of the bounded log slots.
        if (lines.length === 0) break;
        const all = writableLogs();
        let buffer = all[data.nodeId];
        if (!ownLogs.has(data.nodeId)) {
          if (!buffer && book.logLru.size >= limits.maxLogNodes) {
            const oldest = book.logLru.oldest();
            if (oldest !== undefined) dropLogs(oldest);
          }
          buffer = buffer ? buffer.slice() : [];
          all[data.nodeId] = buffer;
          ownLogs.add(data.nodeId);
        }
        book.logLru.touch(data.nodeId);
        const level = data.level ?? 'info';
        for (const text of lines) buffer!.push(newLogLine(book, message.ts, level, text));
        // Trimming waits for the end of the batch, but a batch of large chunks
        // must not hold thousands of lines per node meanwhile: trim at 2× the cap.
        if (buffer!.length > 2 * limits.maxLogLinesPerNode) {
          buffer!.splice(0, buffer!.length - limits.maxLogLinesPerNode);
        }
        break;
      }
      case 'chart-point': {
        const all = writableCharts();
        let points = all[data.series];
        if (!ownSeries.has(data.series)) {
          if (!points && book.seriesLru.size >= limits.maxSeries) {
            const oldest = book.seriesLru.oldest();
            if (oldest !== undefined) dropSeries(oldest);
          }
          points = points ? points.slice() : [];
          all[data.series] = points;
          ownSeries.add(data.series);
        }
        book.seriesLru.touch(data.series);
        if (data.nodeId !== undefined && book.seriesOwner.get(data.series) !== data.nodeId) {
          book.seriesOwner.set(data.series, data.nodeId);
          ownershipChanged = true;
        }
        points!.push(data.value);
        break;
      }
      case 'progress': {
        const all = (progress ??= copyRecord(state.progress));
        if (!all[data.progress.id] && book.progressLru.size >= limits.maxProgress) {
          const oldest = book.progressLru.oldest();
          if (oldest !== undefined) {
            delete all[oldest];
            book.progressLru.delete(oldest);
          }
        }
        all[data.progress.id] = data.progress;
        book.progressLru.touch(data.progress.id);
        break;
      }
      default:
        assertNever(data);
    }
  }

  if (deletedAt.size > 0) {
    for (const edge of Object.values(edges ?? state.edges)) if (isDoomed(edge)) deleteEdge(edge.id);
  }

  // Trim each copied buffer once, at the end of the batch.
  for (const series of ownSeries) {
    const points = charts![series]!;
    if (points.length > limits.maxPointsPerSeries) points.splice(0, points.length - limits.maxPointsPerSeries);
  }
  for (const nodeId of ownLogs) {
    const lines = logs![nodeId]!;
    if (lines.length > limits.maxLogLinesPerNode) lines.splice(0, lines.length - limits.maxLogLinesPerNode);
  }

  const patch: Partial<RealtimeData> = {};
  if (lastSeq !== state.stream.lastSeq || counts.received > 0 || counts.rejected > 0) {
    const { stream } = state;
    // Only received messages say when the gateway published; a local edit's `ts` is the local clock.
    const lastBatch = counts.received > 0 && messages.length > 0 ? { size: messages.length, oldestTs, newestTs } : stream.lastBatch;
    patch.stream = {
      ...stream,
      lastSeq,
      received: stream.received + counts.received,
      rejected: stream.rejected + counts.rejected,
      lastBatch,
    };
  }
  if (nodes) patch.nodes = nodes;
  if (edges) patch.edges = edges;
  if (charts) patch.charts = charts;
  if (logs) patch.logs = logs;
  if (progress) patch.progress = progress;
  const statusHistory = history.finish();
  if (statusHistory) patch.statusHistory = statusHistory;
  if (structural) patch.topologyVersion = state.topologyVersion + 1;
  if (ownershipChanged) patch.seriesByNode = seriesByNodeOf(book.seriesOwner);
  if (newEvents.length > 0) patch.events = prependNewest(state.events, newEvents, limits.maxEvents);
  return patch;
}

/** `added` is oldest first; the result is newest first and at most `max` long. */
function prependNewest(existing: MeshEvent[], added: MeshEvent[], max: number): MeshEvent[] {
  const fresh = added.length > max ? added.slice(added.length - max) : added.slice();
  fresh.reverse();
  const keep = Math.min(existing.length, max - fresh.length);
  for (let i = 0; i < keep; i++) fresh.push(existing[i]!);
  return fresh;
}

/** The reactive view of series ownership, in the order series were first owned; rebuilt (at most 256 entries) only when ownership changes. */
export function seriesByNodeOf(owners: ReadonlyMap<string, string>): Dict<readonly string[]> {
  const byNode = emptyRecord<string[]>();
  for (const [series, nodeId] of owners) (byNode[nodeId] ??= []).push(series);
  return byNode;
}
