import { describe, expect, it } from 'vitest';
import type { Envelope, Payload } from '../../src/protocol/messages.ts';
import { encodeSnapshotFrameFromParts } from '../../src/protocol/codec.ts';
import { SnapshotFrame, type Presence, type SnapshotReason } from '../../src/protocol/frames.ts';
import { Room, type RoomJoin, type RoomMember, type RoomSnapshot } from '../../src/server/room.ts';
import type { StreamEntry } from '../../src/server/stream/stream-entry.ts';

class RecordingMember implements RoomMember {
  readonly joins: RoomJoin[] = [];
  readonly snapshots: RoomSnapshot[] = [];
  readonly reasons: SnapshotReason[] = [];
  readonly deltas: Array<{ entry: StreamEntry; serialised: string; envelope: Envelope }> = [];
  readonly presences: Presence[] = [];
  constructor(readonly user: string | null = null) {}
  get snapshot(): RoomSnapshot | undefined {
    return this.snapshots[0];
  }
  receiveJoin(join: RoomJoin): void {
    this.joins.push(join);
    if (join.plan.kind === 'snapshot') this.receiveSnapshot(join.plan.snapshot, join.plan.reason);
    else for (const entry of join.plan.entries) this.receiveDelta(entry);
  }
  receiveSnapshot(snapshot: RoomSnapshot, reason: SnapshotReason): void {
    // Built now, as a connection would: the room's state moves on after this call.
    snapshot.state();
    this.snapshots.push(snapshot);
    this.reasons.push(reason);
  }
  receiveDelta(entry: StreamEntry): void {
    this.deltas.push({ entry, serialised: entry.serialised, envelope: JSON.parse(entry.serialised) as Envelope });
  }
  receivePresence(presence: Presence): void {
    this.presences.push(presence);
  }
}

/** The v1 snapshot frame a connection would build from the shared parts. */
const v1Frame = (snapshot: RoomSnapshot, reason?: SnapshotReason) => encodeSnapshotFrameFromParts(snapshot.epoch, snapshot.seq, snapshot.parts(), reason);

const event = (message: string): Payload => ({ type: 'event', message, severity: 'info' });

function newRoom(limits = {}, replayLimits = {}) {
  let clock = 1_000;
  return new Room('p', 'epoch-1', { now: () => clock++, stateLimits: limits, replayLimits });
}

describe('room', () => {
  it('stamps contiguous seqs from 1, with the injected clock', () => {
    // Moved by hand: the room reads its clock for more than stamping (the replay buffer's age limit).
    let clock = 1_000;
    const room = new Room('p', 'epoch-1', { now: () => clock });
    expect(room.seq).toBe(0);
    const stamped = ['a', 'b', 'c'].map((message) => {
      const outcome = room.publish(event(message));
      clock++;
      return outcome;
    });
    expect(stamped.map((o) => (o.ok ? [o.envelope.seq, o.envelope.ts] : null))).toEqual([[1, 1_000], [2, 1_001], [3, 1_002]]);
    expect(room.seq).toBe(3);
  });

  it('gives a joining member the snapshot at the current seq, then only later deltas', () => {
    const room = newRoom();
    room.publish({ type: 'node-upsert', node: { id: 'a', label: 'A', kind: 'svc', status: 'healthy' } });
    room.publish(event('before'));
    const member = new RecordingMember();
    expect(room.join(member)).toBe('snapshot');
    room.publish(event('after'));
    expect(member.joins).toHaveLength(1);
    expect(member.joins[0]).toMatchObject({ epoch: 'epoch-1', seq: 2, plan: { kind: 'snapshot', reason: 'new' } });
    expect(member.reasons).toEqual(['new']);
    expect(member.snapshot!.seq).toBe(2);
    expect(member.snapshot!.state().nodes.map((n) => n.id)).toEqual(['a']);
    expect(member.deltas.map((d) => d.envelope.seq)).toEqual([3]);
  });

  it('serialises each envelope once and hands every member the same string', () => {
    const room = newRoom();
    const members = [new RecordingMember(), new RecordingMember(), new RecordingMember()];
    members.forEach((m) => room.join(m));
    room.publish(event('shared'));
    const strings = members.map((m) => m.deltas[0]!.serialised);
    expect(new Set(strings).size).toBe(1);
    expect(new Set(members.map((m) => m.deltas[0]!.entry)).size).toBe(1);
    const { envelope } = members[0]!.deltas[0]!;
    expect(JSON.parse(strings[0]!)).toEqual({ seq: 1, ts: envelope.ts, data: event('shared') });
  });

  it('stops sending to a member that left', () => {
    const room = newRoom();
    const member = new RecordingMember();
    room.join(member);
    expect(room.leave(member)).toBe(true);
    expect(room.leave(member)).toBe(false);
    room.publish(event('x'));
    expect(member.deltas).toEqual([]);
    expect(room.memberCount).toBe(0);
  });

  it('builds a valid v1 snapshot frame, shared by joins at the same seq', () => {
    const room = newRoom();
    room.publish(event('x'));
    const first = new RecordingMember();
    const second = new RecordingMember();
    room.join(first);
    room.join(second);
    const parts = first.snapshot!.parts();
    expect(second.snapshot!.parts()).toBe(parts);
    const parsed = SnapshotFrame.parse(JSON.parse(v1Frame(first.snapshot!, 'new')));
    expect(parsed).toMatchObject({ type: 'snapshot', reason: 'new', epoch: 'epoch-1', seq: 1 });
    expect(parsed.state).toEqual(first.snapshot!.state());
    room.publish(event('y'));
    const third = new RecordingMember();
    room.join(third);
    expect(third.snapshot!.parts()).not.toBe(parts);
    expect(SnapshotFrame.parse(JSON.parse(v1Frame(third.snapshot!))).seq).toBe(2);
  });

  it('builds the floor snapshot once per seq, shared by floor joins', () => {
    const room = newRoom();
    room.publish({ type: 'node-upsert', node: { id: 'a', label: 'A', kind: 'svc', status: 'healthy' } });
    const [first, second] = [new RecordingMember(), new RecordingMember()];
    room.join(first);
    room.join(second);
    const envelopes = first.snapshot!.floorEnvelopes();
    expect(envelopes.map((text) => JSON.parse(text))).toEqual([
      { seq: 1, ts: expect.any(Number), data: { type: 'node-upsert', node: { id: 'a', label: 'A', kind: 'svc', status: 'healthy' } } },
    ]);
    expect(second.snapshot!.floorEnvelopes()).toBe(envelopes);
    room.publish(event('y'));
    const third = new RecordingMember();
    room.join(third);
    expect(third.snapshot!.floorEnvelopes()).not.toBe(envelopes);
    expect(third.snapshot!.floorEnvelopes()).toHaveLength(2);
  });

  it('starts over under a new epoch: nothing kept, seqs from 1, and a new snapshot for every member', () => {
    const room = newRoom();
    const member = new RecordingMember();
    room.join(member);
    room.publish({ type: 'node-upsert', node: { id: 'ghost', label: 'G', kind: 'svc', status: 'healthy' } });
    room.publish(event('before'));
    room.reset('epoch-2');
    expect([room.epoch, room.seq, room.state.counts().nodes]).toEqual(['epoch-2', 0, 0]);
    expect(member.snapshots.map((s) => [s.epoch, s.seq, s.state().nodes.length, s.state().events.length])).toEqual([
      ['epoch-1', 0, 0, 0],
      ['epoch-2', 0, 0, 0],
    ]);
    expect(member.reasons).toEqual(['new', 'reset']);
    expect(SnapshotFrame.parse(JSON.parse(v1Frame(member.snapshots[1]!, 'reset')))).toMatchObject({ reason: 'reset', epoch: 'epoch-2', seq: 0 });
    expect(room.replaySize).toBe(0);
    room.publish(event('after'));
    expect(member.deltas.map((d) => d.envelope.seq)).toEqual([1, 2, 1]);
    const newcomer = new RecordingMember();
    room.join(newcomer);
    expect(newcomer.snapshot).toMatchObject({ epoch: 'epoch-2', seq: 1 });
    expect(newcomer.snapshot!.state().events.map((e) => e.message)).toEqual(['after']);
  });

  it('publishes a run of payloads whole, or none of it when one would pass a cap', () => {
    const room = newRoom({ maxNodes: 2 });
    const member = new RecordingMember();
    room.join(member);
    const nodeUpsert = (id: string): Payload => ({ type: 'node-upsert', node: { id, label: id, kind: 'svc', status: 'healthy' } });
    expect(room.publishAll([nodeUpsert('a'), event('between')])).toEqual({ ok: true, count: 2, seq: 2 });
    const refused = room.publishAll([event('first'), nodeUpsert('b'), nodeUpsert('c')]);
    expect(refused).toMatchObject({ ok: false, code: 'node-limit', index: 2 });
    expect(room.seq).toBe(2);
    expect(room.state.counts().nodes).toBe(1);
    expect(member.deltas.map((d) => d.envelope.seq)).toEqual([1, 2]);
  });

  it('keeps a member whose snapshot made it leave out of the room', () => {
    const room = newRoom();
    const leaving: RoomMember = {
      user: null,
      // A connection closed as too slow by its catching up leaves from inside `receiveJoin`.
      receiveJoin: () => void room.leave(leaving),
      receiveSnapshot: () => {
        throw new Error('a member that left got a snapshot');
      },
      receiveDelta: () => {
        throw new Error('a member that left got a delta');
      },
      receivePresence: () => {
        throw new Error('a member that left was told who is watching');
      },
    };
    room.join(leaving);
    expect(room.memberCount).toBe(0);
    room.publish(event('x'));
    room.broadcastPresence();
    room.reset('epoch-2');
  });

  it('refuses a payload past a topology cap without spending a seq', () => {
    const room = newRoom({ maxNodes: 1 });
    const member = new RecordingMember();
    room.join(member);
    room.publish({ type: 'node-upsert', node: { id: 'a', label: 'A', kind: 'svc', status: 'healthy' } });
    const refused = room.publish({ type: 'node-upsert', node: { id: 'b', label: 'B', kind: 'svc', status: 'healthy' } });
    expect(refused).toMatchObject({ ok: false, code: 'node-limit' });
    room.publish(event('next'));
    expect(member.deltas.map((d) => d.envelope.seq)).toEqual([1, 2]);
  });

  describe('a member that resumes', () => {
    it('gets what it missed from the replay buffer when it holds this stream', () => {
      const room = newRoom();
      for (const message of ['a', 'b', 'c', 'd']) room.publish(event(message));
      const member = new RecordingMember();
      expect(room.join(member, { epoch: 'epoch-1', seq: 2 })).toBe('replay');
      expect(member.joins[0]).toMatchObject({ epoch: 'epoch-1', seq: 4, plan: { kind: 'replay' } });
      expect(member.snapshots).toEqual([]);
      room.publish(event('e'));
      expect(member.deltas.map((d) => d.envelope.seq)).toEqual([3, 4, 5]);
      expect(member.deltas.map((d) => (d.envelope.data as { message: string }).message)).toEqual(['c', 'd', 'e']);
    });

    it('gets an empty replay when it already holds the latest seq', () => {
      const room = newRoom();
      room.publish(event('a'));
      const member = new RecordingMember();
      expect(room.join(member, { epoch: 'epoch-1', seq: 1 })).toBe('replay');
      expect(member.joins[0]!.plan).toEqual({ kind: 'replay', entries: [] });
    });

    it.each([
      ['epoch-changed', 'another stream', { epoch: 'epoch-0', seq: 1 }],
      ['ahead', 'a seq past the stream', { epoch: 'epoch-1', seq: 9 }],
      ['gap-too-old', 'a seq older than the replay buffer', { epoch: 'epoch-1', seq: 1 }],
    ] as const)('gets a snapshot saying %s when it holds %s', (reason, _why, resume) => {
      const room = newRoom({}, { maxEntries: 3 });
      for (const message of ['a', 'b', 'c', 'd', 'e']) room.publish(event(message));
      const member = new RecordingMember();
      expect(room.join(member, resume)).toBe('snapshot');
      expect(member.joins[0]).toMatchObject({ epoch: 'epoch-1', seq: 5, plan: { kind: 'snapshot', reason } });
      expect(member.reasons).toEqual([reason]);
      expect(member.snapshot!.seq).toBe(5);
      expect(member.deltas).toEqual([]);
    });
  });

  it('holds at most replayLimits.maxEntries messages for resuming members', () => {
    const room = newRoom({}, { maxEntries: 3 });
    for (let i = 0; i < 10; i++) room.publish(event(`m${i}`));
    expect(room.replaySize).toBe(3);
    const member = new RecordingMember();
    expect(room.join(member, { epoch: 'epoch-1', seq: 7 })).toBe('replay');
    expect(member.deltas.map((d) => d.envelope.seq)).toEqual([8, 9, 10]);
  });

  it('sends a fresh snapshot to a member that asks for it, and to no one else', () => {
    const room = newRoom();
    const member = new RecordingMember();
    const other = new RecordingMember();
    room.join(member);
    room.join(other);
    room.publish(event('a'));
    room.resync(member);
    expect(member.reasons).toEqual(['new', 'client-requested']);
    expect(member.snapshots[1]!.seq).toBe(1);
    expect(other.reasons).toEqual(['new']);
    const stranger = new RecordingMember();
    room.resync(stranger);
    expect(stranger.snapshots).toEqual([]);
  });

  it('says who is watching: every member, and the signed-in users among them once each, sorted', () => {
    const room = newRoom();
    const members = [new RecordingMember('zoe'), new RecordingMember(null), new RecordingMember('ann'), new RecordingMember('zoe')];
    for (const member of members) room.join(member);
    expect(members[0]!.joins[0]!.presence).toEqual({ connections: 1, users: ['zoe'] });
    expect(members[3]!.joins[0]!.presence).toEqual({ connections: 4, users: ['ann', 'zoe'] });
    room.leave(members[2]!);
    expect(room.presence()).toEqual({ connections: 3, users: ['zoe'] });
    room.broadcastPresence();
    for (const member of [members[0]!, members[1]!, members[3]!]) expect(member.presences).toEqual([{ connections: 3, users: ['zoe'] }]);
    expect(members[2]!.presences).toEqual([]);
  });

  it('names at most 100 users in presence, while counting every connection', () => {
    const room = newRoom();
    for (let i = 0; i < 150; i++) room.join(new RecordingMember(`user-${String(i).padStart(3, '0')}`));
    const presence = room.presence();
    expect(presence.connections).toBe(150);
    expect(presence.users).toHaveLength(100);
    expect(presence.users[0]).toBe('user-000');
  });
});
