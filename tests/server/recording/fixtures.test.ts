import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { PayloadType } from '../../../src/protocol/messages.ts';
import { Gateway } from '../../../src/server/gateway.ts';
import { formatHeader, formatMessage } from '../../../src/server/recording/format.ts';
import { gatewaySink } from '../../../src/server/recording/gateway-sink.ts';
import { openRecording } from '../../../src/server/recording/reader.ts';
import { replayRecording } from '../../../src/server/recording/replay.ts';
import { simulatedRecording } from '../../../src/server/recording/simulated-recording.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/recordings/${name}`, import.meta.url));

const gateways: Gateway[] = [];
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.close();
});

async function summary(path: string) {
  const reader = await openRecording(path);
  const kinds = new Map<PayloadType, number>();
  let messages = 0;
  let lastT = 0;
  let monotonic = true;
  for await (const message of reader.messages()) {
    messages++;
    kinds.set(message.data.type, (kinds.get(message.data.type) ?? 0) + 1);
    if (message.t < lastT) monotonic = false;
    lastT = message.t;
  }
  return { header: reader.header, badLines: reader.badLines, messages, kinds, lastT, monotonic };
}

/** The fixtures as scripts/make-recordings.ts describes them: project, nodes after a replay, length. */
describe.each([
  { name: 'crawl-small.ndjson', project: 'crawl-small', nodes: 30, minMs: 15_000 },
  { name: 'outage.ndjson', project: 'outage', nodes: 24, minMs: 15_000 },
])('the shipped recording $name', ({ name, project, nodes, minMs }) => {
  it('parses with no bad lines, well under 300 KB, times in order', async () => {
    const path = fixture(name);
    expect((await stat(path)).size).toBeLessThan(250 * 1024);
    const read = await summary(path);
    expect(read.badLines).toBe(0);
    expect(read.header.project).toBe(project);
    expect(read.monotonic).toBe(true);
    expect(read.lastT).toBeGreaterThanOrEqual(minMs);
    expect(read.messages / (read.lastT / 1000)).toBeGreaterThan(40);
    for (const kind of ['node-upsert', 'edge-upsert', 'edge-stats', 'chart-point', 'log-chunk', 'event', 'progress'] as const) {
      expect(read.kinds.get(kind) ?? 0).toBeGreaterThan(0);
    }
  });

  it('replays into a gateway, giving the project its nodes', async () => {
    const gateway = new Gateway({ flushIntervalMs: 10 });
    gateways.push(gateway);
    const result = await replayRecording({ source: fixture(name), sink: gatewaySink(gateway, 'replayed'), speed: 'max' });
    expect(result.badLines).toBe(0);
    const room = gateway.room('replayed')!;
    expect(room.seq).toBe(result.messages);
    expect(room.state.counts().nodes).toBe(nodes);
  });
});

describe('the outage recording', () => {
  it('tells an incident: a node degraded, a node down, an error event and error logs', async () => {
    const gateway = new Gateway({ flushIntervalMs: 10 });
    gateways.push(gateway);
    await replayRecording({ source: fixture('outage.ndjson'), sink: gatewaySink(gateway, 'outage'), speed: 'max' });
    const state = gateway.room('outage')!.state.snapshot();
    const statuses = new Set(state.nodes.map((node) => node.status));
    expect(statuses).toContain('degraded');
    expect(statuses).toContain('down');
    expect(state.events.some((event) => event.severity === 'error')).toBe(true);
    expect(state.logs.some((window) => window.lines.some((line) => line.level === 'error'))).toBe(true);
  });
});

describe('a simulated recording', () => {
  it('is the same, line for line, every time it is made', () => {
    const options = { project: 'same', seed: 'same', size: 20, ratePerSecond: 100, durationMs: 3_000, warmUpMs: 1_000, startedAt: Date.UTC(2026, 0, 1) };
    const lines = () => {
      const { header, messages } = simulatedRecording(options);
      return [formatHeader(header), ...[...messages].map(formatMessage)];
    };
    const first = lines();
    expect(first.length).toBeGreaterThan(300);
    expect(lines()).toEqual(first);
  });
});
