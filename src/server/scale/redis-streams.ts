/**
 * Shared projects through Redis (DESIGN.md, "Scale-out"): every gateway
 * appends to a project's Redis Stream through one Lua script (one `seq` per
 * project across gateways, stamped with Redis's clock), and every gateway
 * that has the project's room open reads the stream with `XREAD BLOCK` and
 * folds and fans out each message in stream order. A gateway that opens a
 * room starts from the latest snapshot one of the gateways wrote (every few
 * seconds, by whichever holds the project's lock) plus the stream after it,
 * and fills its replay buffer from the stream's tail: a client that left
 * another gateway resumes here from its last seq.
 *
 * The stream is bounded by length and age (XADD MAXLEN ~, XTRIM MINID ~), and
 * every key expires after a day without publishes.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Payload } from '../../protocol/messages.ts';
import { SnapshotState } from '../../protocol/frames.ts';
import { ProjectState } from '../project-state.ts';
import type { Room, SharedEntry } from '../room.ts';
import { APPEND_SCRIPT, LOCK_SCRIPT, SNAPSHOT_SCRIPT, projectKeys, type ProjectKeys } from './redis-scripts.ts';
import type { AppendResult, SharedStreams, SharedStreamStats } from './shared-streams.ts';

export interface RedisStreamsOptions {
  /** `redis://host:port/db`, as ioredis takes it. */
  url: string;
  /** Prefix of every key. Default `meshwatch`. */
  keyPrefix?: string;
  /** Stream entries kept per project (approximately, MAXLEN ~). Default 100 000. */
  maxEntries?: number;
  /** Stream entries older than this are trimmed (approximately, MINID ~). Default 5 minutes. */
  maxAgeMs?: number;
  /** Messages a gateway keeps for resuming clients when it loads a project; the room's replay buffer bounds it again. Default 10 000. */
  replayEntries?: number;
  /** How often the lock holder writes a project's snapshot (when it changed). Default 2 000 ms. */
  snapshotIntervalMs?: number;
  /** A project's keys expire after this long without a publish. Default 24 h. */
  keyTtlMs?: number;
  /** Failures that are retried or worked around; default `console.error`. */
  onError?: (error: unknown, context: string) => void;
}

export const REDIS_STREAM_DEFAULTS = {
  keyPrefix: 'meshwatch',
  maxEntries: 100_000,
  maxAgeMs: 5 * 60_000,
  replayEntries: 10_000,
  snapshotIntervalMs: 2_000,
  keyTtlMs: 24 * 60 * 60_000,
} as const;

/** Messages read per XREAD; the block is bounded so a changed set of streams is picked up even without an unblock. */
const READ_COUNT = 2_000;
const READ_BLOCK_MS = 2_000;
/** After a failed read or load, wait this long before the next try. */
const RETRY_MS = 250;

type RawEntry = [id: string, fields: string[]];

interface Follower {
  room: Room;
  keys: ProjectKeys;
  /** The stream id of the last message the room holds; XREAD continues after it. */
  lastId: string;
  loading: boolean;
  /** The seq of the last snapshot this gateway wrote or read, so an unchanged project is not written again. */
  snapshotSeq: number;
}

type ScriptCommands = {
  mwAppend(...args: (string | number)[]): Promise<[string, number, number, string]>;
  mwLock(...args: (string | number)[]): Promise<number>;
  mwSnapshot(...args: (string | number)[]): Promise<number>;
};

/** Connects to Redis (both connections ready) before resolving. */
export async function connectRedisStreams(options: RedisStreamsOptions): Promise<RedisStreams> {
  const streams = new RedisStreams(options);
  try {
    await streams.connect();
  } catch (error) {
    await streams.close();
    throw error;
  }
  return streams;
}

export class RedisStreams implements SharedStreams {
  private readonly settings: Required<Omit<RedisStreamsOptions, 'url'>>;
  /** Scripts, snapshots and loads. */
  private readonly command: Redis & ScriptCommands;
  /** Only the blocking XREAD: a blocked connection can do nothing else. */
  private readonly reader: Redis;
  private readerId: number | null = null;
  private readonly followers = new Map<string, Follower>();
  private readonly projectOfStream = new Map<string, string>();
  private readonly id = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
  private readonly counters = { appended: 0, ingested: 0, loads: 0, incompleteLoads: 0, snapshotsWritten: 0, errors: 0 };
  private wake: (() => void) | null = null;
  private reading = false;
  private closed = false;
  private snapshotTimer: NodeJS.Timeout | null = null;
  private readLoopDone: Promise<void> = Promise.resolve();

  constructor(options: RedisStreamsOptions) {
    const { url, ...rest } = options;
    this.settings = {
      ...REDIS_STREAM_DEFAULTS,
      onError: (error, context) => console.error(`[meshwatch redis] ${context}:`, error),
      ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
    };
    const common = { lazyConnect: true, connectTimeout: 5_000 } as const;
    this.command = new Redis(url, { ...common, maxRetriesPerRequest: 3 }) as Redis & ScriptCommands;
    // A blocking read must wait across reconnects rather than fail after a few retries.
    this.reader = new Redis(url, { ...common, maxRetriesPerRequest: null });
    for (const [name, connection] of [['command', this.command], ['reader', this.reader]] as const) {
      // Without a listener an 'error' event would end the process; ioredis reconnects by itself.
      connection.on('error', (error: unknown) => {
        if (!this.closed) this.fail(error, `${name} connection`);
      });
    }
    this.reader.on('ready', () => void this.learnReaderId());
    this.command.defineCommand('mwAppend', { numberOfKeys: 4, lua: APPEND_SCRIPT });
    this.command.defineCommand('mwLock', { numberOfKeys: 1, lua: LOCK_SCRIPT });
    this.command.defineCommand('mwSnapshot', { numberOfKeys: 2, lua: SNAPSHOT_SCRIPT });
  }

  async connect(): Promise<void> {
    await Promise.all([this.command.connect(), this.reader.connect()]);
    await this.learnReaderId();
    this.snapshotTimer = setInterval(() => void this.writeSnapshots(), this.settings.snapshotIntervalMs);
    this.snapshotTimer.unref();
    this.readLoopDone = this.readLoop();
  }

  async append(projectId: string, payloads: readonly Payload[], options: { startOver?: boolean } = {}): Promise<AppendResult> {
    if (this.closed) throw new Error('shared streams closed');
    const keys = projectKeys(this.settings.keyPrefix, projectId);
    const { maxEntries, maxAgeMs, keyTtlMs } = this.settings;
    const [epoch, first, last] = await this.command.mwAppend(
      keys.epoch,
      keys.seq,
      keys.stream,
      keys.snap,
      newEpoch(),
      options.startOver ? '1' : '0',
      maxEntries,
      maxAgeMs,
      keyTtlMs,
      ...payloads.map((payload) => JSON.stringify(payload)),
    );
    this.counters.appended += payloads.length;
    return { epoch, first: Number(first), last: Number(last) };
  }

  follow(projectId: string, room: Room): void {
    if (this.closed) return;
    const keys = projectKeys(this.settings.keyPrefix, projectId);
    const follower: Follower = { room, keys, lastId: '0-0', loading: true, snapshotSeq: 0 };
    this.followers.set(projectId, follower);
    this.projectOfStream.set(keys.stream, projectId);
    void this.load(projectId, follower);
  }

  unfollow(projectId: string, room: Room): void {
    const follower = this.followers.get(projectId);
    if (follower?.room !== room) return;
    this.followers.delete(projectId);
    this.projectOfStream.delete(follower.keys.stream);
    this.interruptRead();
  }

  stats(): SharedStreamStats {
    return { ...this.counters, following: this.followers.size };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    this.followers.clear();
    this.wake?.();
    this.reader.disconnect();
    await this.readLoopDone;
    await this.command.quit().catch(() => this.command.disconnect());
  }

  /**
   * Restores the room from the latest snapshot and the stream after it, and
   * fills its replay buffer from the stream's tail; then the read loop takes
   * the project from the last message loaded.
   */
  private async load(projectId: string, follower: Follower): Promise<void> {
    follower.loading = true;
    follower.room.markLoading();
    this.interruptRead();
    while (!this.closed && this.followers.get(projectId) === follower) {
      try {
        if (await this.loadOnce(follower)) break;
      } catch (error) {
        this.fail(error, `loading project ${projectId}`);
      }
      await delay(RETRY_MS);
    }
  }

  /** One attempt; false when the stream started over in the middle of it (try again). */
  private async loadOnce(follower: Follower): Promise<boolean> {
    const { keys, room } = follower;
    const replayEntries = this.settings.replayEntries;
    const results = await this.command
      .multi()
      .set(keys.epoch, newEpoch(), 'NX')
      .get(keys.epoch)
      .get(keys.seq)
      .hgetall(keys.snap)
      .xrevrange(keys.stream, '+', '-', 'COUNT', replayEntries)
      .exec();
    if (!results) throw new Error('load transaction aborted');
    for (const [error] of results) if (error) throw error;
    const epoch = results[1]![1] as string;
    const counter = Number(results[2]![1] ?? 0);
    const snap = results[3]![1] as Record<string, string>;
    const tail = (results[4]![1] as RawEntry[]).reverse();

    const snapshot = snap.epoch === epoch && snap.state ? snapshotOf(snap) : null;
    // What came after the snapshot, read now: it may reach past the transaction's tail, never short of it.
    const after = (await this.command.xrange(keys.stream, snapshot ? `(${snapshot.sid}` : '-', '+')) as RawEntry[];
    const entries = after.map(parseEntry);
    if (entries.some((entry) => entry === null || entry.epoch !== epoch)) return false;

    let state = snapshot ? ProjectState.fromSnapshot(snapshot.state, room.state.limits) : new ProjectState(room.state.limits);
    let seq = snapshot?.seq ?? 0;
    let lastId = snapshot?.sid ?? '0-0';
    let complete = true;
    for (const entry of entries as SharedEntryWithId[]) {
      if (entry.seq <= seq) continue;
      if (entry.seq !== seq + 1) complete = false;
      if (!state.admit(entry.payload)) state.apply(entry.payload, entry.ts);
      seq = entry.seq;
      lastId = entry.id;
    }
    if (counter > seq && entries.length === 0) {
      // Seqs were handed out whose messages are gone (trimmed) and no snapshot covers them.
      complete = false;
      seq = counter;
    }
    if (!complete) {
      this.counters.incompleteLoads++;
      if (seq === 0) state = new ProjectState(room.state.limits);
    }
    const recent = contiguousTail(
      [...tail.map(parseEntry), ...entries].filter((entry): entry is SharedEntryWithId => entry !== null && entry.epoch === epoch),
      seq,
      replayEntries,
    );
    room.restore(epoch, state, seq, recent);
    follower.lastId = lastId;
    follower.snapshotSeq = snapshot?.seq ?? 0;
    follower.loading = false;
    this.counters.loads++;
    this.interruptRead();
    return true;
  }

  private async readLoop(): Promise<void> {
    while (!this.closed) {
      const ready = [...this.followers.values()].filter((follower) => !follower.loading);
      if (ready.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      let result: [string, RawEntry[]][] | null;
      try {
        this.reading = true;
        result = (await this.reader.xread(
          'COUNT',
          READ_COUNT,
          'BLOCK',
          READ_BLOCK_MS,
          'STREAMS',
          ...ready.map((follower) => follower.keys.stream),
          ...ready.map((follower) => follower.lastId),
        )) as [string, RawEntry[]][] | null;
      } catch (error) {
        if (this.closed) break;
        // An unblocked read ends with an error on some versions; anything else is worth a line.
        if (!String(error).includes('UNBLOCKED')) this.fail(error, 'reading the shared streams');
        await delay(RETRY_MS);
        continue;
      } finally {
        this.reading = false;
      }
      if (result) this.ingest(result);
    }
  }

  private ingest(result: [string, RawEntry[]][]): void {
    for (const [stream, raws] of result) {
      const projectId = this.projectOfStream.get(stream);
      const follower = projectId === undefined ? undefined : this.followers.get(projectId);
      if (!follower || follower.loading || projectId === undefined) continue;
      for (const raw of raws) {
        const entry = parseEntry(raw);
        const outcome = entry ? follower.room.ingest(entry) : 'gap';
        if (outcome === 'gap') {
          void this.load(projectId, follower);
          break;
        }
        follower.lastId = raw[0];
        if (outcome === 'ingested') this.counters.ingested++;
      }
    }
  }

  /** Every few seconds, the lock holder of each changed project writes its snapshot for gateways that open it later. */
  private async writeSnapshots(): Promise<void> {
    for (const follower of [...this.followers.values()]) {
      if (this.closed) return;
      const { room, keys } = follower;
      if (follower.loading || !room.isReady || room.seq <= follower.snapshotSeq) continue;
      try {
        const held = await this.command.mwLock(keys.lock, this.id, this.settings.snapshotIntervalMs * 3);
        if (held !== 1 || follower.loading || this.followers.get(room.projectId) !== follower) continue;
        // Read in one go, after the await: the seq, the stream id and the state agree.
        const seq = room.seq;
        const written = await this.command.mwSnapshot(
          keys.snap,
          keys.epoch,
          room.epoch,
          seq,
          follower.lastId,
          JSON.stringify(room.state.snapshot()),
          this.settings.keyTtlMs,
        );
        follower.snapshotSeq = seq;
        if (written === 1) this.counters.snapshotsWritten++;
      } catch (error) {
        this.fail(error, `writing the snapshot of ${room.projectId}`);
      }
    }
  }

  /** A blocked XREAD reads the old set of streams: unblock it so the next one reads the new set. */
  private interruptRead(): void {
    this.wake?.();
    if (!this.reading || this.readerId === null || this.closed) return;
    this.command.client('UNBLOCK', this.readerId).catch((error: unknown) => this.fail(error, 'unblocking the reader'));
  }

  private async learnReaderId(): Promise<void> {
    try {
      this.readerId = Number(await this.reader.client('ID'));
    } catch (error) {
      this.fail(error, 'asking the reader connection its id');
    }
  }

  private fail(error: unknown, context: string): void {
    this.counters.errors++;
    this.settings.onError(error, context);
  }
}

type SharedEntryWithId = SharedEntry & { id: string };

/** A stream entry as APPEND_SCRIPT wrote it, or null when it is not one. */
function parseEntry([id, fields]: RawEntry): SharedEntryWithId | null {
  const field: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) field[fields[i]!] = fields[i + 1]!;
  const seq = Number(field.s);
  const ts = Number(field.t);
  if (field.e === undefined || field.d === undefined || !Number.isInteger(seq) || !Number.isFinite(ts)) return null;
  try {
    // Written only by APPEND_SCRIPT, after a gateway validated the payload: parsed, not validated again.
    return { id, epoch: field.e, seq, ts, payload: JSON.parse(field.d) as Payload, data: field.d };
  } catch {
    return null;
  }
}

function snapshotOf(snap: Record<string, string>): { seq: number; sid: string; state: SnapshotState } | null {
  const seq = Number(snap.seq);
  if (!Number.isInteger(seq) || !snap.sid) return null;
  try {
    const parsed = SnapshotState.safeParse(JSON.parse(snap.state!));
    return parsed.success ? { seq, sid: snap.sid, state: parsed.data } : null;
  } catch {
    return null;
  }
}

/** The entries ending exactly at `seq` with no gap, oldest first, at most `max`; duplicates (tail and after overlap) once. */
function contiguousTail(entries: SharedEntryWithId[], seq: number, max: number): SharedEntryWithId[] {
  const bySeq = new Map<number, SharedEntryWithId>();
  for (const entry of entries) bySeq.set(entry.seq, entry);
  const out: SharedEntryWithId[] = [];
  for (let s = seq; s > 0 && out.length < max; s--) {
    const entry = bySeq.get(s);
    if (!entry) break;
    out.push(entry);
  }
  return out.reverse();
}

function newEpoch(): string {
  return `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
