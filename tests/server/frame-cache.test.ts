/**
 * Members of a room that subscribe alike share each batch frame (built and
 * encoded once); members that subscribe differently, or are coalesced, get
 * their own. What each client receives is exactly what it would without sharing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Payload } from '../../src/protocol/messages.ts';
import { FrameCache } from '../../src/server/stream/frame-cache.ts';
import { Subscriptions } from '../../src/server/stream/subscriptions.ts';
import { batchRanges, expectContiguousRanges, startGateway, TestClient, waitFor, type RunningGateway } from './support.ts';

const event = (i: number): Payload => ({ type: 'event', message: `e${i}`, severity: 'info' });
const point = (i: number): Payload => ({ type: 'chart-point', series: `s${i % 3}`, value: { t: i, y: i } });
const log = (i: number): Payload => ({ type: 'log-chunk', nodeId: 'n1', text: `line ${i}\nwarn ${i}`, level: i % 2 ? 'warn' : 'info' });

let running: RunningGateway | null = null;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await running?.close();
  running = null;
});

async function client(hello: Record<string, unknown> = {}): Promise<TestClient> {
  const opened = await TestClient.open(running!.url('p'), undefined, { hello });
  clients.push(opened);
  await waitFor(() => opened.snapshot !== undefined, 'snapshot');
  return opened;
}

const batchTexts = (c: TestClient) => c.raw.filter((text) => text.startsWith('{"type":"batch"'));

describe('shared batch frames', () => {
  it('sends members that subscribe alike the same frames, built once; others their own', async () => {
    running = await startGateway({ flushIntervalMs: 20 });
    running.gateway.publish('p', event(0));
    const a = await client();
    const b = await client({ channels: ['topology', 'stats', 'events', 'progress', 'logs:*'] });
    const eventsOnly = await client({ channels: ['events'] });
    const room = running.gateway.room('p')!;
    const before = { hits: room.frames.hits, builds: room.frames.builds };
    for (let i = 1; i <= 300; i++) {
      running.gateway.publish('p', i % 3 === 0 ? event(i) : i % 3 === 1 ? point(i) : log(i));
      if (i % 25 === 0) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await waitFor(() => [a, b, eventsOnly].every((c) => batchRanges(c).at(-1)?.to === 301), 'every client at seq 301');
    expect(batchTexts(a)).toEqual(batchTexts(b));
    for (const c of [a, b, eventsOnly]) expectContiguousRanges(batchRanges(c), 2);
    expect(eventsOnly.envelopes.every((e) => e.data.type === 'event')).toBe(true);
    expect(eventsOnly.envelopes).toHaveLength(100);
    expect(a.envelopes).toHaveLength(300);
    // One build per window for a and b together, one for the events-only client; b's were hits.
    expect(room.frames.hits - before.hits).toBe(batchTexts(b).length);
    expect(room.frames.builds - before.builds).toBe(batchTexts(a).length + batchTexts(eventsOnly).length);
  });

  it('keeps a log filter apart: a filtered member gets its own frames with its own lines', async () => {
    running = await startGateway({ flushIntervalMs: 20 });
    running.gateway.publish('p', event(0));
    const plain = await client({ channels: ['logs:n1'] });
    const filtered = await client({ channels: ['logs:n1'], logs: [{ nodeId: 'n1', minLevel: 'warn' }] });
    for (let i = 1; i <= 40; i++) running.gateway.publish('p', log(i));
    await waitFor(() => [plain, filtered].every((c) => batchRanges(c).at(-1)?.to === 41), 'both at seq 41');
    const texts = (c: TestClient) => c.envelopes.map((e) => (e.data.type === 'log-chunk' ? e.data.text : ''));
    expect(texts(plain)).toHaveLength(40);
    expect(texts(filtered)).toHaveLength(20);
    expect(batchTexts(plain)).not.toEqual(batchTexts(filtered));
  });
});

describe('FrameCache', () => {
  it('builds a frame once per signature and range, and keeps only a few', () => {
    const cache = new FrameCache();
    let builds = 0;
    const build = () => `frame ${++builds}`;
    const first = cache.frameFor('sig', 1, 10, build);
    expect(cache.frameFor('sig', 1, 10, build)).toBe(first);
    expect(first.bytes.toString('utf8')).toBe(first.text);
    expect(cache.frameFor('other', 1, 10, build).text).toBe('frame 2');
    expect(cache.frameFor('sig', 11, 20, build).text).toBe('frame 3');
    for (let i = 0; i < 40; i++) cache.frameFor('sig', 100 + i, 100 + i, build);
    expect(cache.frameFor('sig', 1, 10, build).text).not.toBe(first.text);
    cache.clear();
    expect(cache.frameFor('sig', 11, 20, build).text).not.toBe('frame 3');
  });

  it("a subscription signature is the same for the same channels in any order, and changes with them and with log options", () => {
    const one = new Subscriptions(['events', 'topology', 'logs:a', 'logs:b']);
    const two = new Subscriptions(['logs:b', 'topology', 'logs:a', 'events']);
    expect(one.signature).toBe(two.signature);
    two.setLogOptions('a', { minLevel: 'warn' });
    expect(two.signature).not.toBe(one.signature);
    one.setLogOptions('a', { minLevel: 'warn' });
    expect(two.signature).toBe(one.signature);
    one.unsubscribe(['logs:b']);
    expect(one.signature).not.toBe(two.signature);
    two.subscribe(['stats']);
    expect(two.signature).not.toBe(new Subscriptions(['events', 'topology', 'logs:a', 'logs:b']).signature);
  });
});
