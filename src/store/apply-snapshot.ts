/** Turns a gateway snapshot into store data, within the store's bounds. */
import type { ChartPoint, MeshEdge, MeshNode, Progress } from '../protocol/mesh.ts';
import type { LogLine, SnapshotFrame } from '../protocol/frames.ts';
import { newEvent, newLogLine, seriesByNodeOf, type Bookkeeping } from './apply-batch.ts';
import { copyRecord, emptyRecord } from './records.ts';
import { historyAfterSnapshot } from './status-history.ts';
import type { MeshEvent, RealtimeData, StoreLimits, StoredLogLine } from './types.ts';

function clearBookkeeping(book: Bookkeeping): void {
  book.seriesLru.clear();
  book.logLru.clear();
  book.seriesOwner.clear();
  book.progressLru.clear();
}

/** `at` is when the snapshot's statuses held (see `snapshotTime`): the time of the history entries it adds. */
export function reduceSnapshot(
  state: RealtimeData,
  frame: Pick<SnapshotFrame, 'epoch' | 'seq' | 'state'>,
  at: number,
  book: Bookkeeping,
  limits: StoreLimits,
): Partial<RealtimeData> {
  const { state: snap } = frame;
  clearBookkeeping(book);

  const nodes = emptyRecord<MeshNode>();
  for (const node of snap.nodes) nodes[node.id] = node;
  const edges = emptyRecord<MeshEdge>();
  for (const edge of snap.edges) edges[edge.id] = edge;
  const progress = emptyRecord<Progress>();
  for (const item of snap.progress.slice(-limits.maxProgress)) {
    progress[item.id] = item;
    book.progressLru.touch(item.id);
  }

  const events: MeshEvent[] = [];
  for (let i = snap.events.length - 1; i >= 0 && events.length < limits.maxEvents; i--) {
    const { ts, message, severity, nodeId } = snap.events[i]!;
    events.push(newEvent(book, ts, message, severity, nodeId));
  }

  const charts = emptyRecord<ChartPoint[]>();
  for (const window of snap.series.slice(-limits.maxSeries)) {
    charts[window.series] = window.points.slice(-limits.maxPointsPerSeries);
    book.seriesLru.touch(window.series);
    if (window.nodeId !== undefined) book.seriesOwner.set(window.series, window.nodeId);
  }

  const logs = emptyRecord<StoredLogLine[]>();
  for (const window of snap.logs.slice(-limits.maxLogNodes)) {
    logs[window.nodeId] = window.lines
      .slice(-limits.maxLogLinesPerNode)
      .map((line) => newLogLine(book, line.ts, line.level, line.text));
    book.logLru.touch(window.nodeId);
  }

  return {
    nodes,
    edges,
    progress,
    events,
    charts,
    logs,
    seriesByNode: seriesByNodeOf(book.seriesOwner),
    statusHistory: historyAfterSnapshot(state.statusHistory, nodes, at, limits.maxStatusHistoryPerNode),
    topologyVersion: state.topologyVersion + 1,
    stream: { ...state.stream, epoch: frame.epoch, lastSeq: frame.seq, snapshots: state.stream.snapshots + 1 },
  };
}

/**
 * Empties the mesh for a stream that starts without a snapshot (the seed-004
 * floor replays its window as upserts): held data would otherwise collect
 * duplicates and keep nodes deleted while offline. The stream's counters stay.
 */
export function reduceMeshReset(state: RealtimeData, book: Bookkeeping): Partial<RealtimeData> {
  clearBookkeeping(book);
  return {
    nodes: emptyRecord(),
    edges: emptyRecord(),
    progress: emptyRecord(),
    events: [],
    charts: emptyRecord(),
    logs: emptyRecord(),
    seriesByNode: emptyRecord(),
    statusHistory: emptyRecord(),
    topologyVersion: state.topologyVersion + 1,
    stream: { ...state.stream, epoch: null, lastSeq: -1 },
  };
}

/**
 * One node's log replaced by the gateway's window for it: what a client gets
 * when it starts streaming a node, resumes a paused stream or changes its
 * filter. Within the same bounds as every log.
 */
export function reduceLogWindow(
  state: RealtimeData,
  nodeId: string,
  lines: readonly LogLine[],
  book: Bookkeeping,
  limits: StoreLimits,
): Partial<RealtimeData> {
  const logs = copyRecord(state.logs);
  logs[nodeId] = lines.slice(-limits.maxLogLinesPerNode).map((line) => newLogLine(book, line.ts, line.level, line.text));
  book.logLru.touch(nodeId);
  // The window may be one node too many: the log written to longest ago goes, as for a live chunk.
  while (book.logLru.size > limits.maxLogNodes) {
    const oldest = book.logLru.oldest();
    if (oldest === undefined) break;
    book.logLru.delete(oldest);
    delete logs[oldest];
  }
  return { logs };
}
