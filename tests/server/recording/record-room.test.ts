/**
 * recordRoom writing to an output slower than the room: it must not buffer
 * the room's deltas without bound (the gateway's memory), and must still
 * leave a recording that replays to what the room holds.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Payload } from '../../../src/protocol/messages.ts';
import { Gateway } from '../../../src/server/gateway.ts';
import { configureLog } from '../../../src/server/log.ts';
import { gatewaySink } from '../../../src/server/recording/gateway-sink.ts';
import { recordRoom } from '../../../src/server/recording/record-room.ts';
import { replayRecording } from '../../../src/server/recording/replay.ts';
import { CrawlSimulator } from '../../../src/server/simulator/simulator.ts';
import { waitFor } from '../support.ts';
import { roomViewOf } from './support.ts';

const T0 = Date.UTC(2026, 0, 1);
const gateways: Gateway[] = [];
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.close();
  configureLog(null);
});

function gateway(): Gateway {
  const created = new Gateway({ flushIntervalMs: 10 });
  gateways.push(created);
  return created;
}

/** An output that takes nothing until `release` (a disk that stopped, a pipe nobody reads), then everything. */
class StuckOutput extends Writable {
  readonly chunks: Buffer[] = [];
  private held: Array<() => void> = [];
  private stuck = true;

  constructor() {
    super({ highWaterMark: 16 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    if (this.stuck) this.held.push(() => callback());
    else callback();
  }

  release(): void {
    this.stuck = false;
    for (const callback of this.held.splice(0)) callback();
  }

  get lines(): string[] {
    return Buffer.concat(this.chunks).toString('utf8').split('\n').filter((line) => line !== '');
  }
}

const kilobyteEvent = (i: number): Payload => ({ type: 'event', severity: 'info', message: `${i} ${'x'.repeat(1_000)}` });

describe('recording a room to an output that does not keep up', () => {
  it('stops writing deltas past the high-water mark, then catches up with a snapshot once the output drains', async () => {
    const source = gateway();
    const sim = new CrawlSimulator({ seed: 'stuck', size: 24, ratePerSecond: 300, now: T0 });
    source.publishAll('S', sim.initial());
    const out = new StuckOutput();
    const controller = new AbortController();
    const recording = recordRoom(source, 'S', out, { signal: controller.signal });
    await waitFor(() => source.room('S')?.memberCount === 1, 'the recorder joined');

    // 20,000 publishes of about 1 KB each: 20 MB if every delta were buffered.
    for (let i = 0; i < 20_000; i++) {
      expect(source.publish('S', kilobyteEvent(i)).ok).toBe(true);
      // Topology, stats and logs change meanwhile too: the catch-up must carry them.
      if (i % 2_000 === 0) expect(source.publishAll('S', sim.step(200)).ok).toBe(true);
    }
    expect(out.writableLength).toBeLessThan(512 * 1024);

    out.release();
    // The drain brings a catch-up snapshot (its upserts and the newest events), then live deltas again.
    await waitFor(() => out.writableLength === 0 && out.lines.some((line) => line.includes('"message":"19999 ')), 'the catch-up written');
    source.publish('S', { type: 'event', severity: 'warn', message: 'after the catch-up' });
    await waitFor(() => out.lines.at(-1)?.includes('after the catch-up') === true, 'a live delta after the catch-up');
    controller.abort();
    const result = await recording;
    expect(result.stoppedBy).toBe('signal');
    expect(result.snapshots).toBe(2);
    expect(result.messages).toBeLessThan(5_000);

    const target = gateway();
    await replayRecording({ source: out.lines, sink: gatewaySink(target, 'S'), speed: 'max' });
    expect(roomViewOf(target.room('S')!.state.snapshot())).toEqual(roomViewOf(source.room('S')!.state.snapshot()));
  });

  it('catches up at the stop when it stops while behind, so the file ends where the room was', async () => {
    const source = gateway();
    const out = new StuckOutput();
    const controller = new AbortController();
    const recording = recordRoom(source, 'S', out, { signal: controller.signal });
    await waitFor(() => source.room('S')?.memberCount === 1, 'the recorder joined');
    for (let i = 0; i < 200; i++) source.publish('S', kilobyteEvent(i));
    source.publish('S', { type: 'node-upsert', node: { id: 'late', label: 'Late', kind: 'svc', status: 'healthy' } });
    expect(out.writableLength).toBeLessThan(64 * 1024);
    controller.abort();
    out.release();
    const result = await recording;
    expect(result).toMatchObject({ stoppedBy: 'signal', snapshots: 2 });

    const target = gateway();
    await replayRecording({ source: out.lines, sink: gatewaySink(target, 'S'), speed: 'max' });
    expect(roomViewOf(target.room('S')!.state.snapshot())).toEqual(roomViewOf(source.room('S')!.state.snapshot()));
  });

  it('keeps recording, with one warning, when onProgress throws', async () => {
    const warnings: string[] = [];
    configureLog({ level: 'warn', err: (line) => void warnings.push(line) });
    const source = gateway();
    let calls = 0;
    const out = new StuckOutput();
    out.release();
    const recording = recordRoom(source, 'S', out, {
      maxMessages: 3,
      progressIntervalMs: 0,
      onProgress: () => {
        calls++;
        throw new Error('progress bar broke');
      },
    });
    await waitFor(() => source.room('S')?.memberCount === 1, 'the recorder joined');
    for (const message of ['one', 'two', 'three']) expect(source.publish('S', { type: 'event', severity: 'info', message }).ok).toBe(true);
    const result = await recording;
    expect(result).toMatchObject({ messages: 3, stoppedBy: 'max-messages' });
    expect(calls).toBeGreaterThan(1);
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 'warn', error: { message: 'progress bar broke' } });
  });
});
