/**
 * One recording in progress, whatever feeds it (a client socket or a room
 * membership): it writes the first snapshot at t = 0, every delta at the
 * time the gateway stamped it, catches up on later snapshots, and stops at
 * the limits it was given.
 *
 * `t` comes from the envelopes' `ts`, not from when frames arrived: the
 * gateway batches deltas (every 50–100 ms), and arrival times would lump
 * every batch into one instant. The gateway's clock is tied to ours by the
 * smallest (arrival − ts) seen, so `t` never runs ahead of what has arrived,
 * and it never goes backwards.
 */
import type { SnapshotState } from '../../protocol/frames.ts';
import type { Envelope, Payload } from '../../protocol/messages.ts';
import { log } from '../log.ts';
import { ProjectState } from '../project-state.ts';
import { catchUp } from './catch-up.ts';
import type { RecordingClock } from './clock.ts';
import { RECORDING_VERSION, RECORDING_MARKER, type RecordingHeader } from './format.ts';
import { snapshotEnvelopes } from './snapshot-messages.ts';
import { RecordingWriter, type RecordingOutput } from './writer.ts';

/** What a recorder reports as it goes, for a CLI's progress line. */
export interface RecordProgress {
  /** Message lines written so far, the first snapshot's included. */
  messages: number;
  /** Bytes written so far, header included. */
  bytes: number;
  /** Time since the recording began. */
  elapsedMs: number;
  /** `t` of the last line written. */
  positionMs: number;
  /** The last seq recorded. */
  seq: number;
  /** Snapshots written: 1, plus one per reset or resync. */
  snapshots: number;
  /** Stats messages the gateway dropped for this recorder because it read too slowly (a lossy recording). */
  coalesced: number;
}

export type RecordStopReason = 'signal' | 'max-duration' | 'max-messages' | 'closed';

export interface RecordResult {
  messages: number;
  /** Time from the first snapshot to the stop. */
  durationMs: number;
  /** The file's size. */
  bytes: number;
  stoppedBy: RecordStopReason;
  snapshots: number;
  coalesced: number;
  header: RecordingHeader;
  /**
   * How the gateway closed the connection, when that ended the recording
   * (`stoppedBy: 'closed'`): the code, and what it means with what the
   * gateway said (`gateway going away: gateway shutting down`).
   */
  close?: { code: number; reason: string };
}

/**
 * When to stop, and whom to tell how it goes; all optional. A callback that
 * throws is not the recording's problem: its error is logged (once per
 * callback) and the recording goes on.
 */
export interface RecordLimits {
  /** Aborting stops the recording cleanly (the file is closed, the promise resolves). */
  signal?: AbortSignal;
  maxDurationMs?: number;
  /** Message lines, the first snapshot's included; the file holds at most this many. */
  maxMessages?: number;
  onProgress?: (progress: RecordProgress) => void;
  /** Least time between two progress reports (the first and the last always come). Default 500 ms. */
  progressIntervalMs?: number;
  /** Called once the header is written, before the first snapshot. */
  onStart?: (header: RecordingHeader) => void;
}

export class RecordingSession {
  readonly header: RecordingHeader;
  readonly ended: Promise<RecordStopReason>;
  private readonly writer: RecordingWriter;
  /** What the recording has written so far, folded as a gateway would: what a later snapshot is compared with. */
  private readonly written = new ProjectState();
  private readonly startedAt: number;
  private readonly stopTimer = new AbortController();
  private endWith: (reason: RecordStopReason) => void = () => {};
  private stopReason: RecordStopReason | null = null;
  private lastT = 0;
  private lastSeq = 0;
  /** Smallest (local elapsed − envelope ts) seen: maps the gateway's clock onto ours. */
  private offset = Infinity;
  private snapshots = 0;
  private coalesced = 0;
  private lastProgressAt = -Infinity;
  /** Callbacks that have thrown, each warned about once. */
  private readonly failedCallbacks = new Set<string>();

  constructor(
    out: RecordingOutput,
    header: Pick<RecordingHeader, 'project' | 'source'>,
    private readonly limits: RecordLimits,
    private readonly clock: RecordingClock,
  ) {
    this.ended = new Promise((resolve) => (this.endWith = resolve));
    this.startedAt = clock.now();
    this.header = { meshwatch: RECORDING_MARKER, version: RECORDING_VERSION, project: header.project, startedAt: clock.wallNow(), source: header.source };
    this.writer = new RecordingWriter(out, this.header);
    this.writer.onError(() => this.stop('closed'));
    const { onStart } = limits;
    if (onStart) this.callSafely('onStart', () => onStart(this.header));
    if (limits.signal?.aborted) this.stop('signal');
    limits.signal?.addEventListener('abort', () => this.stop('signal'), { once: true, signal: this.stopTimer.signal });
    if (limits.maxDurationMs !== undefined) {
      void clock.sleep(limits.maxDurationMs, this.stopTimer.signal).then(() => this.stop('max-duration'));
    }
  }

  get stopped(): boolean {
    return this.stopReason !== null;
  }

  /** Calls `listener` once the file has taken what was buffered (after a write returned false). */
  onDrain(listener: () => void): void {
    this.writer.onDrain(listener);
  }

  /**
   * A snapshot: the first is written whole at t = 0; a later one (reset,
   * resync) as what makes the replay hold what it holds (catch-up.ts).
   * Returns false when the writer wants to drain.
   */
  snapshot(state: SnapshotState, seq: number): boolean {
    if (this.stopped) return true;
    return this.writeSnapshot(state, seq);
  }

  /**
   * A snapshot written after the stop, as the recording's last lines: the
   * catch-up of a recorder that skipped deltas while the file was behind
   * (recordRoom), so the file ends where the project was. Nothing is written
   * if the file failed, never began, or is full (`maxMessages`).
   */
  finalSnapshot(state: SnapshotState, seq: number): void {
    if (this.writer.error || this.snapshots === 0) return;
    this.writeSnapshot(state, seq);
  }

  private writeSnapshot(state: SnapshotState, seq: number): boolean {
    this.snapshots++;
    const ts = this.clock.wallNow();
    let ok = true;
    if (this.snapshots === 1) {
      ok = this.writeAll(snapshotEnvelopes(seq, ts, state), 0);
    } else {
      // No envelope dates a snapshot: it goes where the stream was.
      const { deletes, state: rest } = catchUp(this.written.snapshot(), state);
      ok = this.writeAll([...deletes.map((data): Envelope => ({ seq, ts, data })), ...snapshotEnvelopes(seq, ts, rest)], this.lastT);
    }
    this.lastSeq = seq;
    this.report(this.snapshots === 1);
    return ok;
  }

  /** Live messages, in seq order. Returns false when the writer wants to drain. */
  deltas(envelopes: readonly Envelope[]): boolean {
    if (this.stopped) return true;
    const elapsed = this.clock.now() - this.startedAt;
    let ok = true;
    for (const envelope of envelopes) {
      this.offset = Math.min(this.offset, elapsed - envelope.ts);
      const t = Math.max(this.lastT, Math.round(envelope.ts + this.offset));
      ok = this.writeAll([envelope], t) && ok;
      this.lastSeq = envelope.seq;
      if (this.stopped) break;
    }
    this.report(false);
    return ok;
  }

  /** Stats the gateway coalesced away for this recorder. */
  noteCoalesced(count: number): void {
    this.coalesced += count;
  }

  /** Ends the recording (the first reason wins); `finish` then closes the file. */
  stop(reason: RecordStopReason): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.stopTimer.abort();
    this.endWith(reason);
  }

  /** Closes the file and says what was recorded; rejects if the file could not be written. */
  async finish(close?: { code: number; reason: string }): Promise<RecordResult> {
    this.stop('closed');
    await this.writer.close();
    this.report(true);
    const result: RecordResult = {
      messages: this.writer.messages,
      durationMs: Math.max(0, Math.round(this.clock.now() - this.startedAt)),
      bytes: this.writer.bytes,
      stoppedBy: this.stopReason!,
      snapshots: this.snapshots,
      coalesced: this.coalesced,
      header: this.header,
    };
    if (close && result.stoppedBy === 'closed') result.close = close;
    return result;
  }

  private writeAll(envelopes: readonly Envelope[], t: number): boolean {
    let ok = true;
    for (const { seq, ts, data } of envelopes) {
      if (this.limits.maxMessages !== undefined && this.writer.messages >= this.limits.maxMessages) {
        this.stop('max-messages');
        break;
      }
      ok = this.writer.write({ t, ts, seq, data }) && ok;
      this.fold(data, ts);
      this.lastT = t;
    }
    if (this.limits.maxMessages !== undefined && this.writer.messages >= this.limits.maxMessages) this.stop('max-messages');
    return ok;
  }

  private fold(payload: Payload, ts: number): void {
    // The gateway refused what would pass its topology caps; the mirror need not check again.
    this.written.apply(payload, ts);
  }

  private report(force: boolean): void {
    const { onProgress, progressIntervalMs = 500 } = this.limits;
    if (!onProgress) return;
    const now = this.clock.now();
    if (!force && now - this.lastProgressAt < progressIntervalMs) return;
    this.lastProgressAt = now;
    const progress: RecordProgress = {
      messages: this.writer.messages,
      bytes: this.writer.bytes,
      elapsedMs: Math.max(0, Math.round(now - this.startedAt)),
      positionMs: this.lastT,
      seq: this.lastSeq,
      snapshots: this.snapshots,
      coalesced: this.coalesced,
    };
    this.callSafely('onProgress', () => onProgress(progress));
  }

  /**
   * Runs a caller's callback. It runs inside a socket's message handler or a
   * room's publish, where a throw would be an uncaught exception (or fail the
   * publisher's publish): it is logged instead, once per callback.
   */
  private callSafely(name: 'onStart' | 'onProgress', callback: () => void): void {
    try {
      callback();
    } catch (error) {
      if (this.failedCallbacks.has(name)) return;
      this.failedCallbacks.add(name);
      log.warn(`recording: the ${name} callback threw; ignored (and not reported again for this recording)`, { project: this.header.project, error });
    }
  }
}
