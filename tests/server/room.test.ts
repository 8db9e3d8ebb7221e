import { describe, expect, it } from 'vitest';
import type { Envelope, Payload } from '../../src/protocol/messages.ts';
import { SnapshotFrame } from '../../src/protocol/frames.ts';
import { Room, type RoomMember, type RoomSnapshot } from '../../src/server/room.ts';

class RecordingMember implements RoomMember {
  readonly snapshots: RoomSnapshot[] = [];
  readonly deltas: Array<{ serialised: string; envelope: Envelope }> = [];
  get snapshot(): RoomSnapshot | undefined {
    return this.snapshots[0];
  }
  receiveSnapshot(snapshot: RoomSnapshot): void {
    // Built now, as a connection would: the room's state moves on after this call.
    snapshot.state();
    this.snapshots.push(snapshot);
  }
  receiveDelta(serialised: string): void {
    this.deltas.push({ serialised, envelope: JSON.parse(serialised) as Envelope });
  }
}

const event = (message: string): Payload => ({ type: 'event', message, severity: 'info' });

function newRoom(limits = {}) {
  let clock = 1_000;
  return new Room('p', 'epoch-1', { now: () => clock++, stateLimits: limits });
}

describe('room', () => {
  it('stamps contiguous seqs from 1, with the injected clock', () => {
    const room = newRoom();
    expect(room.seq).toBe(0);
    const stamped = [room.publish(event('a')), room.publish(event('b')), room.publish(event('c'))];
    expect(stamped.map((o) => (o.ok ? [o.envelope.seq, o.envelope.ts] : null))).toEqual([[1, 1_000], [2, 1_001], [3, 1_002]]);
    expect(room.seq).toBe(3);
  });

  it('gives a joining member the snapshot at the current seq, then only later deltas', () => {
    const room = newRoom();
    room.publish({ type: 'node-upsert', node: { id: 'a', label: 'A', kind: 'svc', status: 'healthy' } });
    room.publish(event('before'));
    const member = new RecordingMember();
    room.join(member);
    room.publish(event('after'));
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
    const frame = first.snapshot!.frame();
    expect(second.snapshot!.frame()).toBe(frame);
    const parsed = SnapshotFrame.parse(JSON.parse(frame));
    expect(parsed).toMatchObject({ type: 'snapshot', epoch: 'epoch-1', seq: 1 });
    room.publish(event('y'));
    const third = new RecordingMember();
    room.join(third);
    expect(SnapshotFrame.parse(JSON.parse(third.snapshot!.frame())).seq).toBe(2);
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
    expect(SnapshotFrame.parse(JSON.parse(member.snapshots[1]!.frame()))).toMatchObject({ epoch: 'epoch-2', seq: 0 });
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
      receiveSnapshot: () => void room.leave(leaving),
      receiveDelta: () => {
        throw new Error('a member that left got a delta');
      },
    };
    room.join(leaving);
    expect(room.memberCount).toBe(0);
    room.publish(event('x'));
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
});
