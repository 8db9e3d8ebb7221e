import type { Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CLOSE_CODES } from '../../src/protocol/close-codes.ts';
import { PROTOCOL_VERSION, SUBPROTOCOL } from '../../src/protocol/frames.ts';
import type { Envelope, Payload } from '../../src/protocol/messages.ts';
import type { Connection } from '../../src/server/connection.ts';
import { expectContiguousRanges, gatewayConnections, startGateway, waitFor, type RunningGateway } from './support.ts';

setFlagsFromString('--expose-gc');
/** A full collection, so heap figures compare live data rather than garbage. */
const gc = runInNewContext('gc') as () => void;

const SERIES = ['cpu', 'mem', 'rps', 'lat'];
const EDGES = ['a->b', 'b->c'];
const LONG_TEXT = 'x'.repeat(1_000);

/** Mostly stats for a few series and edges (what coalesces), one event in ten (what never does). */
function payloadAt(i: number): Payload {
  if (i % 10 === 0) return { type: 'event', message: `event ${i} ${LONG_TEXT}`, severity: 'info' };
  if (i % 10 < 7) return { type: 'chart-point', series: SERIES[i % SERIES.length]!, value: { t: i, y: i } };
  return { type: 'edge-stats', id: EDGES[i % EDGES.length]!, stats: { rps: i, errorRate: 0, p95Ms: 1 } };
}

/**
 * A v1 reader that keeps figures rather than envelopes, so that a few hundred
 * thousand messages cost the test process (which is also the gateway's) little.
 */
class StreamReader {
  readonly socket: WebSocket;
  snapshotSeq: number | null = null;
  readonly ranges: { from: number; to: number; coalesced: number; count: number }[] = [];
  envelopes = 0;
  events = 0;
  /** Envelopes whose seq is outside their batch's range or not after the one before. */
  misplaced = 0;
  lastSeq = 0;
  readonly latest = new Map<string, number>();
  closeEvent: { code: number; reason: string } | null = null;

  constructor(url: string) {
    this.socket = new WebSocket(url, [SUBPROTOCOL]);
    this.socket.on('error', () => {});
    this.socket.on('open', () => this.socket.send(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION })));
    this.socket.on('close', (code, reason) => (this.closeEvent = { code, reason: reason.toString() }));
    this.socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; seq?: number; from?: number; to?: number; coalesced?: number; messages?: Envelope[] };
      if (frame.type === 'snapshot') this.snapshotSeq = frame.seq!;
      if (frame.type !== 'batch') return;
      const messages = frame.messages!;
      this.ranges.push({ from: frame.from!, to: frame.to!, coalesced: frame.coalesced ?? 0, count: messages.length });
      for (const { seq, data: payload } of messages) {
        if (seq < frame.from! || seq > frame.to! || seq <= this.lastSeq) this.misplaced++;
        this.lastSeq = seq;
        this.envelopes++;
        if (payload.type === 'event') this.events++;
        else if (payload.type === 'chart-point') this.latest.set(`s:${payload.series}`, payload.value.y);
        else if (payload.type === 'edge-stats') this.latest.set(`e:${payload.id}`, payload.stats.rps);
      }
    });
  }

  get lastTo(): number {
    return this.ranges.at(-1)?.to ?? this.snapshotSeq ?? 0;
  }

  get coalesced(): number {
    return this.ranges.reduce((sum, range) => sum + range.coalesced, 0);
  }

  /** Stops reading from the TCP socket: the kernel's buffers fill, then the gateway's. */
  pause(): void {
    (this.socket as unknown as { _socket: Socket })._socket.pause();
  }

  resume(): void {
    (this.socket as unknown as { _socket: Socket })._socket.resume();
  }

  close(): void {
    this.socket.terminate();
  }
}

let running: RunningGateway | null = null;
const readers: StreamReader[] = [];

async function reader(): Promise<StreamReader> {
  const r = new StreamReader(running!.url('p1'));
  readers.push(r);
  await waitFor(() => r.snapshotSeq !== null, 'snapshot');
  return r;
}

/** Internal state of a connection the test samples; not part of any API. */
function inside(connection: Connection): { degraded: boolean; socketBuffered: number } {
  const internals = connection as unknown as { degraded: boolean; socket: WebSocket };
  return { degraded: internals.degraded, socketBuffered: internals.socket.bufferedAmount };
}

afterEach(async () => {
  for (const r of readers.splice(0)) r.close();
  await running?.close();
  running = null;
});

const MiB = 1024 * 1024;

describe('gateway with a slow consumer', () => {
  it('degrades a reader that stops, then closes it with 4409, within bounded memory, while a healthy reader gets every seq', { timeout: 60_000 }, async () => {
    const SOFT = 64 * 1024;
    const MAX = 1 * MiB;
    const MAX_BATCH = 500;
    // Long enough for the stalled reader to read its close frame once it reads again.
    running = await startGateway({ flushIntervalMs: 10, softBufferedBytes: SOFT, maxBufferedBytes: MAX, maxBatchMessages: MAX_BATCH, closeTimeoutMs: 60_000 });
    const gw = running.gateway;
    const healthy = await reader();
    const slow = await reader();
    const [healthyConnection, slowConnection] = gatewayConnections(gw);
    expect(gatewayConnections(gw)).toHaveLength(2);
    slow.pause();

    // One batch: as many envelopes as a batch holds, each as long as the longest published.
    const longest = JSON.stringify({ seq: 1e6, ts: Date.now(), data: payloadAt(0) }).length;
    const oneBatch = MAX_BATCH * longest + 200;

    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    /** Heap after a full collection, every 25,000 messages: what is live, garbage aside. */
    let liveHeapPeak = heapBefore;
    let peakBuffered = 0;
    let peakSocketBuffered = 0;
    let healthyDegraded = false;
    let degradedAt: number | null = null;
    let closedAt: number | null = null;
    const sample = () => {
      if (!slowConnection!.isDetached) {
        peakBuffered = Math.max(peakBuffered, slowConnection!.bufferedBytes);
        peakSocketBuffered = Math.max(peakSocketBuffered, inside(slowConnection!).socketBuffered);
      }
      healthyDegraded ||= inside(healthyConnection!).degraded;
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    };

    const TARGET = 200_000;
    let published = 0;
    while ((published < TARGET || closedAt === null) && published < 1_000_000) {
      for (let k = 0; k < 250; k++) {
        gw.publish('p1', payloadAt(published++));
        if (k % 50 === 0) sample();
      }
      sample();
      if (published % 25_000 === 0) {
        gc();
        liveHeapPeak = Math.max(liveHeapPeak, process.memoryUsage().heapUsed);
      }
      const { slowConsumersDegraded, slowConsumersClosed } = gw.stats();
      if (degradedAt === null && slowConsumersDegraded > 0) degradedAt = published;
      if (closedAt === null && slowConsumersClosed > 0) closedAt = published;
      // Let the sockets move: the healthy reader reads, the stalled one does not.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const last = gw.room('p1')!.seq;
    await waitFor(() => healthy.lastTo === last, 'healthy reader caught up', 15_000);
    gc();
    const heapAfter = process.memoryUsage().heapUsed;

    const stats = gw.stats();
    console.log(
      `[slow consumer] published: ${published}; degraded after ${degradedAt}, closed after ${closedAt}; ` +
        `peak buffered: ${(peakBuffered / MiB).toFixed(2)} MiB (socket ${(peakSocketBuffered / MiB).toFixed(2)} MiB, ` +
        `bound ${((MAX + 2 * oneBatch) / MiB).toFixed(2)} MiB); heap: peak +${((heapPeak - heapBefore) / MiB).toFixed(1)} MiB (garbage included), ` +
        `peak live +${((liveHeapPeak - heapBefore) / MiB).toFixed(1)} MiB, at the end +${((heapAfter - heapBefore) / MiB).toFixed(1)} MiB; coalesced: ${stats.messagesCoalesced}`,
    );

    expect(degradedAt).not.toBeNull();
    expect(closedAt).not.toBeNull();
    expect(degradedAt!).toBeLessThan(closedAt!);
    expect(stats.slowConsumersDegraded).toBe(1);
    expect(stats.slowConsumersClosed).toBe(1);
    expect(stats.messagesCoalesced).toBeGreaterThan(0);
    expect(slowConnection!.isDetached).toBe(true);
    // What the stalled connection held: the send buffer up to the limit, plus the one frame written
    // just under it, plus what was queued for the next.
    expect(peakSocketBuffered).toBeLessThanOrEqual(MAX + oneBatch);
    expect(peakBuffered).toBeLessThanOrEqual(MAX + 2 * oneBatch);
    expect(liveHeapPeak - heapBefore).toBeLessThan(64 * MiB);
    expect(heapAfter - heapBefore).toBeLessThan(64 * MiB);

    // The healthy reader: every seq, in contiguous ranges, never coalesced, never degraded.
    expect(healthyDegraded).toBe(false);
    expect(healthy.closeEvent).toBeNull();
    expectContiguousRanges(healthy.ranges, healthy.snapshotSeq! + 1);
    expect(healthy.envelopes).toBe(last - healthy.snapshotSeq!);
    expect(healthy.coalesced).toBe(0);
    expect(healthy.misplaced).toBe(0);

    // The stalled reader reads again: what it was sent, in contiguous ranges, then the close.
    slow.resume();
    await waitFor(() => slow.closeEvent !== null, 'close frame', 15_000);
    expect(slow.closeEvent!.code).toBe(CLOSE_CODES.tooSlow);
    expect(JSON.parse(slow.closeEvent!.reason)).toMatchObject({ reason: 'too slow to keep up' });
    expectContiguousRanges(slow.ranges, slow.snapshotSeq! + 1);
    expect(slow.misplaced).toBe(0);
    expect(slow.coalesced).toBeGreaterThan(0);
    expect(slow.lastTo).toBeLessThan(last);
  });

  it('gives a degraded reader that reads again coalesced batches with contiguous ranges, then full batches once it has caught up', { timeout: 30_000 }, async () => {
    // A limit it never reaches: this reader is only ever degraded.
    running = await startGateway({ flushIntervalMs: 10, softBufferedBytes: 64 * 1024, maxBufferedBytes: 512 * MiB });
    const gw = running.gateway;
    const slow = await reader();
    const [connection] = gatewayConnections(gw);
    slow.pause();

    let published = 0;
    let events = 0;
    const latest = new Map<string, number>();
    const publish = (payload: Payload) => {
      gw.publish('p1', payload);
      published++;
      if (payload.type === 'event') events++;
      if (payload.type === 'chart-point') latest.set(`s:${payload.series}`, payload.value.y);
      if (payload.type === 'edge-stats') latest.set(`e:${payload.id}`, payload.stats.rps);
    };
    // Past the kernel's buffers, into the gateway's, until a good share has been coalesced.
    while ((gw.stats().messagesCoalesced < 5_000 || !inside(connection!).degraded) && published < 1_000_000) {
      for (let k = 0; k < 250; k++) publish(payloadAt(published));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(gw.stats().slowConsumersDegraded).toBe(1);
    expect(inside(connection!).degraded).toBe(true);

    slow.resume();
    publish({ type: 'event', message: 'after resuming', severity: 'info' });
    const last = gw.room('p1')!.seq;
    await waitFor(() => slow.lastTo === last, 'caught up', 20_000);

    expectContiguousRanges(slow.ranges, slow.snapshotSeq! + 1);
    expect(slow.misplaced).toBe(0);
    expect(slow.coalesced).toBeGreaterThan(0);
    // Every seq is accounted for: sent, or left out for a later value of its series or edge.
    for (const range of slow.ranges) expect(range.count + range.coalesced).toBe(range.to - range.from + 1);
    expect(slow.envelopes + slow.coalesced).toBe(published);
    // Only stats were coalesced, and each series and edge ends on its latest value.
    expect(slow.events).toBe(events);
    expect(slow.latest).toEqual(latest);
    console.log(
      `[degraded reader] published: ${published}, received: ${slow.envelopes}, coalesced: ${slow.coalesced}, batches: ${slow.ranges.length}`,
    );

    // Caught up, it is no longer degraded: a burst of one series arrives whole.
    const before = slow.ranges.length;
    for (let i = 0; i < 20; i++) publish({ type: 'chart-point', series: 'cpu', value: { t: i, y: i } });
    await waitFor(() => slow.lastTo === gw.room('p1')!.seq, 'burst');
    expect(slow.ranges.slice(before).reduce((sum, r) => sum + r.count, 0)).toBe(20);
    expect(slow.ranges.slice(before).every((r) => r.coalesced === 0)).toBe(true);
    expect(inside(connection!).degraded).toBe(false);
    expect(slow.closeEvent).toBeNull();
  });
});
