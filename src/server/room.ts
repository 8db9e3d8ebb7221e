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
import { ProjectState, type ProjectStateLimits, type StateRefusal } from './project-state.ts';

/** What a room needs from a connection. */
export interface RoomMember {
  /** Called once, synchronously, on join, before any delta. */
  receiveSnapshot(snapshot: RoomSnapshot): void;
  /** `serialised` is `encodeEnvelope(envelope)`, shared by every member: never re-stringify it. */
  receiveDelta(serialised: string, envelope: Envelope): void;
}

/** The project at one `seq`. The state and its v1 frame are built on first use and shared by joins at that seq. */
export interface RoomSnapshot {
  readonly epoch: string;
  /** The last `seq` the state includes; 0 before any delta. */
  readonly seq: number;
  /** When the snapshot was taken (the room's clock). */
  readonly ts: number;
  state(): SnapshotState;
  /** `encodeSnapshotFrame(epoch, seq, state())`. */
  frame(): string;
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
  readonly state: ProjectState;
  private lastSeq = 0;
  private readonly members = new Set<RoomMember>();
  private readonly now: () => number;
  /** Snapshot of the latest seq, reused by every join until the next publish. */
  private cached: { seq: number; state?: SnapshotState; frame?: string } | null = null;

  constructor(
    readonly projectId: string,
    /**
     * This room's stream identity; a new epoch means earlier seqs mean nothing.
     * A gateway gives every room it opens its own, so a project dropped and
     * opened again (starting over at seq 1) is told apart from the old stream.
     */
    readonly epoch: string,
    options: RoomOptions,
  ) {
    this.now = options.now;
    this.state = new ProjectState(options.stateLimits);
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
    const refusal = this.state.admit(payload);
    if (refusal) return { ok: false, ...refusal };
    const envelope: Envelope = { seq: this.lastSeq + 1, ts: this.now(), data: payload };
    this.lastSeq = envelope.seq;
    this.cached = null; // a stale snapshot would only hold memory
    this.state.apply(payload, envelope.ts);
    // Serialised once per project, whatever the number of members.
    const serialised = encodeEnvelope(envelope);
    for (const member of this.members) member.receiveDelta(serialised, envelope);
    return { ok: true, envelope };
  }

  /**
   * Publishes every payload in order, or none when one of them would pass a
   * topology cap (checked for the whole run first: `ProjectState.admitAll`).
   */
  publishAll(payloads: readonly Payload[]): PublishAllOutcome {
    const refusal = this.state.admitAll(payloads);
    if (refusal) return { ok: false, ...refusal };
    for (const payload of payloads) {
      const outcome = this.publish(payload);
      // admitAll never admits what admit would refuse; reaching this is a bug, not a client's fault.
      if (!outcome.ok) throw new Error(`payload admitted with its run was refused: ${outcome.reason}`);
    }
    return { ok: true, count: payloads.length, seq: this.lastSeq };
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

  private currentSnapshot(): RoomSnapshot {
    const seq = this.lastSeq;
    if (this.cached?.seq !== seq) this.cached = { seq };
    const cache = this.cached;
    const state = () => (cache.state ??= this.state.snapshot());
    return {
      epoch: this.epoch,
      seq,
      ts: this.now(),
      state,
      frame: () => (cache.frame ??= encodeSnapshotFrame(this.epoch, seq, state())),
    };
  }
}
