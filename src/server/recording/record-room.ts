/**
 * Records a project from inside the gateway process: the recorder joins the
 * project's room as a member, like a connection, and gets the snapshot and
 * every delta synchronously, with nothing batched, coalesced or filtered on
 * the way. For `meshwatch start --record`-style use; a remote gateway needs
 * `recordProject`.
 *
 * It is not a viewer: joining a room directly runs none of the gateway's
 * viewer hooks (a simulated gateway starts no simulation for it), though the
 * member counts in the presence viewers see and keeps the room from being
 * dropped as idle.
 */
import type { Presence, SnapshotReason } from '../../protocol/frames.ts';
import type { Gateway } from '../gateway.ts';
import { publishRun, type PublishAllTarget } from './gateway-sink.ts';
import type { RoomJoin, RoomMember, RoomSnapshot } from '../room.ts';
import type { StreamEntry } from '../stream/stream-entry.ts';
import { realClock, type RecordingClock } from './clock.ts';
import { RecordingSession, type RecordLimits, type RecordResult } from './session.ts';
import type { RecordingOutput } from './writer.ts';

export interface RecordRoomOptions extends RecordLimits {
  clock?: RecordingClock;
}

/**
 * Records `projectId` on `gateway` (opening its room if nobody has watched
 * or fed it yet) until `signal` aborts, `maxDurationMs` passes or
 * `maxMessages` are written; resolves once the file is closed.
 */
export async function recordRoom(
  gateway: Pick<Gateway, 'room' | 'epoch'> & PublishAllTarget,
  projectId: string,
  out: RecordingOutput,
  options: RecordRoomOptions = {},
): Promise<RecordResult> {
  let room = gateway.room(projectId);
  if (!room) {
    // An empty publish opens the room (as a publisher's first message would) without adding anything to it.
    const opened = await publishRun(gateway, projectId, []);
    if (!opened.ok) throw new Error(`cannot record project ${projectId}: ${opened.reason}`);
    room = gateway.room(projectId);
    if (!room) throw new Error(`cannot record project ${projectId}: its room did not open`);
  }
  const session = new RecordingSession(out, { project: projectId, source: `gateway ${gateway.epoch}, project ${projectId}` }, options, options.clock ?? realClock);
  const member: RoomMember = {
    user: null,
    receiveJoin(join: RoomJoin) {
      // A member that gives no resume point is always sent a snapshot.
      if (join.plan.kind === 'snapshot') session.snapshot(join.plan.snapshot.state(), join.plan.snapshot.seq);
    },
    receiveSnapshot(snapshot: RoomSnapshot, _reason: SnapshotReason) {
      session.snapshot(snapshot.state(), snapshot.seq);
    },
    receiveDelta(entry: StreamEntry) {
      session.deltas([{ seq: entry.seq, ts: entry.ts, data: entry.payload }]);
    },
    receivePresence(_presence: Presence) {},
  };
  const joined = room;
  joined.join(member);
  try {
    await session.ended;
  } finally {
    joined.leave(member);
  }
  return session.finish();
}
