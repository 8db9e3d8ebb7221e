/** Turns a gateway snapshot into store data, within the store's bounds. */
import type { ChartPoint, MeshEdge, MeshNode, Progress } from '../protocol/mesh.ts';
import type { SnapshotFrame } from '../protocol/frames.ts';
import { seriesByNodeOf, type Bookkeeping } from './apply-batch.ts';
import type { MeshEvent, RealtimeData, StoreLimits, StoredLogLine } from './types.ts';

export function reduceSnapshot(
  state: RealtimeData,
  frame: Pick<SnapshotFrame, 'epoch' | 'seq' | 'state'>,
  book: Bookkeeping,
  limits: StoreLimits,
): Partial<RealtimeData> {
  const { state: snap } = frame;
  book.seriesLru.clear();
  book.logLru.clear();
  book.seriesOwner.clear();
  book.progressLru.clear();

  const nodes: Record<string, MeshNode> = {};
  for (const node of snap.nodes) nodes[node.id] = node;
  const edges: Record<string, MeshEdge> = {};
  for (const edge of snap.edges) edges[edge.id] = edge;
  const progress: Record<string, Progress> = {};
  for (const item of snap.progress.slice(-limits.maxProgress)) {
    progress[item.id] = item;
    book.progressLru.touch(item.id);
  }

  const events: MeshEvent[] = [];
  for (let i = snap.events.length - 1; i >= 0 && events.length < limits.maxEvents; i--) {
    const { ts, message, severity, nodeId } = snap.events[i]!;
    const event: MeshEvent = { id: book.nextId++, ts, message, severity };
    if (nodeId !== undefined) event.nodeId = nodeId;
    events.push(event);
  }

  const charts: Record<string, ChartPoint[]> = {};
  for (const window of snap.series.slice(-limits.maxSeries)) {
    charts[window.series] = window.points.slice(-limits.maxPointsPerSeries);
    book.seriesLru.touch(window.series);
    if (window.nodeId !== undefined) book.seriesOwner.set(window.series, window.nodeId);
  }

  const logs: Record<string, StoredLogLine[]> = {};
  for (const window of snap.logs.slice(-limits.maxLogNodes)) {
    logs[window.nodeId] = window.lines
      .slice(-limits.maxLogLinesPerNode)
      .map((line) => ({ id: book.nextId++, ts: line.ts, level: line.level, text: line.text }));
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
    topologyVersion: state.topologyVersion + 1,
    stream: { ...state.stream, epoch: frame.epoch, lastSeq: frame.seq, snapshots: state.stream.snapshots + 1 },
  };
}
