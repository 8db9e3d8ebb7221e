/**
 * One room per project: it stamps each published payload with the project's
 * next `seq`, folds it into the project's state, serialises it once and hands
 * the same string to every member connection.
 *
 * Node runs this single-threaded, so a join (membership, and the snapshot at
 * the current `seq`) cannot interleave with a publish: a member sees every seq
 * after its snapshot exactly once.
 */
import type { LogLine, Presence, SnapshotReason, SnapshotState } from '../protocol/frames.ts';
import type { Envelope, Payload } from '../protocol/messages.ts';
import { encodeEnvelope } from '../protocol/codec.ts';
import { floorSnapshotEnvelopes } from './floor-snapshot.ts';
import { ProjectState, type ProjectStateLimits, type StateRefusal } from './project-state.ts';
import { REPLAY_DEFAULTS, ReplayBuffer, type ReplayBudget, type ReplayLimits } from './stream/replay-buffer.ts';
import { FrameCache } from './stream/frame-cache.ts';
import { channelOf, coalesceKeyOf, type StreamEntry } from './stream/stream-entry.ts';

/** What a room needs from a connection. */
export interface RoomMember {
  /** The signed-in user, for presence; null when anonymous. */
  readonly user: string | null;
  /** Called synchronously by `join`, before any delta: how the member catches up. */
  receiveJoin(join: RoomJoin): void;
  /**
   * A snapshot that supersedes every delta before it: the room started over
   * (`reset`), or the member asked (`resync`).
   */
  receiveSnapshot(snapshot: RoomSnapshot, reason: SnapshotReason): void;
  /** A stamped message, serialised once for every member: never re-stringify it unless filtering. */
  receiveDelta(entry: StreamEntry): void;
  receivePresence(presence: Presence): void;
}

/** Where a joining member's stream starts: the messages after its seq, or a snapshot and why. */
export interface RoomJoin {
  epoch: string;
  /** The room's latest seq. */
  seq: number;
  presence: Presence;
  plan: { kind: 'replay'; entries: StreamEntry[] } | { kind: 'snapshot'; reason: SnapshotReason; snapshot: RoomSnapshot };
}

/** The stream a reconnecting client says it holds. */
export interface ResumePoint {
  epoch: string;
  seq: number;
}

/**
 * A message another process stamped: the shared sequence of a project served
 * by several gateways (Redis). `data` is the payload's JSON as stored, reused
 * for the envelope so it is not serialised again.
 */
export interface SharedEntry {
  epoch: string;
  seq: number;
  ts: number;
  payload: Payload;
  data?: string;
}

/** What became of a shared entry: taken, already held, or not the next one (the room must be restored). */
export type IngestOutcome = 'ingested' | 'duplicate' | 'gap';

/**
 * The project at one `seq`. Each form is built on first use and shared by
 * every join at that seq, so a burst of joins costs one build.
 */
export interface RoomSnapshot {
  readonly epoch: string;
  /** The last `seq` the state includes; 0 before any delta. */
  readonly seq: number;
  state(): SnapshotState;
  /** Each part of `state()` as JSON (`logs` with every node's window), for `encodeSnapshotFrameFromParts`. */
  parts(): { [K in keyof SnapshotState]: string };
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

/** Why a publish was refused: a topology cap, no room for one more project, a closing gateway, or a shared sequencer out of reach. */
export type PublishRefusalCode =
  | StateRefusal['code']
  | 'too-many-projects'
  | 'gateway-closed'
  /** A shared gateway's synchronous publish: use `Gateway.submit`. */
  | 'use-submit'
  /** A shared gateway could not reach its sequencer (Redis). */
  | 'unavailable';

/** What a room needs from its gateway. */
export interface RoomOptions {
  /** Milliseconds since the Unix epoch; stamps each envelope's `ts`. */
  now: () => number;
  stateLimits?: Partial<ProjectStateLimits>;
  replayLimits?: Partial<ReplayLimits>;
  /** Shared by every room of a gateway: the ceiling on all replay buffers together. */
  replayBudget?: ReplayBudget;
  /** A replay larger than this (serialised characters) is sent as a snapshot instead. Default: unbounded. */
  maxReplayChars?: number;
}

/** Presence names at most this many users; the count covers everyone. */
const MAX_PRESENCE_USERS = 100;

/** A project's stream: its seq, its state and its member connections. */
export class Room {
  private projectState: ProjectState;
  private streamEpoch: string;
  private lastSeq = 0;
  private readonly members = new Set<RoomMember>();
  private readonly options: RoomOptions;
  private readonly replay: ReplayBuffer;
  /** Snapshot of the latest seq, reused by every join until the next publish. */
  private cached: SnapshotCache | null = null;
  /** Batch frames its members share (frame-cache.ts). */
  readonly frames = new FrameCache();
  /** False while a shared room loads its project's state; joins wait (`caughtUp`). */
  private ready = true;
  /** Joins waiting for the room to be ready and to reach a seq. */
  private waiters: { seq: number; resolve: () => void }[] = [];

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
    this.replay = new ReplayBuffer({ ...REPLAY_DEFAULTS, ...options.replayLimits }, options.now, options.replayBudget ?? null);
  }

  /** Lets go of what the room holds for resuming clients (it is being dropped), returning it to the gateway's budget. */
  dispose(): void {
    this.replay.clear();
  }

  /** Messages held for resuming clients. */
  get replaySize(): number {
    return this.replay.size;
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
    this.replay.clear();
    this.frames.clear();
    // A copy: a member may leave on its snapshot (closed as too slow).
    for (const member of [...this.members]) member.receiveSnapshot(this.currentSnapshot(), 'reset');
  }

  /**
   * Makes `member` a member for every later delta and tells it how it catches
   * up: the messages after `resume.seq` when it holds this very stream and the
   * replay buffer still reaches back that far, else the snapshot at the
   * current seq and why. Membership comes first so that a member whose
   * catching up makes it leave (closed as too slow) is not left behind.
   */
  join(member: RoomMember, resume?: ResumePoint): RoomJoin['plan']['kind'] {
    this.members.add(member);
    const join: RoomJoin = { epoch: this.streamEpoch, seq: this.lastSeq, presence: this.presence(), plan: this.catchUp(resume) };
    member.receiveJoin(join);
    return join.plan.kind;
  }

  /** A member saw a gap: it gets the current snapshot. */
  resync(member: RoomMember): void {
    if (this.members.has(member)) member.receiveSnapshot(this.currentSnapshot(), 'client-requested');
  }

  /** A node's current log window, oldest first (empty when it has none). */
  logWindow(nodeId: string): readonly LogLine[] {
    return this.projectState.logWindow(nodeId);
  }

  /** Nodes that have a log window. */
  logNodes(): string[] {
    return this.projectState.logNodeIds();
  }

  /** Who is watching: every member, and the signed-in users among them. */
  presence(): Presence {
    const users = new Set<string>();
    for (const member of this.members) if (member.user !== null) users.add(member.user);
    return { connections: this.members.size, users: [...users].sort().slice(0, MAX_PRESENCE_USERS) };
  }

  /** Tells every member who is watching now. */
  broadcastPresence(): void {
    const presence = this.presence();
    for (const member of [...this.members]) member.receivePresence(presence);
  }

  private catchUp(resume: ResumePoint | undefined): RoomJoin['plan'] {
    const snapshot = (reason: SnapshotReason): RoomJoin['plan'] => ({ kind: 'snapshot', reason, snapshot: this.currentSnapshot() });
    if (!resume) return snapshot('new');
    if (resume.epoch !== this.streamEpoch) return snapshot('epoch-changed');
    if (resume.seq > this.lastSeq) return snapshot('ahead');
    const { entries, tooLarge } = this.replay.sinceWithin(resume.seq, this.lastSeq, this.options.maxReplayChars ?? Infinity);
    if (tooLarge) return snapshot('gap-too-large');
    return entries ? { kind: 'replay', entries } : snapshot('gap-too-old');
  }

  /** Returns whether `member` was a member. */
  leave(member: RoomMember): boolean {
    return this.members.delete(member);
  }

  private stamp(payload: Payload): Envelope {
    const envelope: Envelope = { seq: this.lastSeq + 1, ts: this.options.now(), data: payload };
    this.projectState.apply(payload, envelope.ts);
    this.deliver(streamEntryOf(envelope.seq, envelope.ts, payload));
    return envelope;
  }

  /** Makes a folded message the room's latest: kept for resumers and queued for every member. */
  private deliver(entry: StreamEntry): void {
    this.lastSeq = entry.seq;
    this.cached = null; // a stale snapshot would only hold memory
    this.replay.push(entry);
    for (const member of this.members) member.receiveDelta(entry);
    if (this.waiters.length > 0) this.wakeWaiters();
  }

  // --- Shared projects (several gateways, one sequence: src/server/scale) ---

  /** Whether joins are answered now, or wait for the shared state to load. */
  get isReady(): boolean {
    return this.ready;
  }

  /** The room's state is about to be loaded from elsewhere: joins wait until `restore`. */
  markLoading(): void {
    this.ready = false;
  }

  /**
   * Resolves once the room is ready and holds `seq` (a client resuming from
   * another gateway may be a few messages ahead of this one), or after
   * `timeoutMs`, whichever is first; the join then proceeds as usual.
   */
  caughtUp(seq: number, timeoutMs: number, setTimer: (run: () => void, ms: number) => () => void): Promise<void> {
    if (this.ready && this.lastSeq >= seq) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = { seq, resolve: () => {} };
      const cancel = setTimer(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      }, timeoutMs);
      waiter.resolve = () => {
        cancel();
        resolve();
      };
      this.waiters.push(waiter);
    });
  }

  /**
   * Takes the project's state from the shared stream: `state` at `seq` under
   * `epoch`, and `recent` (oldest first, contiguous, ending at `seq`) for
   * resuming clients. Members already joined get the new snapshot; waiting joins go ahead.
   */
  restore(epoch: string, state: ProjectState, seq: number, recent: readonly SharedEntry[]): void {
    const changedEpoch = epoch !== this.streamEpoch;
    const hadMembers = this.members.size > 0;
    this.streamEpoch = epoch;
    this.projectState = state;
    this.lastSeq = seq;
    this.cached = null;
    this.replay.clear();
    this.frames.clear();
    for (const { seq, ts, payload, data } of recent) this.replay.push(streamEntryOf(seq, ts, payload, data));
    this.ready = true;
    if (hadMembers) {
      const reason: SnapshotReason = changedEpoch ? 'reset' : 'gap-too-old';
      for (const member of [...this.members]) member.receiveSnapshot(this.currentSnapshot(), reason);
    }
    this.wakeWaiters();
  }

  /**
   * Folds and fans out a message stamped by the shared sequence. A new epoch
   * at seq 1 starts the stream over (another gateway reset the project);
   * anything else out of order is a gap, and the room must be restored.
   * A payload past a topology cap is sent but not folded, as every gateway
   * folding the same sequence decides alike.
   */
  ingest(entry: SharedEntry): IngestOutcome {
    if (entry.epoch !== this.streamEpoch) {
      if (entry.seq !== 1) return 'gap';
      this.reset(entry.epoch);
    }
    if (entry.seq <= this.lastSeq) return 'duplicate';
    if (entry.seq !== this.lastSeq + 1) return 'gap';
    this.projectState.applyAdmitted(entry.payload, entry.ts);
    this.deliver(streamEntryOf(entry.seq, entry.ts, entry.payload, entry.data));
    return 'ingested';
  }

  private wakeWaiters(): void {
    if (!this.ready) return;
    const due = this.waiters.filter((waiter) => waiter.seq <= this.lastSeq);
    if (due.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => waiter.seq > this.lastSeq);
    for (const waiter of due) waiter.resolve();
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
      parts: () => (cache.parts ??= snapshotParts(state())),
      floorEnvelopes: () => (cache.floor ??= floorSnapshotEnvelopes(seq, cache.ts, state())),
    };
  }
}

/**
 * A stamped message as the room keeps and sends it, serialised once per
 * project whatever the number of members; `data`, the payload's JSON when it
 * came as text (a shared stream), is used as it is.
 */
function streamEntryOf(seq: number, ts: number, payload: Payload, data?: string): StreamEntry {
  const serialised = data === undefined ? encodeEnvelope({ seq, ts, data: payload }) : `{"seq":${seq},"ts":${ts},"data":${data}}`;
  return { seq, ts, channel: channelOf(payload), coalesceKey: coalesceKeyOf(payload), payload, serialised };
}

interface SnapshotCache {
  seq: number;
  ts: number;
  state?: SnapshotState;
  parts?: { [K in keyof SnapshotState]: string };
  floor?: string[];
}

function snapshotParts(state: SnapshotState): { [K in keyof SnapshotState]: string } {
  return {
    nodes: JSON.stringify(state.nodes),
    edges: JSON.stringify(state.edges),
    progress: JSON.stringify(state.progress),
    events: JSON.stringify(state.events),
    series: JSON.stringify(state.series),
    logs: JSON.stringify(state.logs),
  };
}
