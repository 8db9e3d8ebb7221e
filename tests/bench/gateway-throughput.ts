/**
 * Gateway throughput, two figures:
 *  1. the simulator alone: payloads generated per second of CPU (500-node mesh);
 *  2. the gateway end to end: envelopes per second delivered to ONE real v1
 *     client over loopback, decoded and validated by the client as the browser
 *     would (`decodeServerFrame`). Client and gateway share this process, so
 *     the figure is what one core does for both sides: a floor, not a ceiling.
 *
 *   npx tsx -e "import('./tests/bench/gateway-throughput.ts').then(m=>m.benchGatewayThroughput()).then(console.log)"
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { decodeServerFrame } from '../../src/protocol/codec.ts';
import { PROTOCOL_VERSION, SUBPROTOCOL } from '../../src/protocol/frames.ts';
import type { Payload } from '../../src/protocol/messages.ts';
import { Gateway } from '../../src/server/gateway.ts';
import { CrawlSimulator } from '../../src/server/simulator/simulator.ts';

export interface ThroughputResult {
  name: string;
  messagesPerSecond: number;
  detail?: string;
}

const SIZE = 500;

/** `seconds` sets how long each measurement runs (default: 2 s for the simulator, 3 s for the gateway). */
export async function benchGatewayThroughput(options: { seconds?: number } = {}): Promise<ThroughputResult[]> {
  return [benchSimulator(options.seconds ?? 2), await benchGateway(options.seconds ?? 3)];
}

function benchSimulator(seconds: number): ThroughputResult {
  // A high rate makes each step a realistic slab of work rather than a measure of per-call overhead.
  const sim = new CrawlSimulator({ seed: 'bench', size: SIZE, ratePerSecond: 20_000, now: 0 });
  sim.initial();
  const cpuStart = process.cpuUsage();
  const wallEnd = performance.now() + seconds * 1000;
  let payloads = 0;
  let steps = 0;
  while (performance.now() < wallEnd) {
    payloads += sim.step(100).length;
    steps++;
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    name: `simulator: payloads generated per CPU second (size ${SIZE})`,
    messagesPerSecond: Math.round(payloads / cpuSeconds),
    detail: `${payloads} payloads in ${steps} steps of 100 ms simulated, ${sim.nodeCount} nodes, ${cpuSeconds.toFixed(2)} s CPU`,
  };
}

async function benchGateway(seconds: number): Promise<ThroughputResult> {
  // Payloads come from the simulator up front, so its cost is not counted against the gateway.
  const sim = new CrawlSimulator({ seed: 'bench', size: SIZE, ratePerSecond: 20_000, now: Date.now() });
  const initial = sim.initial();
  const pool: Payload[] = [];
  while (pool.length < 100_000) pool.push(...sim.step(100));

  const gateway = new Gateway();
  const server = createServer();
  gateway.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  for (const payload of initial) gateway.publish('bench', payload);

  let received = 0;
  let rejected = 0;
  let frames = 0;
  let snapshot = false;
  let coalesced = 0;
  const client = new WebSocket(`ws://127.0.0.1:${port}/ws?project=bench`, [SUBPROTOCOL]);
  client.on('error', () => {});
  client.on('open', () => client.send(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION })));
  client.on('message', (data) => {
    frames++;
    const decoded = decodeServerFrame(data.toString());
    if (decoded.kind === 'snapshot') snapshot = true;
    else if (decoded.kind === 'messages') {
      // Stats the gateway coalesced for a client reading too slowly were accounted for, not lost.
      received += decoded.messages.length + (decoded.range?.coalesced ?? 0);
      coalesced += decoded.range?.coalesced ?? 0;
    }
    rejected += decoded.rejected;
  });
  await until(() => snapshot);

  // Flow control by what the client has actually decoded: at most `window` envelopes in flight,
  // which keeps the socket well under the gateway's 8 MiB slow-consumer limit.
  const window = 20_000;
  const chunk = 1_000;
  let published = 0;
  let next = 0;
  const started = performance.now();
  const receivedAtStart = received;
  const framesAtStart = frames;
  while (performance.now() - started < seconds * 1000) {
    if (published - received < window) {
      for (let i = 0; i < chunk; i++) {
        gateway.publish('bench', pool[next]!);
        next = (next + 1) % pool.length;
      }
      published += chunk;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const elapsed = (performance.now() - started) / 1000;
  const delivered = received - receivedAtStart;
  const batches = frames - framesAtStart;
  const stats = gateway.stats();

  client.close();
  await gateway.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));

  if (stats.slowConsumersClosed > 0) throw new Error('the bench client was closed as a slow consumer; lower the window');
  return {
    name: 'gateway: envelopes per second delivered to one v1 client (loopback, in-process)',
    messagesPerSecond: Math.round(delivered / elapsed),
    detail:
      `${delivered} envelopes in ${batches} frames (avg ${Math.round(delivered / Math.max(1, batches))} per batch) ` +
      `over ${elapsed.toFixed(2)} s, ${rejected} rejected by the client, ${coalesced} coalesced by the gateway`,
  };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('bench: timed out waiting for the snapshot');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
