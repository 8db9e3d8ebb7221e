/**
 * What a recording needs when a later snapshot arrives (the project started
 * over, or the recorder saw a gap and asked for one): a replay holds what the
 * recording has written so far, and there is no payload that says "forget
 * everything". So the recording says what it can, honestly:
 *
 * - nodes and edges that vanished get `node-delete` / `edge-delete` (which
 *   also drops a deleted node's logs and series);
 * - every node, edge and progress item of the snapshot is written again
 *   (upserts are idempotent);
 * - of the windows (events, chart points, log lines) only what the recording
 *   does not have yet is written, so a resync does not show every point twice.
 *
 * What cannot be said: events, series without a node and progress items
 * from before a reset stay in the replay, where a live viewer lost them.
 */
import type { EventRecord, LogLine, SnapshotState } from '../../protocol/frames.ts';
import type { ChartPoint } from '../../protocol/mesh.ts';
import type { Payload } from '../../protocol/messages.ts';

export interface CatchUp {
  /** Deletes for what vanished, to write first. */
  deletes: Payload[];
  /** The snapshot with its windows cut down to what is new; write it as a snapshot (snapshotEnvelopes). */
  state: SnapshotState;
}

/** `written` is the project as the recording has left it (a ProjectState fed every line written); `next` the new snapshot. */
export function catchUp(written: SnapshotState, next: SnapshotState): CatchUp {
  const deletes: Payload[] = [];
  const nextEdges = new Set(next.edges.map((edge) => edge.id));
  const nextNodes = new Set(next.nodes.map((node) => node.id));
  for (const edge of written.edges) if (!nextEdges.has(edge.id)) deletes.push({ type: 'edge-delete', id: edge.id });
  for (const node of written.nodes) if (!nextNodes.has(node.id)) deletes.push({ type: 'node-delete', id: node.id });

  const writtenSeries = new Map(written.series.map((window) => [window.series, window.points]));
  const writtenLogs = new Map(written.logs.map((window) => [window.nodeId, window.lines]));
  const series = next.series
    .map((window) => ({ ...window, points: newTail(writtenSeries.get(window.series) ?? [], window.points, samePoint) }))
    .filter((window) => window.points.length > 0);
  const logs = next.logs
    .map((window) => ({ ...window, lines: newTail(writtenLogs.get(window.nodeId) ?? [], window.lines, sameLine) }))
    .filter((window) => window.lines.length > 0);
  return {
    deletes,
    state: { nodes: next.nodes, edges: next.edges, progress: next.progress, events: newTail(written.events, next.events, sameEvent), series, logs },
  };
}

/**
 * The part of `next` (a window: the newest items of a stream) that comes
 * after what `have` (an older window of the same stream) already holds: the
 * items of `next` after its longest prefix that is a suffix of `have`.
 */
export function newTail<T>(have: readonly T[], next: readonly T[], same: (a: T, b: T) => boolean): T[] {
  for (let k = Math.min(have.length, next.length); k > 0; k--) {
    const offset = have.length - k;
    let i = 0;
    while (i < k && same(have[offset + i]!, next[i]!)) i++;
    if (i === k) return next.slice(k);
  }
  return [...next];
}

const samePoint = (a: ChartPoint, b: ChartPoint) => a.t === b.t && a.y === b.y;
/** Not by `ts`: lines the recording wrote from a snapshot carry their chunk's time, not each line's. */
const sameLine = (a: LogLine, b: LogLine) => a.level === b.level && a.text === b.text;
const sameEvent = (a: EventRecord, b: EventRecord) =>
  a.ts === b.ts && a.message === b.message && a.severity === b.severity && a.nodeId === b.nodeId;
