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
 *
 * Nothing slows the room down for a slow file, so the recorder cannot just
 * write every delta: with an output that stops taking data (a full disk, a
 * pipe nobody reads), the stream would buffer every delta in the gateway's
 * memory. Once the writer is past its high-water mark, deltas are skipped;
 * when it drains, the room's current snapshot is written as a catch-up
 * (catch-up.ts), as a viewer that fell behind gets one. A recording stopped
 * while behind ends with such a catch-up too, so the file ends where the
 * project was. Memory stays at the high-water mark plus one snapshot.
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
  const joined = room;
  /** The writer is past its high-water mark: nothing is written until it drains. */
  let behind = false;
  /** Something was skipped while behind: a snapshot catches the recording up. */
  let skipped = false;
  /** The recording has stopped and asked for its last catch-up. */
  let ending = false;
  const keepUp = (ok: boolean) => {
    if (ok || behind || session.stopped) return;
    behind = true;
    session.onDrain(() => {
      behind = false;
      // Stopped meanwhile: the catch-up at the end (below) covers what was skipped.
      if (!skipped || session.stopped) return;
      skipped = false;
      joined.resync(member); // answered at once, through receiveSnapshot
    });
  };
  const member: RoomMember = {
    user: null,
    receiveJoin(join: RoomJoin) {
      // A member that gives no resume point is always sent a snapshot.
      if (join.plan.kind === 'snapshot') keepUp(session.snapshot(join.plan.snapshot.state(), join.plan.snapshot.seq));
    },
    receiveSnapshot(snapshot: RoomSnapshot, _reason: SnapshotReason) {
      if (ending) return session.finalSnapshot(snapshot.state(), snapshot.seq);
      if (behind) {
        skipped = true;
        return;
      }
      keepUp(session.snapshot(snapshot.state(), snapshot.seq));
    },
    receiveDelta(entry: StreamEntry) {
      if (behind) {
        skipped = true;
        return;
      }
      keepUp(session.deltas([{ seq: entry.seq, ts: entry.ts, data: entry.payload }]));
    },
    receivePresence(_presence: Presence) {},
  };
  joined.join(member);
  try {
    await session.ended;
    if (skipped) {
      ending = true;
      joined.resync(member);
    }
  } finally {
    joined.leave(member);
  }
  return session.finish();
}
