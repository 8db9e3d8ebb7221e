/**
 * A client worker of the fan-out bench (forked by fanout.ts; not run by hand).
 * It holds its share of the clients (meshwatch v1 clients on `ws`, or
 * socket.io-client with the websocket transport only), counts what they
 * receive and how late, and reports to the parent over IPC. Both systems go
 * through the same `receive` bookkeeping, so the harness costs alike.
 */
import { WebSocket } from 'ws';
import { io, type Socket } from 'socket.io-client';
import { decodeServerFrame } from '../../src/protocol/codec.ts';
import { BASE_CHANNELS, PROTOCOL_VERSION, SUBPROTOCOL } from '../../src/protocol/frames.ts';
import {
  LatencyHistogram,
  PROGRESS_INTERVAL_MS,
  type ClientReport,
  type FanoutDecode,
  type ParentCommand,
  type WorkerMessage,
} from './fanout-protocol.ts';

/** Handshakes in flight at once: a thousand at a time would only time each other out. */
const CONNECT_CONCURRENCY = 50;
const CONNECT_TIMEOUT_MS = 30_000;

interface BenchClient {
  /** The next seq expected; null until the first (socket.io) or the snapshot's seq + 1 (meshwatch). */
  expected: number | null;
  /** The last seq received (the snapshot's, before any delta). */
  lastSeq: number;
  /** Set when the connection ended on its own; such a client no longer holds the publisher back. */
  lost: string | null;
  close(): void;
}

interface Tally {
  delivered: number;
  frames: number;
  gaps: number;
  duplicates: number;
  coalesced: number;
  rejected: number;
  lostClients: Record<string, number>;
}

interface CpuSample {
  cpuMs: number;
  at: number;
}

const latency = new LatencyHistogram();
const tally: Tally = { delivered: 0, frames: 0, gaps: 0, duplicates: 0, coalesced: 0, rejected: 0, lostClients: {} };
let clients: BenchClient[] = [];
let closing = false;
let progressTimer: NodeJS.Timeout | null = null;
/** The measured window (wall clock), with CPU samples taken as it opens and closes. */
const measured: { from: number; to: number; cpuFrom: CpuSample | null; cpuTo: CpuSample | null } = {
  from: Number.POSITIVE_INFINITY,
  to: Number.POSITIVE_INFINITY,
  cpuFrom: null,
  cpuTo: null,
};

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function sampleCpu(now: number): CpuSample {
  const cpu = process.cpuUsage();
  return { cpuMs: (cpu.user + cpu.system) / 1000, at: now };
}

/**
 * Whether what is read at `now` (a frame, timed as it is handled) counts;
 * CPU is sampled at the first call inside the window and the first past it.
 */
function inWindow(now: number): boolean {
  if (now < measured.from) return false;
  if (now >= measured.to) {
    measured.cpuTo ??= sampleCpu(now);
    return false;
  }
  measured.cpuFrom ??= sampleCpu(now);
  return true;
}

/** One envelope reached `client` at `now` (ms since the Unix epoch); `counted` when inside the window. */
function receive(client: BenchClient, seq: number, ts: number, now: number, counted: boolean): void {
  if (client.expected !== null) {
    if (seq < client.expected) {
      tally.duplicates++;
      return;
    }
    if (seq > client.expected) tally.gaps += seq - client.expected;
  }
  client.expected = seq + 1;
  client.lastSeq = seq;
  if (!counted) return;
  tally.delivered++;
  latency.record(now - ts);
}

function markLost(client: BenchClient, why: string): void {
  if (closing || client.lost !== null) return;
  client.lost = why;
  tally.lostClients[why] = (tally.lostClients[why] ?? 0) + 1;
}

/** A v1 client as the app opens one: the subprotocol, then `hello` with the app's channels (no logs). */
function openMeshwatch(url: string, decode: FanoutDecode): Promise<BenchClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, [SUBPROTOCOL]);
    const client: BenchClient = { expected: null, lastSeq: 0, lost: null, close: () => socket.terminate() };
    let ready = false;
    const timer = setTimeout(() => fail('no snapshot in time'), CONNECT_TIMEOUT_MS);
    const fail = (why: string) => {
      if (ready) return markLost(client, why);
      clearTimeout(timer);
      socket.terminate();
      reject(new Error(`meshwatch client ${url}: ${why}`));
    };
    const joined = (seq: number) => {
      client.expected = seq + 1;
      client.lastSeq = seq;
      if (ready) return;
      ready = true;
      clearTimeout(timer);
      resolve(client);
    };
    socket.on('error', (error) => fail(`error ${error.message}`));
    socket.on('close', (code) => fail(`closed ${code}`));
    socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION, channels: BASE_CHANNELS })));
    socket.on('message', (data) => {
      const text = data.toString();
      // Timed once decoded, as socket.io-client's events are.
      if (decode === 'validate') {
        const decoded = decodeServerFrame(text);
        const now = Date.now();
        const counted = inWindow(now);
        if (counted) tally.rejected += decoded.rejected;
        if (decoded.kind === 'snapshot') joined(decoded.frame.seq);
        else if (decoded.kind === 'messages') {
          if (counted) tally.frames++;
          tally.coalesced += decoded.range?.coalesced ?? 0;
          for (const envelope of decoded.messages) receive(client, envelope.seq, envelope.ts, now, counted);
        }
        return;
      }
      const frame = JSON.parse(text) as { type?: string; seq?: number; coalesced?: number; messages?: Array<{ seq: number; ts: number }> };
      const now = Date.now();
      const counted = inWindow(now);
      if (frame.type === 'batch') {
        if (counted) tally.frames++;
        tally.coalesced += frame.coalesced ?? 0;
        for (const envelope of frame.messages ?? []) receive(client, envelope.seq, envelope.ts, now, counted);
      } else if (frame.type === 'snapshot') {
        joined(frame.seq ?? 0);
      }
    });
  });
}

/** socket.io-client on the websocket transport only, its own connection (forceNew), never reconnecting. */
function openSocketIo(url: string, project: string): Promise<BenchClient> {
  return new Promise((resolve, reject) => {
    const socket: Socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, query: { project }, timeout: CONNECT_TIMEOUT_MS });
    const client: BenchClient = { expected: null, lastSeq: 0, lost: null, close: () => socket.disconnect() };
    socket.on('m', (envelope: { seq: number; ts: number }) => {
      const now = Date.now();
      const counted = inWindow(now);
      if (counted) tally.frames++;
      receive(client, envelope.seq, envelope.ts, now, counted);
    });
    socket.on('b', (envelopes: Array<{ seq: number; ts: number }>) => {
      const now = Date.now();
      const counted = inWindow(now);
      if (counted) tally.frames++;
      for (const envelope of envelopes) receive(client, envelope.seq, envelope.ts, now, counted);
    });
    socket.once('connect', () => resolve(client));
    socket.once('connect_error', (error) => {
      socket.disconnect();
      reject(new Error(`socket.io client ${url}: ${error.message}`));
    });
    socket.on('disconnect', (reason) => markLost(client, `socket.io ${reason}`));
  });
}

async function openAll(command: Extract<ParentCommand, { type: 'open' }>): Promise<void> {
  closing = false;
  clients = [];
  let next = 0;
  const openOne = async () => {
    while (next < command.count) {
      const index = command.firstIndex + next++;
      const url = command.urls[index % command.urls.length]!;
      const client = command.system === 'meshwatch' ? await openMeshwatch(url, command.decode) : await openSocketIo(url, command.project);
      clients.push(client);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, command.count) }, openOne));
  progressTimer = setInterval(() => {
    // Also samples CPU at the window's edges when no frame arrives there.
    inWindow(Date.now());
    let minSeq = Number.POSITIVE_INFINITY;
    for (const client of clients) if (client.lost === null && client.lastSeq < minSeq) minSeq = client.lastSeq;
    if (minSeq !== Number.POSITIVE_INFINITY) send({ type: 'progress', minSeq });
  }, PROGRESS_INTERVAL_MS);
}

function closeAll(): void {
  closing = true;
  if (progressTimer) clearInterval(progressTimer);
  progressTimer = null;
  for (const client of clients) client.close();
  clients = [];
}

function report(): ClientReport {
  inWindow(Date.now());
  const { cpuFrom, cpuTo } = measured;
  const cpu = cpuFrom && cpuTo ? { cpuMs: cpuTo.cpuMs - cpuFrom.cpuMs, cpuElapsedMs: cpuTo.at - cpuFrom.at } : { cpuMs: 0, cpuElapsedMs: 0 };
  return { ...tally, ...cpu, latency: latency.toSparse() };
}

process.on('message', (command: ParentCommand) => {
  switch (command.type) {
    case 'open':
      openAll(command).then(
        () => send({ type: 'opened', clients: clients.length }),
        (error: unknown) => {
          closeAll();
          send({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
        },
      );
      break;
    case 'measure':
      measured.from = command.from;
      measured.to = command.to;
      break;
    case 'report':
      send({ type: 'report', report: report() });
      break;
  }
});
send({ type: 'ready' });
// The parent is gone (it ended, or crashed): nothing left to report to.
process.on('disconnect', () => process.exit(0));
