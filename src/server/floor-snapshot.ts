/**
 * The snapshot for a compatible-floor client (DESIGN.md): a client that only
 * knows seed 004's one-message-per-frame format cannot read a `snapshot`
 * frame, so it gets the project as a run of ordinary envelopes, all stamped
 * with the snapshot's seq, that its `apply(message)` folds like live traffic.
 */
import type { SnapshotState } from '../protocol/frames.ts';
import type { Envelope, Payload } from '../protocol/messages.ts';
import { LIMITS, type Severity } from '../protocol/mesh.ts';
import { encodeEnvelope } from '../protocol/codec.ts';

/** How much history a floor client gets on join. */
export const FLOOR_SNAPSHOT_LIMITS = {
  /** Seed 004 appends points one by one; a minute at one per second draws a chart without a flood. */
  pointsPerSeries: 60,
  logLinesPerNode: 20,
} as const;

/**
 * Serialised envelopes that rebuild `state` on a seed-004 client: nodes, then
 * edges (so an edge never arrives before its nodes), progress, events oldest
 * first, recent chart points and recent log lines.
 */
export function floorSnapshotEnvelopes(
  seq: number,
  ts: number,
  state: SnapshotState,
  limits: { pointsPerSeries: number; logLinesPerNode: number } = FLOOR_SNAPSHOT_LIMITS,
): string[] {
  const out: string[] = [];
  const push = (data: Payload, at = ts) => out.push(encodeEnvelope({ seq, ts: at, data } satisfies Envelope));

  for (const node of state.nodes) push({ type: 'node-upsert', node });
  for (const edge of state.edges) push({ type: 'edge-upsert', edge });
  for (const progress of state.progress) push({ type: 'progress', progress });
  for (const event of state.events) {
    const data: Payload = { type: 'event', message: event.message, severity: event.severity };
    if (event.nodeId !== undefined) data.nodeId = event.nodeId;
    // The event's own time: seed 004 shows `message.ts` in the feed.
    push(data, event.ts);
  }
  for (const window of state.series) {
    for (const value of window.points.slice(-limits.pointsPerSeries)) {
      const data: Payload = { type: 'chart-point', series: window.series, value };
      if (window.nodeId !== undefined) data.nodeId = window.nodeId;
      push(data);
    }
  }
  for (const window of state.logs) {
    // One chunk per run of lines at the same level, as a publisher would have sent them.
    let run: string[] = [];
    let runChars = 0;
    let level: Severity | undefined;
    let at = ts;
    const flushRun = () => {
      if (run.length > 0 && level !== undefined) push({ type: 'log-chunk', nodeId: window.nodeId, text: run.join('\n'), level }, at);
      run = [];
      runChars = 0;
    };
    for (const line of window.lines.slice(-limits.logLinesPerNode)) {
      // A chunk must stay within the schema's text limit, or a validating client would drop it.
      if (line.level !== level || runChars + line.text.length + 1 > LIMITS.logTextLength) {
        flushRun();
        level = line.level;
      }
      run.push(line.text);
      runChars += line.text.length + 1;
      at = line.ts;
    }
    flushRun();
  }
  return out;
}
