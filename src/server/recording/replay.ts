/**
 * Plays a recording into a sink (a gateway's `publishAll`, the publisher
 * library's HTTP `publish`), reading it line by line.
 *
 * Pacing: a message recorded at `t` is due at start + t / speed on a
 * monotonic clock. Each group is sent when it is due, measured from the
 * start rather than from the previous group, so time spent in the sink or
 * in a late timer is made up, never added up. A sink slower than the
 * recording makes the replay fall behind (`lagMs` says by how much); it is
 * not dropped from.
 *
 * Grouping: messages due within `groupWindowMs` of a group's first go out
 * in one sink call (the gateway stamps and fans them out together, as it
 * would have), at most `maxGroupSize` per call. At `speed: 'max'` there is
 * no waiting, and groups are just chunks of `maxGroupSize`.
 */
import type { Payload } from '../../protocol/messages.ts';
import { realClock, type RecordingClock } from './clock.ts';
import type { BadLine, RecordingHeader } from './format.ts';
import type { RecordingSource } from './lines.ts';
import { withoutUndefined } from '../options.ts';
import { LoopTopology, mapTimes } from './loop.ts';
import { openRecording } from './reader.ts';

/** Publishes one group, in order; a rejection stops the replay with that error. */
export type ReplaySink = (payloads: Payload[]) => Promise<void>;

export interface ReplayOptions {
  /** A file path, a byte stream (e.g. stdin), or lines. Looping needs a path or a re-iterable (an array). */
  source: RecordingSource;
  sink: ReplaySink;
  /** 1 = as recorded, 10 = ten times faster, 'max' = as fast as the sink takes it. */
  speed: number | 'max';
  /** Start again from the beginning at the end, with times moved on (loop.ts). */
  loop?: boolean;
  /**
   * The times payloads carry (a chart point's `value.t`): `recorded` keeps
   * them (a replay that reproduces the recording exactly); `now` maps the
   * recording's start to the replay's and its pace to the replay's speed, so
   * charts read as live data, in step with the gateway's stamps on events and
   * logs (what offline development wants). Default `recorded`.
   */
  times?: 'recorded' | 'now';
  /** Aborting stops the replay after the group in flight; the promise resolves. */
  signal?: AbortSignal;
  onProgress?: (progress: ReplayProgress) => void;
  /** Least time between two progress reports (the last always comes). Default 500 ms. */
  progressIntervalMs?: number;
  /** Called once the header is read (each pass reads it again; this is called once). */
  onHeader?: (header: RecordingHeader) => void;
  /** Called for every bad line of the first pass (they are skipped). */
  onBadLine?: (bad: BadLine) => void;
  /** Messages due within this long (of wall time) share one sink call. Default 16 ms. */
  groupWindowMs?: number;
  /** Most payloads per sink call. Default 500. */
  maxGroupSize?: number;
  /** Pause between the end of a pass and the start of the next, in recording time. Default 1 000 ms. */
  loopGapMs?: number;
  clock?: RecordingClock;
}

export interface ReplayProgress {
  /** Payloads sent so far (all passes). */
  messages: number;
  /** Passes completed. */
  loops: number;
  /** `t` of the last group sent, within its pass. */
  positionMs: number;
  /** Bytes of the current pass read so far, and the file's size (null for a stream): a percentage. */
  bytesRead: number;
  totalBytes: number | null;
  badLines: number;
  /** How far the replay is behind its schedule (a slow sink); 0 at 'max'. */
  lagMs: number;
}

export interface ReplayResult {
  /** Payloads sent (all passes, restart deletes included). */
  messages: number;
  /** Passes played to the end. */
  loops: number;
  /** Lines skipped in the file (counted once, not per pass). */
  badLines: number;
  durationMs: number;
  stoppedBy: 'end' | 'signal';
}

export const REPLAY_DEFAULTS = { groupWindowMs: 16, maxGroupSize: 500, loopGapMs: 1_000, progressIntervalMs: 500 } as const;

export async function replayRecording(options: ReplayOptions): Promise<ReplayResult> {
  const { source, sink, speed, loop = false, signal, onProgress, clock = realClock } = options;
  const { groupWindowMs, maxGroupSize, loopGapMs, progressIntervalMs } = { ...REPLAY_DEFAULTS, ...withoutUndefined(options) };
  if (speed !== 'max' && !(typeof speed === 'number' && Number.isFinite(speed) && speed > 0)) {
    throw new RangeError(`speed must be a positive number or 'max', not ${String(speed)}`);
  }
  if (!(maxGroupSize >= 1)) throw new RangeError('maxGroupSize must be at least 1');
  if (loop && !isRereadable(source)) throw new TypeError('a looping replay needs a file path or an array of lines: a stream can be read only once');

  const startedAt = clock.now();
  const wallStart = clock.wallNow();
  /** The recording's start (its header), read on the first pass. */
  let recordedStart = 0;
  const topology = new LoopTopology();
  let messages = 0;
  let loops = 0;
  let badLines = 0;
  let lastReportAt = -Infinity;
  /** Recording time at which the current pass starts: the earlier passes' lengths and gaps. */
  let passStart = 0;

  const aborted = () => signal?.aborted === true;

  for (let pass = 0; !aborted(); pass++) {
    const reader = await openRecording(source, pass === 0 && options.onBadLine ? { onBadLine: options.onBadLine } : {});
    if (pass === 0) {
      recordedStart = reader.header.startedAt;
      options.onHeader?.(reader.header);
    }
    // Recording time r (ms since the epoch, as recorded) on this pass, as the replay shows it.
    const retime =
      options.times !== 'now'
        ? (r: number) => r + passStart
        : speed === 'max'
          ? (r: number) => r + passStart + (wallStart - recordedStart)
          : (r: number) => wallStart + (r + passStart - recordedStart) / speed;
    let group: Payload[] = [];
    let groupT = 0;
    let lastT = 0;
    let firstT: number | null = null;
    let sentInPass = 0;
    let lagMs = 0;

    const report = (force: boolean) => {
      const now = clock.now();
      if (!onProgress || (!force && now - lastReportAt < progressIntervalMs)) return;
      lastReportAt = now;
      onProgress({ messages, loops, positionMs: groupT, bytesRead: reader.bytesRead, totalBytes: reader.totalBytes, badLines: pass === 0 ? reader.badLines : badLines, lagMs });
    };
    /** Sends the group when it is due; false if the replay was stopped meanwhile. */
    const flush = async (): Promise<boolean> => {
      if (group.length === 0) return true;
      if (speed !== 'max') {
        const due = startedAt + (passStart + groupT) / speed;
        const wait = due - clock.now();
        if (wait > 0) await clock.sleep(wait, signal);
        if (aborted()) return false;
        lagMs = Math.max(0, Math.round(clock.now() - due));
      }
      const payloads = group;
      group = [];
      await sink(payloads);
      messages += payloads.length;
      sentInPass += payloads.length;
      report(false);
      return !aborted();
    };

    try {
      if (pass > 0) {
        // What the last pass added goes before this pass's first snapshot puts back the start.
        const restart = topology.restartPayloads();
        if (restart.length > 0) group.push(...restart);
      }
      for await (const message of reader.messages()) {
        const t = Math.max(lastT, message.t);
        lastT = t;
        firstT ??= t;
        if (pass === 0 && t > firstT) topology.markStart();
        const sinceGroupStart = (t - groupT) / (speed === 'max' ? 1 : speed);
        if (group.length >= maxGroupSize || (group.length > 0 && speed !== 'max' && sinceGroupStart > groupWindowMs)) {
          if (!(await flush())) break;
        }
        if (group.length === 0) groupT = t;
        const payload = mapTimes(message.data, retime);
        topology.observe(payload);
        group.push(payload);
      }
      if (!aborted()) await flush();
      if (pass === 0) {
        topology.markStart();
        badLines = reader.badLines;
      }
    } finally {
      report(true);
      await reader.close();
    }
    if (aborted()) break;
    loops++;
    // A pass that sent nothing (an empty recording, a used-up iterable) would loop forever.
    if (!loop || sentInPass === 0) break;
    passStart += lastT + loopGapMs;
  }
  return { messages, loops, badLines, durationMs: Math.max(0, Math.round(clock.now() - startedAt)), stoppedBy: aborted() ? 'signal' : 'end' };
}

function isRereadable(source: RecordingSource): boolean {
  return typeof source === 'string' || Array.isArray(source);
}
