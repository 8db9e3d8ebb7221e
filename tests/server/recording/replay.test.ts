import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Payload } from '../../../src/protocol/messages.ts';
import { formatHeader, formatMessage, type RecordingHeader } from '../../../src/server/recording/format.ts';
import { replayRecording, type ReplayOptions, type ReplayProgress } from '../../../src/server/recording/replay.ts';
import { SteppedClock } from './support.ts';

const T0 = Date.UTC(2026, 0, 1);
const HEADER: RecordingHeader = { meshwatch: 'recording', version: 1, project: 'demo', startedAt: T0, source: 'test' };

const event = (message: string): Payload => ({ type: 'event', severity: 'info', message });
const node = (id: string): Payload => ({ type: 'node-upsert', node: { id, label: id, kind: 'svc', status: 'healthy' } });
const edge = (id: string, source: string, target: string): Payload => ({ type: 'edge-upsert', edge: { id, source, target } });
const point = (t: number): Payload => ({ type: 'chart-point', series: 'rps', value: { t, y: 1 } });

/** A recording's lines: the header, then `[t, payload]` as message lines. */
function recording(messages: Array<[number, Payload]>): string[] {
  return [formatHeader(HEADER), ...messages.map(([t, data]) => formatMessage({ t, ts: T0 + t, data }))];
}

/** Events named by their `t`, so each sink call shows which messages it carried. */
const atTimes = (...times: number[]) => recording(times.map((t, i) => [t, event(`${t}#${i}`)]));

interface SinkCall {
  at: number;
  payloads: Payload[];
}

/** Replays `lines` on a stepped clock; the sink notes when (on that clock) each call came and may take time itself. */
async function replay(lines: string[], options: Partial<ReplayOptions> & { sinkTakesMs?: number; stopAfterCalls?: number } = {}) {
  const { sinkTakesMs = 0, stopAfterCalls, ...rest } = options;
  const clock = new SteppedClock();
  const calls: SinkCall[] = [];
  const controller = new AbortController();
  const progress: ReplayProgress[] = [];
  const result = await replayRecording({
    source: lines,
    speed: 1,
    clock,
    signal: controller.signal,
    progressIntervalMs: 0,
    onProgress: (p) => progress.push(p),
    sink: async (payloads) => {
      calls.push({ at: clock.now(), payloads });
      clock.advance(sinkTakesMs);
      if (stopAfterCalls !== undefined && calls.length >= stopAfterCalls) controller.abort();
    },
    ...rest,
  });
  const names = calls.map((call) => call.payloads.map((p) => (p.type === 'event' ? p.message.split('#')[0] : p.type)).join(' '));
  return { result, calls, names, times: calls.map((call) => call.at), sleeps: clock.sleeps, progress };
}

describe('replaying a recording', () => {
  it('sends messages at their recorded times at 1×, grouping those within the window', async () => {
    const { names, times } = await replay(atTimes(0, 0, 0, 5, 30, 1_000, 1_010, 2_500));
    expect(names).toEqual(['0 0 0 5', '30', '1000 1010', '2500']);
    expect(times).toEqual([0, 30, 1_000, 2_500]);
  });

  it('compresses time at 10×, with a window measured in wall time', async () => {
    const { names, times } = await replay(atTimes(0, 5, 30, 150, 200, 1_000, 1_010, 2_500), { speed: 10 });
    // 16 ms of wall time is 160 ms of recording at 10×.
    expect(names).toEqual(['0 5 30 150', '200', '1000 1010', '2500']);
    expect(times).toEqual([0, 20, 100, 250]);
  });

  it('slows time down below 1×', async () => {
    const { times } = await replay(atTimes(0, 100, 200), { speed: 0.5 });
    expect(times).toEqual([0, 200, 400]);
  });

  it("sends as fast as the sink takes them at 'max', in chunks of maxGroupSize, without sleeping", async () => {
    const { names, sleeps, result } = await replay(atTimes(0, 1, 2, 5_000, 60_000), { speed: 'max', maxGroupSize: 2 });
    expect(names).toEqual(['0 1', '2 5000', '60000']);
    expect(sleeps).toEqual([]);
    expect(result).toMatchObject({ messages: 5, loops: 1, badLines: 0, stoppedBy: 'end' });
  });

  it('caps a group at maxGroupSize at a finite speed too', async () => {
    const { names, times } = await replay(atTimes(0, 0, 0, 0, 0), { maxGroupSize: 2 });
    expect(names).toEqual(['0 0', '0 0', '0']);
    expect(times).toEqual([0, 0, 0]);
  });

  it('keeps to the schedule when the sink takes time: delays do not add up', async () => {
    const { times, sleeps } = await replay(atTimes(0, 100, 200, 300), { sinkTakesMs: 30 });
    expect(times).toEqual([0, 100, 200, 300]);
    expect(sleeps).toEqual([70, 70, 70]);
  });

  it('falls behind, without sleeping or dropping, when the sink is slower than the recording, and says by how much', async () => {
    const { times, sleeps, result, progress } = await replay(atTimes(0, 50, 100, 150), { sinkTakesMs: 80 });
    expect(times).toEqual([0, 80, 160, 240]);
    expect(sleeps).toEqual([]);
    expect(result.messages).toBe(4);
    expect(progress.at(-1)!.lagMs).toBe(90);
  });

  it('treats a time that goes backwards as no time at all', async () => {
    const { times } = await replay(atTimes(0, 500, 200, 600));
    expect(times).toEqual([0, 500, 600]);
  });

  it('skips bad lines, counting them, and plays the rest', async () => {
    const lines = atTimes(0, 10);
    lines.splice(2, 0, 'garbage', '{"t":5,"ts":0,"data":{"type":"bogus"}}');
    const { result, names } = await replay(lines, { speed: 'max' });
    expect(result).toMatchObject({ messages: 2, badLines: 2 });
    expect(names).toEqual(['0 10']);
  });

  it('stops at an abort during a wait, without sending what was waiting', async () => {
    const lines = atTimes(0, 1_000, 2_000);
    const controller = new AbortController();
    const clock = new SteppedClock();
    clock.sleep = async (ms) => {
      clock.sleeps.push(ms);
      controller.abort();
    };
    const sent: Payload[][] = [];
    const result = await replayRecording({ source: lines, speed: 1, clock, signal: controller.signal, sink: async (p) => void sent.push(p) });
    expect(sent).toHaveLength(1);
    expect(result).toMatchObject({ messages: 1, loops: 0, stoppedBy: 'signal' });
  });

  it('reports progress a CLI can print: messages, position, bytes', async () => {
    const lines = atTimes(0, 1_000, 2_000);
    const { progress } = await replay(lines);
    expect(progress.map((p) => [p.messages, p.positionMs])).toEqual([
      [1, 0],
      [2, 1_000],
      [3, 2_000],
      [3, 2_000],
    ]);
    expect(progress.at(-1)!.bytesRead).toBe(Buffer.byteLength(lines.join('\n') + '\n'));
  });

  it('refuses a speed that is not a positive number', async () => {
    for (const speed of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(replayRecording({ source: atTimes(0), speed, sink: async () => {} })).rejects.toThrow(RangeError);
    }
  });

  it('refuses to loop over a stream, which can be read only once', async () => {
    const stream = Readable.from([atTimes(0).join('\n')]);
    await expect(replayRecording({ source: stream, speed: 'max', loop: true, sink: async () => {} })).rejects.toThrow(/loop/);
  });
});

describe('looping a replay', () => {
  const lines = recording([
    [0, node('a')],
    [0, node('b')],
    [0, edge('a-b', 'a', 'b')],
    [0, point(T0)],
    [500, node('scaled')],
    [500, edge('a-scaled', 'a', 'scaled')],
    [600, node('brief')],
    [700, { type: 'node-delete', id: 'brief' }],
    [1_000, point(T0 + 1_000)],
  ]);

  it('starts each pass after the last one plus the gap, with chart times moved on by as much', async () => {
    const { calls, result } = await replay(lines, { loop: true, loopGapMs: 500, stopAfterCalls: 12 });
    const points = calls.flatMap((call) => call.payloads.flatMap((p) => (p.type === 'chart-point' ? [[call.at, p.value.t - T0]] : [])));
    // Pass 1 at 0 and 1000; pass 2 starts at 1500, pass 3 at 3000: recording time and chart time move together.
    expect(points).toEqual([
      [0, 0],
      [1_000, 1_000],
      [1_500, 1_500],
      [2_500, 2_500],
      [3_000, 3_000],
    ]);
    expect(result).toMatchObject({ loops: 2, stoppedBy: 'signal' });
  });

  it('deletes what a pass added before the next pass starts, so each pass starts from the same mesh', async () => {
    const { calls } = await replay(lines, { loop: true, speed: 'max', stopAfterCalls: 2 });
    expect(calls[1]!.payloads.slice(0, 2)).toEqual([
      { type: 'edge-delete', id: 'a-scaled' },
      { type: 'node-delete', id: 'scaled' },
    ]);
    // Then the start again: what the first snapshot upserts.
    expect(calls[1]!.payloads[2]).toEqual(node('a'));
  });

  it('counts bad lines once, not once per pass', async () => {
    const withBad = [...lines, 'garbage'];
    const { result } = await replay(withBad, { loop: true, speed: 'max', stopAfterCalls: 3 });
    expect(result.badLines).toBe(1);
  });

  it('stops looping over a recording with no messages', async () => {
    const { result, calls } = await replay([formatHeader(HEADER)], { loop: true, speed: 'max' });
    expect(result).toMatchObject({ messages: 0, loops: 1, stoppedBy: 'end' });
    expect(calls).toEqual([]);
  });
});

describe("a replay's chart times", () => {
  /** A day after the recording: what `times: 'now'` maps its start to. */
  const LATER = T0 + 86_400_000;
  class LaterClock extends SteppedClock {
    override wallNow(): number {
      return LATER + this.time;
    }
  }
  const lines = recording([
    [0, point(T0 - 2_000)], // history the snapshot carried, from before the recording began
    [1_000, point(T0 + 1_000)],
    [3_000, point(T0 + 3_000)],
  ]);
  const pointTimes = (calls: SinkCall[]) => calls.flatMap((call) => call.payloads.flatMap((p) => (p.type === 'chart-point' ? [p.value.t] : [])));

  it('keeps the recorded times by default', async () => {
    const { calls } = await replay(lines, { clock: new LaterClock() });
    expect(pointTimes(calls)).toEqual([T0 - 2_000, T0 + 1_000, T0 + 3_000]);
  });

  it("maps them to the replay's clock and speed with times: 'now', history included", async () => {
    const at2x = await replay(lines, { clock: new LaterClock(), times: 'now', speed: 2 });
    expect(pointTimes(at2x.calls)).toEqual([LATER - 1_000, LATER + 500, LATER + 1_500]);
    const atMax = await replay(lines, { clock: new LaterClock(), times: 'now', speed: 'max' });
    expect(pointTimes(atMax.calls)).toEqual([LATER - 2_000, LATER + 1_000, LATER + 3_000]);
  });

  it("keeps moving forward pass after pass with times: 'now' and a loop", async () => {
    const { calls } = await replay(lines, { clock: new LaterClock(), times: 'now', loop: true, loopGapMs: 1_000, stopAfterCalls: 6 });
    // The second pass starts 3,000 + 1,000 ms after the first.
    expect(pointTimes(calls)).toEqual([LATER - 2_000, LATER + 1_000, LATER + 3_000, LATER + 2_000, LATER + 5_000, LATER + 7_000]);
  });
});
