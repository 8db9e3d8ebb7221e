/**
 * One room per project: it stamps each published payload with the project's
 * next `seq`, folds it into the project's state, serialises it once and hands
 * the same string to every member connection.
 *
 * Node runs this single-threaded, so a join (membership, and the snapshot at
 * the current `seq`) cannot interleave with a publish: a member sees every seq
 * after its snapshot exactly once.
 */
import type { SnapshotState } from '../protocol/frames.ts';
import type { Envelope, Payload } from '../protocol/messages.ts';
import { encodeEnvelope, encodeSnapshotFrame } from '../protocol/codec.ts';
import { floorSnapshotEnvelopes } from './floor-snapshot.ts';
import { ProjectState, type ProjectStateLimits, type StateRefusal } from './project-state.ts';

/** What a room needs from a connection. */
export interface RoomMember {
  /**
   * Called synchronously on join, before any delta, and again when the room
   * starts over (`reset`): a snapshot supersedes every delta before it.
   */
  receiveSnapshot(snapshot: RoomSnapshot): void;
  /** An encoded envelope, the same string for every member: never re-stringify it. */
  receiveDelta(serialised: string): void;
}

/**
 * The project at one `seq`. Each form is built on first use and shared by
 * every join at that seq, so a burst of joins costs one build.
 */
export interface RoomSnapshot {
  readonly epoch: string;
  /** The last `seq` the state includes; 0 before any delta. */
  readonly seq: number;
  state(): SnapshotState;
  /** `encodeSnapshotFrame(epoch, seq, state())`, for v1 clients. */
  frame(): string;
  /** `floorSnapshotEnvelopes(seq, ts, state())`, for floor clients: one frame each. */
  floorEnvelopes(): readonly string[];
}

/** What became of a publish: the stamped envelope, or why nothing was stamped. */
export type PublishOutcome =
  | { ok: true; envelope: Envelope }
  | { ok: false; code: PublishRefusalCode; reason: string };

/** What became of an all-or-nothing publish: every payload stamped, or none and why. */
export type PublishAllOutcome =
  | { ok: true; /** How many payloads were stamped. */ count: number; /** The seq of the last one. */ seq: number }
  | { ok: false; code: PublishRefusalCode; reason: string; /** The first payload past a topology cap. */ index?: number };

/** Why a publish was refused: a topology cap, no room for one more project, or a closing gateway. */
export type PublishRefusalCode = StateRefusal['code'] | 'too-many-projects' | 'gateway-closed';

/** What a room needs from its gateway. */
export interface RoomOptions {
  /** Milliseconds since the Unix epoch; stamps each envelope's `ts`. */
  now: () => number;
  stateLimits?: Partial<ProjectStateLimits>;
}

/** A project's stream: its seq, its state and its member connections. */
export class Room {
  private projectState: ProjectState;
  private streamEpoch: string;
  private lastSeq = 0;
  private readonly members = new Set<RoomMember>();
  private readonly options: RoomOptions;
  /** Snapshot of the latest seq, reused by every join until the next publish. */
  private cached: SnapshotCache | null = null;

  /**
   * `epoch` is this room's stream identity; a new epoch means earlier seqs
   * mean nothing. A gateway gives every room it opens (or starts over) its
   * own, so a stream that starts again at seq 1 is told apart from the old one.
   */
  constructor(
    readonly projectId: string,
    epoch: string,
    options: RoomOptions,
  ) {
    this.options = options;
    this.streamEpoch = epoch;
    this.projectState = new ProjectState(options.stateLimits);
  }

  get epoch(): string {
    return this.streamEpoch;
  }

  get state(): ProjectState {
    return this.projectState;
  }

  /** The seq of the latest delta; 0 before any. */
  get seq(): number {
    return this.lastSeq;
  }

  get memberCount(): number {
    return this.members.size;
  }

  /**
   * Stamps, folds and fans out one payload. The room owns `payload` from here
   * on (the state may keep a reference), so callers must not mutate it.
   */
  publish(payload: Payload): PublishOutcome {
    const refusal = this.projectState.admit(payload);
    if (refusal) return { ok: false, ...refusal };
    return { ok: true, envelope: this.stamp(payload) };
  }

  /**
   * Publishes every payload in order, or none when one of them would pass a
   * topology cap (checked for the whole run first: `ProjectState.admitAll`).
   */
  publishAll(payloads: readonly Payload[]): PublishAllOutcome {
    const refusal = this.projectState.admitAll(payloads);
    if (refusal) return { ok: false, ...refusal };
    return this.publishAdmitted(payloads);
  }

  /**
   * `publishAll` for a run already admitted against this room's state, e.g.
   * against an empty state by a gateway that has just opened the room.
   */
  publishAdmitted(payloads: readonly Payload[]): PublishAllOutcome & { ok: true } {
    for (const payload of payloads) this.stamp(payload);
    return { ok: true, count: payloads.length, seq: this.lastSeq };
  }

  /**
   * Starts the stream over under `epoch`: the state is emptied, seqs begin
   * again at 1, and every member gets the new (empty) snapshot, so what it
   * held before (e.g. a stopped simulation's mesh) is gone.
   */
  reset(epoch: string): void {
    this.streamEpoch = epoch;
    this.projectState = new ProjectState(this.options.stateLimits);
    this.lastSeq = 0;
    this.cached = null;
    // A copy: a member may leave on its snapshot (closed as too slow).
    for (const member of [...this.members]) member.receiveSnapshot(this.currentSnapshot());
  }

  /**
   * Makes `member` a member for every later delta and sends it the snapshot at
   * the current seq. Membership comes first so that a member whose snapshot
   * makes it leave (e.g. a connection closed as too slow) is not left behind.
   */
  join(member: RoomMember): void {
    this.members.add(member);
    member.receiveSnapshot(this.currentSnapshot());
  }

  /** Returns whether `member` was a member. */
  leave(member: RoomMember): boolean {
    return this.members.delete(member);
  }

  private stamp(payload: Payload): Envelope {
    const envelope: Envelope = { seq: this.lastSeq + 1, ts: this.options.now(), data: payload };
    this.lastSeq = envelope.seq;
    this.cached = null; // a stale snapshot would only hold memory
    this.projectState.apply(payload, envelope.ts);
    // Serialised once per project, whatever the number of members.
    const serialised = encodeEnvelope(envelope);
    for (const member of this.members) member.receiveDelta(serialised);
    return envelope;
  }

  private currentSnapshot(): RoomSnapshot {
    const { lastSeq: seq, streamEpoch: epoch, projectState } = this;
    // The floor envelopes carry the time of the first join at this seq: the state has not changed since.
    if (this.cached?.seq !== seq) this.cached = { seq, ts: this.options.now() };
    const cache = this.cached;
    const state = () => (cache.state ??= projectState.snapshot());
    return {
      epoch,
      seq,
      state,
      frame: () => (cache.frame ??= encodeSnapshotFrame(epoch, seq, state())),
      floorEnvelopes: () => (cache.floor ??= floorSnapshotEnvelopes(seq, cache.ts, state())),
    };
  }
}

interface SnapshotCache {
  seq: number;
  ts: number;
  state?: SnapshotState;
  frame?: string;
  floor?: string[];
}
