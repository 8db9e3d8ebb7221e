/**
 * A snapshot as recorded payloads. The order and the shapes are the compatible
 * floor's (floor-snapshot.ts), reused so the two cannot drift: nodes, then
 * edges (an edge never before its nodes), progress, events oldest first,
 * chart points, log lines in runs of one level. Unlike a floor client, a
 * recording gets whole windows: every point and every line the gateway holds.
 */
import type { SnapshotState } from '../../protocol/frames.ts';
import type { Envelope } from '../../protocol/messages.ts';
import { floorSnapshotEnvelopes } from '../floor-snapshot.ts';

const WHOLE_WINDOWS = { pointsPerSeries: Infinity, logLinesPerNode: Infinity } as const;

/**
 * Envelopes that rebuild `state`, each stamped `seq`; events keep their own
 * `ts`, log chunks their last line's, everything else gets `ts`.
 */
export function snapshotEnvelopes(seq: number, ts: number, state: SnapshotState): Envelope[] {
  // A parse of what was just serialised: a snapshot is written once per recording (or per reset),
  // and sharing floor-snapshot's code is worth more than the time saved.
  return floorSnapshotEnvelopes(seq, ts, state, WHOLE_WINDOWS).map((text) => JSON.parse(text) as Envelope);
}
