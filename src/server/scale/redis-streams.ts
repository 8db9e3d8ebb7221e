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
import { Redis } from 'ioredis';
import { Payload } from '../../protocol/messages.ts';
import { SnapshotState } from '../../protocol/frames.ts';
import { newEpoch } from '../epoch.ts';
import { withoutUndefined } from '../options.ts';
import { ProjectState } from '../project-state.ts';
import type { Room, SharedEntry } from '../room.ts';
import { APPEND_SCRIPT, LOCK_SCRIPT, RAISE_SCRIPT, SNAPSHOT_SCRIPT, projectKeys, type ProjectKeys } from './redis-scripts.ts';
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
  /** The stream id of the last message the room holds; XREAD continues after it. (While the room loads, `!room.isReady`, nothing is read for it.) */
  lastId: string;
  /** The seq of the last snapshot this gateway wrote or read, so an unchanged project is not written again. */
  snapshotSeq: number;
}

type ScriptCommands = {
  mwAppend(...args: (string | number)[]): Promise<[string, number, number, string]>;
  mwLock(...args: (string | number)[]): Promise<number>;
  mwSnapshot(...args: (string | number)[]): Promise<number>;
  mwRaise(...args: (string | number)[]): Promise<number>;
};

/** Connects to Redis (both connections ready) before resolving. */
export async function connectRedisStreams(options: RedisStreamsOptions): Promise<RedisStreams> {
  const streams = new RedisStreams(options);
  try {
    await streams.connect();
  } catch (error) {
    await streams.close();
    // ioredis rejects with "Connection is closed"; the connection's own error says why (ECONNREFUSED, ENOTFOUND...).
    throw streams.connectionError ?? error;
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
  /** This gateway, as the holder of snapshot locks. */
  private readonly id = newEpoch();
  private readonly counters = { appended: 0, ingested: 0, loads: 0, incompleteLoads: 0, snapshotsWritten: 0, errors: 0, unreadable: 0, regressions: 0 };
  private wake: (() => void) | null = null;
  private reading = false;
  private closed = false;
  private snapshotTimer: NodeJS.Timeout | null = null;
  private readLoopDone: Promise<void> = Promise.resolve();
  /** Resolved by `close()`: a read blocked on a Redis that is down must not hold the shutdown. */
  private closedSignal!: () => void;
  private readonly closedPromise = new Promise<null>((resolve) => (this.closedSignal = () => resolve(null)));
  /** The latest error of either connection, for a failed `connect`. */
  connectionError: Error | null = null;

  constructor(options: RedisStreamsOptions) {
    const { url, ...rest } = options;
    this.settings = {
      ...REDIS_STREAM_DEFAULTS,
      onError: (error, context) => console.error(`[meshwatch redis] ${context}:`, error),
      ...withoutUndefined(rest),
    };
    const common = { lazyConnect: true, connectTimeout: 5_000 } as const;
    // An append whose reply was lost must not run again by itself after a reconnect: it would stamp the run twice.
    this.command = new Redis(url, { ...common, maxRetriesPerRequest: 3, autoResendUnfulfilledCommands: false }) as Redis & ScriptCommands;
    // A blocking read must wait across reconnects rather than fail after a few retries.
    this.reader = new Redis(url, { ...common, maxRetriesPerRequest: null });
    for (const [name, connection] of [['command', this.command], ['reader', this.reader]] as const) {
      // Without a listener an 'error' event would end the process; ioredis reconnects by itself.
      connection.on('error', (error: unknown) => {
        if (error instanceof Error) this.connectionError = error;
        if (!this.closed) this.fail(error, `${name} connection`);
      });
    }
    this.reader.on('ready', () => void this.learnReaderId());
    this.command.defineCommand('mwAppend', { numberOfKeys: 4, lua: APPEND_SCRIPT });
    this.command.defineCommand('mwLock', { numberOfKeys: 1, lua: LOCK_SCRIPT });
    this.command.defineCommand('mwSnapshot', { numberOfKeys: 2, lua: SNAPSHOT_SCRIPT });
    this.command.defineCommand('mwRaise', { numberOfKeys: 2, lua: RAISE_SCRIPT });
  }

  async connect(): Promise<void> {
    await Promise.all([this.command.connect(), this.reader.connect()]);
    await this.learnReaderId();
    this.snapshotTimer = setInterval(() => void this.writeSnapshots(), this.settings.snapshotIntervalMs);
    this.snapshotTimer.unref();
    // The loop catches what it can; anything else is reported, never an unhandled rejection that ends the process.
    this.readLoopDone = this.readLoop().catch((error: unknown) => this.fail(error, 'the shared streams read loop stopped'));
  }

  async append(projectId: string, payloads: readonly Payload[], options: { startOver?: boolean; floor?: { epoch: string; seq: number } } = {}): Promise<AppendResult> {
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
      options.floor?.epoch ?? '',
      options.floor?.seq ?? 0,
      ...payloads.map((payload) => JSON.stringify(payload)),
    );
    this.counters.appended += payloads.length;
    return { epoch, first: Number(first), last: Number(last) };
  }

  follow(projectId: string, room: Room): void {
    if (this.closed) return;
    const keys = projectKeys(this.settings.keyPrefix, projectId);
    const follower: Follower = { room, keys, lastId: '0-0', snapshotSeq: 0 };
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
    this.closedSignal();
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
      // With an expiry: a project only ever viewed must not leave a key behind for good.
      .set(keys.epoch, newEpoch(), 'PX', this.settings.keyTtlMs, 'NX')
      .get(keys.epoch)
      .get(keys.seq)
      .hgetall(keys.snap)
      .xrevrange(keys.stream, '+', '-', 'COUNT', replayEntries)
      .exec();
    if (!results) throw new Error('load transaction aborted');
    for (const [error] of results) if (error) throw error;
    if (this.isStale(follower)) return true;
    const epoch = results[1]![1] as string;
    const counter = Number(results[2]![1] ?? 0);
    const snap = results[3]![1] as Record<string, string>;
    const tail = (results[4]![1] as RawEntry[]).reverse();

    const snapshot = snap.epoch === epoch && snap.state ? snapshotOf(snap) : null;
    // What came after the snapshot, read now: it may reach past the transaction's tail, never short of it.
    const after = (await this.command.xrange(keys.stream, snapshot ? `(${snapshot.sid}` : '-', '+')) as RawEntry[];
    // Dropped (its room was dropped, or the streams closed) while reading: nothing of it may reach the room.
    if (this.isStale(follower)) return true;
    const entries = this.parseAll(after);
    // Another epoch in the middle: the project started over while it was read; read it again.
    if (entries.some((entry) => entry.epoch !== epoch)) return false;

    const state = snapshot ? ProjectState.fromSnapshot(snapshot.state, room.state.limits) : new ProjectState(room.state.limits);
    let seq = snapshot?.seq ?? 0;
    let lastId = snapshot?.sid ?? '0-0';
    let complete = true;
    /** An entry after the snapshot with a seq the snapshot already covers: the counter went back (APPEND_SCRIPT). */
    let regressed = false;
    for (const entry of entries) {
      // Stream order is the truth: what comes after the snapshot is newer, whatever seq it was given.
      if (entry.seq <= seq) regressed = true;
      else if (entry.seq !== seq + 1) complete = false;
      state.applyAdmitted(entry.payload, entry.ts);
      seq = Math.max(seq, entry.seq);
      lastId = entry.id;
    }
    if (regressed) {
      // Later appends must follow the seq this load ends at; the reused seqs cannot be replayed to anyone.
      await this.command.mwRaise(keys.epoch, keys.seq, epoch, seq);
      if (this.isStale(follower)) return true;
    }
    if (counter > seq && entries.length === 0) {
      // Seqs were handed out whose messages are gone (trimmed) and no snapshot covers them.
      complete = false;
      seq = counter;
    }
    if (!complete || regressed) this.counters.incompleteLoads++;
    const recent = regressed
      ? []
      : contiguousTail(
          [...this.parseAll(tail), ...entries].filter((entry) => entry.epoch === epoch),
          seq,
          replayEntries,
        );
    room.restore(epoch, state, seq, recent);
    follower.lastId = lastId;
    follower.snapshotSeq = snapshot?.seq ?? 0;
    this.counters.loads++;
    this.interruptRead();
    return true;
  }

  private async readLoop(): Promise<void> {
    while (!this.closed) {
      const ready = [...this.followers.values()].filter((follower) => follower.room.isReady);
      if (ready.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      let result: [string, RawEntry[]][] | null;
      try {
        this.reading = true;
        const read = this.reader.xread(
          'COUNT',
          READ_COUNT,
          'BLOCK',
          READ_BLOCK_MS,
          'STREAMS',
          ...ready.map((follower) => follower.keys.stream),
          ...ready.map((follower) => follower.lastId),
        ) as Promise<[string, RawEntry[]][] | null>;
        // A read still pending when the streams close (Redis down) settles later, or never: nobody waits for it.
        read.catch(() => {});
        result = await Promise.race([read, this.closedPromise]);
      } catch (error) {
        if (this.closed) break;
        // An unblocked read ends with an error on some versions; anything else is worth a line.
        if (!String(error).includes('UNBLOCKED')) this.fail(error, 'reading the shared streams');
        await delay(RETRY_MS);
        continue;
      } finally {
        this.reading = false;
      }
      if (result && !this.closed) {
        try {
          this.ingest(result);
        } catch (error) {
          this.fail(error, 'folding messages of the shared streams');
        }
      }
    }
  }

  private ingest(result: [string, RawEntry[]][]): void {
    for (const [stream, raws] of result) {
      const projectId = this.projectOfStream.get(stream);
      const follower = projectId === undefined ? undefined : this.followers.get(projectId);
      if (!follower || !follower.room.isReady || projectId === undefined) continue;
      for (const raw of raws) {
        // A reply to a read issued before a load finished may repeat what the load took: ids only move forward.
        if (compareIds(raw[0], follower.lastId) <= 0) continue;
        const entry = this.parse(raw);
        if (!entry) {
          follower.lastId = raw[0];
          continue;
        }
        const { room } = follower;
        const outcome = room.ingest(entry);
        if (outcome === 'gap') {
          void this.load(projectId, follower);
          break;
        }
        if (outcome === 'duplicate') {
          // A new stream entry with a seq this gateway already holds: the counter went back (see APPEND_SCRIPT).
          void this.recoverRegression(projectId, follower, entry.seq);
          break;
        }
        follower.lastId = raw[0];
        this.counters.ingested++;
      }
    }
  }

  /** Raises the project's counter past what this gateway holds, then reloads the project from what Redis has. */
  private async recoverRegression(projectId: string, follower: Follower, seq: number): Promise<void> {
    const { room, keys } = follower;
    this.counters.regressions++;
    this.fail(
      new Error(`the shared stream of ${projectId} went back to seq ${seq} while this gateway holds ${room.seq} (Redis restarted from older data?): raising its counter and reloading`),
      'shared stream regression',
    );
    try {
      await this.command.mwRaise(keys.epoch, keys.seq, room.epoch, room.seq);
    } catch (error) {
      this.fail(error, `raising the counter of ${projectId}`);
    }
    await this.load(projectId, follower);
  }

  private isStale(follower: Follower): boolean {
    return this.closed || this.followers.get(follower.room.projectId) !== follower;
  }

  /** Each entry that can be placed in the sequence (see `parse`), in order. */
  private parseAll(raws: RawEntry[]): SharedEntryWithId[] {
    const entries: SharedEntryWithId[] = [];
    for (const raw of raws) {
      const entry = this.parse(raw);
      if (entry) entries.push(entry);
    }
    return entries;
  }

  /**
   * A stream entry as APPEND_SCRIPT wrote it. A payload this gateway cannot
   * read (a newer gateway's type in a rolling upgrade, a hand-edited entry)
   * keeps its seq but becomes a warning event every gateway shows alike, so
   * the sequence has no hole; an entry without a seq or epoch cannot be placed
   * at all and is skipped. Both are counted.
   */
  private parse(raw: RawEntry): SharedEntryWithId | null {
    const entry = parseEntry(raw);
    if (!entry) {
      this.counters.unreadable++;
      return null;
    }
    if ('unreadable' in entry) {
      this.counters.unreadable++;
      const payload: Payload = {
        type: 'event',
        severity: 'warn',
        message: `meshwatch: a shared message could not be read and was skipped (seq ${entry.seq}: ${entry.unreadable})`.slice(0, 2_000),
      };
      return { id: entry.id, epoch: entry.epoch, seq: entry.seq, ts: entry.ts, payload };
    }
    return entry;
  }

  /** Every few seconds, the lock holder of each changed project writes its snapshot for gateways that open it later. */
  private async writeSnapshots(): Promise<void> {
    for (const follower of [...this.followers.values()]) {
      if (this.closed) return;
      const { room, keys } = follower;
      if (!room.isReady || room.seq <= follower.snapshotSeq) continue;
      try {
        const held = await this.command.mwLock(keys.lock, this.id, this.settings.snapshotIntervalMs * 3);
        if (held !== 1 || !room.isReady || this.followers.get(room.projectId) !== follower) continue;
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

/**
 * A stream entry's fields: the entry, or `unreadable` with why when its
 * payload is not one this version knows, or null when it has no place in the
 * sequence (no seq or epoch).
 */
function parseEntry([id, fields]: RawEntry): SharedEntryWithId | (Omit<SharedEntryWithId, 'payload'> & { unreadable: string }) | null {
  const field: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) field[fields[i]!] = fields[i + 1]!;
  const seq = Number(field.s);
  const ts = Number(field.t);
  if (field.e === undefined || !Number.isSafeInteger(seq) || seq < 1 || !Number.isFinite(ts)) return null;
  const placed = { id, epoch: field.e, seq, ts };
  let json: unknown;
  try {
    json = JSON.parse(field.d ?? '');
  } catch {
    return { ...placed, unreadable: 'not JSON' };
  }
  // Validated on every gateway: one entry no gateway can fold must not stop them all.
  const parsed = Payload.safeParse(json);
  if (!parsed.success) return { ...placed, unreadable: parsed.error.issues[0]?.message ?? 'not a payload' };
  return { ...placed, payload: parsed.data, data: field.d };
}

/** Stream ids (`<ms>-<n>`) in order. */
function compareIds(a: string, b: string): number {
  const [aMs = 0, aN = 0] = a.split('-').map(Number);
  const [bMs = 0, bN = 0] = b.split('-').map(Number);
  return aMs - bMs || aN - bN;
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

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
