/**
 * `npm run bench:fanout` (issue 6): gateway fan-out to many clients of ONE
 * project, meshwatch against socket.io 4.8, and two gateways behind Redis
 * against one, in one run (about 5 minutes).
 *
 *   npm run bench:fanout
 *   FANOUT_SECONDS=5 FANOUT_CLIENTS=100 FANOUT_RATE=200,2000 FANOUT_CASES=meshwatch,socketio npm run bench:fanout
 *
 * For 100 and 1,000 clients, at a fixed offered rate and at the highest rate
 * the clients keep up with ("max"), it prints delivered envelopes per second
 * (summed over clients) and publish → receipt latency (p50 / p99 / max), then
 * meshwatch's ratios to socket.io. Cases:
 *  - meshwatch: the Gateway with its defaults (100 ms batching window, 500 per
 *    batch), published to in process; real v1 clients (`ws`, subprotocol
 *    `meshwatch.v1`, `hello` with the app's channels), snapshot then batches.
 *  - socket.io: `io.to(room).emit('m', envelope)` per message, socket.io-client
 *    on the websocket transport only.
 *  - socket.io batched: the same, but an array of envelopes per emit, sent
 *    100 ms after its first message or at 500, as the gateway batches.
 *  - meshwatch-http: the gateway fed by POSTs to `/api/projects/:id/publish`,
 *    the path the two-gateway case uses (its baseline).
 *  - redis: two `meshwatch serve --redis` processes sharing the project
 *    through a real redis-server (skipped, and said so, without one), half
 *    the clients on each, published to over HTTP through the first; its
 *    server CPU adds the gateways' and redis-server's to this process's.
 * The stream is the simulator's 200-node crawler mesh without log chunks
 * (~78 % edge stats, ~20 % chart points, ~2 % events; ~110 bytes an envelope).
 *
 * Latency: the publisher's wall clock to the client's (`Date.now()` on both,
 * one host, so whole milliseconds). meshwatch: the envelope's `ts`, which the
 * gateway stamps in the publish call; a chart point's own time would not do,
 * since the payloads are generated before the run. socket.io: the same
 * envelope, stamped just before the emit (batched: when it joins the batch).
 *
 * The machine has 2 cores: servers and publisher run in this process, the
 * clients in 2 forked worker processes (half each, fresh for every case), so
 * the server's CPU is measured apart from the clients'; the CPU columns say
 * who was busy. Flow control (fanout-publish.ts, Pacer): at most
 * `maxInFlight` messages may be past the slowest client, and the publisher
 * spends at most 20 ms per 5 ms tick; a fixed-rate message past either is
 * held back (counted), which is how a system that cannot keep up shows
 * (published < offered). In "max" the cap alone sets the pace, so latency
 * there is about cap / throughput (Little's law), not a property of the server.
 *
 * Environment: FANOUT_SECONDS (10) measured per case, FANOUT_WARMUP_SECONDS
 * (2), FANOUT_CLIENTS (100,1000), FANOUT_RATE (2000 msg/s offered; a list
 * runs each), FANOUT_IN_FLIGHT (the cap; default 5,000 at 100 clients, 2,000
 * at 1,000), FANOUT_DECODE (json | validate: meshwatch clients JSON.parse
 * each frame, as socket.io-client does with its packets, or run the browser's
 * `decodeServerFrame`), FANOUT_CASES (default
 * meshwatch,socketio,socketio-batched,meshwatch-http,redis). Figures are printed, never asserted; the exit code is
 * non-zero only when the harness fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, loadavg, platform, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Payload } from '../../src/protocol/messages.ts';
import { GATEWAY_DEFAULTS } from '../../src/server/gateway.ts';
import type { FanoutDecode } from './fanout-protocol.ts';
import { gatewayPublisher, httpPublisher, payloadPool, socketIoBatchedPublisher, socketIoPublisher, type FanoutPublisher, type Offered } from './fanout-publish.ts';
import { printResults } from './fanout-report.ts';
import { runCase, type CaseResult, type CaseSpec, type GatewayFigures } from './fanout-run.ts';
import { fetchGatewayStats, startMeshwatchServer, startSocketIoServer } from './fanout-servers.ts';
import { startRedis } from '../server/scale/redis-server.ts';

// The gateway logs every connection it closes; a thousand of those per case would bury the tables.
process.env.MESHWATCH_LOG_LEVEL ??= 'warn';

const PROJECT = 'fanout';
const seconds = positive('FANOUT_SECONDS', 10);
const warmupSeconds = positive('FANOUT_WARMUP_SECONDS', 2);
const rates = (process.env.FANOUT_RATE ?? '2000').split(',').map(Number).filter((n) => Number.isFinite(n) && n > 0);
const clientCounts = (process.env.FANOUT_CLIENTS ?? '100,1000').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
const inFlightCap = process.env.FANOUT_IN_FLIGHT ? positive('FANOUT_IN_FLIGHT', 2_000) : null;
const decode: FanoutDecode = process.env.FANOUT_DECODE === 'validate' ? 'validate' : 'json';
const CASE_KEYS = ['meshwatch', 'socketio', 'socketio-batched', 'meshwatch-http'] as const;
type CaseKey = (typeof CASE_KEYS)[number];
const selected = new Set((process.env.FANOUT_CASES ?? 'meshwatch,socketio,socketio-batched,meshwatch-http,redis').split(',').map((key) => key.trim()));

/** Shared by every case of a run. */
interface Context {
  pool: readonly Payload[];
  initial: readonly Payload[];
}

/** Everything but the server and publisher, for one client count and offered rate. */
function baseSpec(context: Context, clients: number, offered: Offered): Omit<CaseSpec, 'label' | 'system' | 'urls' | 'publisher' | 'serverReady' | 'gatewayFigures'> {
  return {
    group: `${clients} clients, ${offeredLabel(offered)}`,
    clients,
    offered,
    project: PROJECT,
    decode,
    pool: context.pool,
    maxInFlight: inFlightFor(clients),
    warmupSeconds,
    seconds,
  };
}

/**
 * Enough for the gateway's 100 ms window at any rate the clients can take, and at
 * 1,000 clients still far under its 1 MiB soft limit per connection (~110 B an envelope).
 */
function inFlightFor(clients: number): number {
  return inFlightCap ?? Math.max(2_000, Math.round(500_000 / clients));
}

function offeredLabel(offered: Offered): string {
  return offered.kind === 'rate' ? `${offered.perSecond.toLocaleString('en-US')} msg/s offered` : 'max rate';
}

async function meshwatchCase(context: Context, clients: number, offered: Offered, viaHttp: boolean): Promise<CaseResult> {
  const server = await startMeshwatchServer(PROJECT, { maxConnectionsPerProject: Math.max(GATEWAY_DEFAULTS.maxConnectionsPerProject, clients) });
  try {
    const publisher = viaHttp ? httpPublisher(server.publishUrl) : gatewayPublisher(server.gateway, PROJECT);
    // The topology first, so every client's snapshot holds the mesh the stream talks about.
    await publisher.publish(context.initial);
    return await runCase({
      ...baseSpec(context, clients, offered),
      label: viaHttp ? 'meshwatch via HTTP publish' : 'meshwatch',
      system: 'meshwatch',
      urls: [server.wsUrl],
      publisher,
      serverReady: () => server.gateway.room(PROJECT)?.memberCount === clients,
      gatewayFigures: () => server.gateway.stats(),
    });
  } finally {
    await server.close();
  }
}

async function socketIoCase(context: Context, clients: number, offered: Offered, batched: boolean): Promise<CaseResult> {
  const server = await startSocketIoServer();
  try {
    return await runCase({
      ...baseSpec(context, clients, offered),
      label: batched ? 'socket.io batched (array per 100 ms / 500)' : 'socket.io (one emit per message)',
      system: 'socketio',
      urls: [server.url],
      publisher: batched ? socketIoBatchedPublisher(server.io, PROJECT) : socketIoPublisher(server.io, PROJECT),
      serverReady: () => server.roomSize(PROJECT) === clients,
    });
  } finally {
    await server.close();
  }
}

// ───────────────────────────────────────────────────────────────────────────
// CASE (c), FOR THE LEAD TO ADD: two gateways behind Redis.
//
// `startGatewaysBehindRedis` should start the gateway processes (sharing the
// project through Redis) and return where they listen; while it returns null
// the case is skipped. `gatewaysBehindRedisCase` is the case itself and needs
// no change: clients are split across `wsUrls` (client k → wsUrls[k % n], so
// half on each of two), the publisher is the HTTP endpoint of one gateway (or
// any FanoutPublisher, e.g. one calling a gateway in this process), and the
// coalesced / closed counters are summed over every gateway's `/healthz`.
// The CPU column then counts only this process (the publisher), not the gateways.
// ───────────────────────────────────────────────────────────────────────────
interface GatewayProcesses {
  /** `ws://…/ws?project=fanout`, one per gateway. */
  wsUrls: string[];
  /** Where the publisher sends, e.g. the first gateway's `/api/projects/fanout/publish`. */
  publishUrl: string;
  /** `/healthz` of every gateway (its `gateway` field is `Gateway.stats()`). */
  healthUrls: string[];
  close(): Promise<void>;
}

/**
 * A real redis-server on a free loopback port and two `meshwatch serve --redis`
 * processes sharing project `fanout` through it; null (the case skipped, and
 * said so) when redis-server is not installed.
 */
async function startGatewaysBehindRedis(): Promise<GatewayProcesses | null> {
  if (!selected.has('redis')) return null;
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.log('  two gateways + Redis: skipped, redis-server is not installed (apt-get install redis-server)');
    return null;
  }
  const redis = await startRedis();
  const gateways: { child: ChildProcess; origin: string }[] = [];
  const stop = async () => {
    for (const { child } of gateways) if (child.exitCode === null) child.kill('SIGKILL');
    await redis.stop();
  };
  try {
    for (let i = 0; i < 2; i++) gateways.push(await startGatewayProcess(redis.url));
  } catch (error) {
    await stop();
    throw error;
  }
  processesOfCase = [...gateways.map(({ child }) => child.pid!), redis.pid];
  return {
    wsUrls: gateways.map(({ origin }) => `${origin.replace('http', 'ws')}/ws?project=${PROJECT}`),
    publishUrl: `${gateways[0]!.origin}/api/projects/${PROJECT}/publish`,
    healthUrls: gateways.map(({ origin }) => `${origin}/healthz`),
    close: stop,
  };
}

/** Pids whose CPU the Redis case adds to its own: the two gateways and redis-server. */
let processesOfCase: number[] = [];

/** `meshwatch serve --redis` on a free port, resolved once it listens. */
async function startGatewayProcess(redisUrl: string): Promise<{ child: ChildProcess; origin: string }> {
  const child = spawn(
    process.execPath,
    ['bin/meshwatch.js', 'serve', '--port', '0', '--no-sim', '--redis', redisUrl, '--redis-prefix', 'fanout-bench'],
    {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      // Info for the listening line; the bench's killed clients are logged at info too, read and dropped here.
      env: { ...process.env, MESHWATCH_LOG_LEVEL: 'info', MESHWATCH_LOG_FORMAT: 'text', MESHWATCH_MAX_CONNECTIONS_PER_PROJECT: '5000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`a gateway did not start: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      if (output.length < 10_000) output += chunk.toString();
      const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve({ child, origin: listening[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`a gateway exited with ${code}: ${output}`));
    });
  });
}

/** User + system CPU seconds of `pids` so far (Linux /proc). */
function cpuSecondsOf(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}
/** Linux's USER_HZ. */
const CLOCK_TICKS_PER_SECOND = 100;

async function gatewaysBehindRedisCase(
  context: Context,
  wsUrls: string[],
  clients: number,
  offered: Offered,
  publisher: FanoutPublisher,
  healthUrls: string[],
): Promise<CaseResult> {
  await publisher.publish(context.initial);
  const figures = async (): Promise<GatewayFigures> => {
    const all = await Promise.all(healthUrls.map(fetchGatewayStats));
    const sum = (key: keyof GatewayFigures) => all.reduce((total, stats) => total + stats[key], 0);
    return { messagesSent: sum('messagesSent'), messagesCoalesced: sum('messagesCoalesced'), slowConsumersDegraded: sum('slowConsumersDegraded'), slowConsumersClosed: sum('slowConsumersClosed') };
  };
  const cpuBefore = cpuSecondsOf(processesOfCase);
  const startedAt = performance.now();
  const result = await runCase({
    ...baseSpec(context, clients, offered),
    label: `meshwatch, ${wsUrls.length} gateways + Redis`,
    system: 'meshwatch',
    urls: wsUrls,
    publisher,
    // Each gateway counts only its own connections.
    serverReady: async () => (await Promise.all(healthUrls.map(fetchGatewayStats))).reduce((total, stats) => total + stats.connections, 0) >= clients,
    gatewayFigures: figures,
  });
  // This process only publishes here: the servers under test are the gateway processes and redis-server, whose CPU
  // over the whole case (joining and warm-up included, so a little high) is added to the server column.
  const elapsed = (performance.now() - startedAt) / 1000;
  const serverProcesses = (cpuSecondsOf(processesOfCase) - cpuBefore) / elapsed;
  return { ...result, serverCores: result.serverCores + serverProcesses };
}
// ─────────────────────────────── end of case (c) ───────────────────────────

async function runAll(context: Context): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const offers: Offered[] = [...rates.map((perSecond): Offered => ({ kind: 'rate', perSecond })), { kind: 'max' }];
  const cases: Record<CaseKey, (clients: number, offered: Offered) => Promise<CaseResult>> = {
    meshwatch: (clients, offered) => meshwatchCase(context, clients, offered, false),
    socketio: (clients, offered) => socketIoCase(context, clients, offered, false),
    'socketio-batched': (clients, offered) => socketIoCase(context, clients, offered, true),
    'meshwatch-http': (clients, offered) => meshwatchCase(context, clients, offered, true),
  };
  const run = async (runOne: () => Promise<CaseResult>) => {
    const startedAt = performance.now();
    const result = await runOne();
    const wall = (performance.now() - startedAt) / 1000;
    console.log(
      `  done: ${result.label}, ${result.group}: ${Math.round(result.deliveredPerSecond).toLocaleString('en-US')} delivered/s ` +
        `(clients joined in ${result.openSeconds.toFixed(1)} s; case ${wall.toFixed(1)} s)`,
    );
    results.push(result);
  };
  const redis = await startGatewaysBehindRedis();
  try {
    for (const clients of clientCounts) {
      for (const offered of offers) {
        for (const key of CASE_KEYS) if (selected.has(key)) await run(() => cases[key](clients, offered));
        if (redis) {
          await run(() => gatewaysBehindRedisCase(context, redis.wsUrls, clients, offered, httpPublisher(redis.publishUrl), redis.healthUrls));
        }
      }
    }
  } finally {
    await redis?.close();
  }
  return results;
}

async function main(): Promise<void> {
  const cpu = cpus();
  console.log(
    `meshwatch fan-out bench — node ${process.version}, ${platform()} ${arch()}, ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ` +
      `${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; ${warmupSeconds} s warm-up + ${seconds} s per case, ` +
      `clients ${clientCounts.join(' and ')} on one project in 2 worker processes (in-flight cap ${clientCounts.map(inFlightFor).join(' and ')} messages), ` +
      `meshwatch clients decode: ${decode}`,
  );
  const loadAtStart = loadNow();
  const { initial, stream } = payloadPool(60_000);
  const results = await runAll({ pool: stream, initial });
  console.log('');
  printResults(results);
  console.log('');
  // Other work on the machine skews every figure; the load average says whether there was any.
  console.log(`load average at the start: ${loadAtStart}; at the end: ${loadNow()}`);
}

function loadNow(): string {
  return loadavg().map((load) => load.toFixed(2)).join(' ');
}

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

main().then(
  // Exit explicitly: a socket or timer left behind must not keep the bench alive.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
