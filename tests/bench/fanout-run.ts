/**
 * The fan-out bench's harness: the client worker processes, and one case run
 * from end to end (open the clients, publish, warm up, measure, close) the
 * same way whatever the server. fanout.ts says which cases to run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Payload } from '../../src/protocol/messages.ts';
import type { GatewayCounters } from '../../src/server/connection.ts';
import { Pacer, type FanoutPublisher, type Offered } from './fanout-publish.ts';
import { LatencyHistogram, type ClientReport, type FanoutDecode, type FanoutSystem, type ParentCommand, type WorkerMessage } from './fanout-protocol.ts';

const WORKER_FILE = fileURLToPath(new URL('./fanout-clients.ts', import.meta.url));
const OPEN_TIMEOUT_MS = 120_000;
const REPLY_TIMEOUT_MS = 30_000;

type Reply = Exclude<WorkerMessage, { type: 'progress' } | { type: 'failed' }>;

/**
 * The client processes of one case, each holding its share of the clients.
 * Every case gets fresh ones and kills them at the end: the kernel then drops
 * their sockets at once, where a polite close would wait behind whatever a
 * server that fell behind still has queued (tens of seconds for socket.io),
 * and no case inherits another's heap.
 */
export class ClientWorkers {
  /** Called with the slowest client's last seq once every worker has reported. */
  onProgress: ((minSeq: number) => void) | null = null;
  private readonly minSeqs: Array<number | null>;
  private readonly waiting = new Map<ChildProcess, { type: Reply['type']; resolve: (message: Reply) => void; reject: (error: Error) => void }>();
  private stopping = false;

  private constructor(private readonly workers: ChildProcess[]) {
    this.minSeqs = workers.map(() => null);
    workers.forEach((worker, index) => {
      worker.on('message', (message: WorkerMessage) => this.onMessage(worker, index, message));
      worker.on('exit', (code, signal) => {
        if (this.stopping) return;
        const error = new Error(`client worker ${index} exited (${signal ?? code})`);
        this.waiting.get(worker)?.reject(error);
        this.waiting.delete(worker);
      });
    });
  }

  /** Forks `count` workers running fanout-clients.ts under this process's loader (tsx); resolves when they listen. */
  static async start(count: number): Promise<ClientWorkers> {
    const workers = new ClientWorkers(Array.from({ length: count }, () => fork(WORKER_FILE, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })));
    try {
      await Promise.all(workers.workers.map((worker) => workers.expect(worker, 'ready')));
    } catch (error) {
      await workers.stop();
      throw error;
    }
    return workers;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Opens `clients` clients split evenly across the workers; resolves once every one has joined. */
  async open(options: { system: FanoutSystem; urls: string[]; clients: number; project: string; decode: FanoutDecode }): Promise<void> {
    this.minSeqs.fill(null);
    let firstIndex = 0;
    const opened = this.workers.map((worker, index) => {
      const count = Math.floor(options.clients / this.size) + (index < options.clients % this.size ? 1 : 0);
      const command: ParentCommand = { type: 'open', system: options.system, urls: options.urls, count, firstIndex, project: options.project, decode: options.decode };
      firstIndex += count;
      return this.request(worker, command, 'opened', OPEN_TIMEOUT_MS);
    });
    await Promise.all(opened);
  }

  /** Counts what arrives from `from` to `to` (ms since the Unix epoch). */
  measure(from: number, to: number): void {
    for (const worker of this.workers) this.post(worker, { type: 'measure', from, to });
  }

  async report(): Promise<ClientReport[]> {
    const replies = await Promise.all(this.workers.map((worker) => this.request(worker, { type: 'report' }, 'report')));
    return replies.map((reply) => (reply as Extract<Reply, { type: 'report' }>).report);
  }

  /** Kills the workers (SIGKILL) and resolves once they are gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.onProgress = null;
    await Promise.all(
      this.workers.map((worker) => {
        if (worker.exitCode !== null || worker.signalCode !== null) return Promise.resolve();
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        worker.kill('SIGKILL');
        return exited;
      }),
    );
  }

  private post(worker: ChildProcess, command: ParentCommand): void {
    if (!worker.connected) throw new Error('a client worker is gone');
    worker.send(command);
  }

  private request(worker: ChildProcess, command: ParentCommand, type: Reply['type'], timeoutMs = REPLY_TIMEOUT_MS): Promise<Reply> {
    const reply = this.expect(worker, type, timeoutMs);
    this.post(worker, command);
    return reply;
  }

  private expect(worker: ChildProcess, type: Reply['type'], timeoutMs = REPLY_TIMEOUT_MS): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(worker);
        reject(new Error(`client worker: no '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(worker, {
        type,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  private onMessage(worker: ChildProcess, index: number, message: WorkerMessage): void {
    if (message.type === 'progress') {
      this.minSeqs[index] = message.minSeq;
      if (this.minSeqs.every((seq) => seq !== null)) this.onProgress?.(Math.min(...(this.minSeqs as number[])));
      return;
    }
    const waiting = this.waiting.get(worker);
    if (!waiting) return;
    if (message.type === 'failed') {
      this.waiting.delete(worker);
      waiting.reject(new Error(`client worker ${index}: ${message.error}`));
    } else if (message.type === waiting.type) {
      this.waiting.delete(worker);
      waiting.resolve(message);
    }
  }
}

/** The gateway counters a case reports, summed over its gateways. */
export type GatewayFigures = Pick<GatewayCounters, 'messagesSent' | 'messagesCoalesced' | 'slowConsumersDegraded' | 'slowConsumersClosed'>;

export interface CaseSpec {
  label: string;
  /** Cases with the same `group` are compared with each other in the ratio table. */
  group: string;
  system: FanoutSystem;
  clients: number;
  offered: Offered;
  /** Client `k` connects to `urls[k % urls.length]`. */
  urls: string[];
  project: string;
  decode: FanoutDecode;
  publisher: FanoutPublisher;
  /** The stream, published in a loop. */
  pool: readonly Payload[];
  /** Most messages allowed past the slowest open client (see Pacer). */
  maxInFlight: number;
  warmupSeconds: number;
  seconds: number;
  /** Whether the server side counts every client as joined. */
  serverReady: () => boolean | Promise<boolean>;
  /** Counters of the gateway(s) under test; socket.io has none. */
  gatewayFigures?: () => GatewayFigures | Promise<GatewayFigures>;
}

export interface CaseResult {
  label: string;
  group: string;
  system: FanoutSystem;
  clients: number;
  offered: Offered;
  seconds: number;
  /** How long the clients took to connect and join. */
  openSeconds: number;
  publishedPerSecond: number;
  /** Fixed-rate messages not published because `maxInFlight` were already in flight. */
  heldBack: number;
  maxInFlight: number;
  deliveredPerSecond: number;
  framesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** From the clients joining to the end of the measurement: seqs skipped, less those the gateway said it coalesced. */
  missing: number;
  duplicates: number;
  /** Coalesced stats the clients were told of (batch `coalesced`), over the same time. */
  coalescedSeen: number;
  rejected: number;
  lostClients: Record<string, number>;
  /** Over warm-up and measurement. */
  gateway: GatewayFigures | null;
  /** CPU of this process (the servers under test and the publisher), in cores. */
  serverCores: number;
  /** CPU of the client workers together, in cores. */
  clientCores: number;
}

/** Client worker processes per case; each holds half the clients. */
const WORKERS = 2;

/** Runs one case with fresh client workers; the caller starts and closes the server. */
export async function runCase(spec: CaseSpec): Promise<CaseResult> {
  const workers = await ClientWorkers.start(WORKERS);
  const pacer = new Pacer(spec.publisher, spec.pool, spec.offered, spec.maxInFlight);
  try {
    const openedFrom = performance.now();
    await workers.open({ system: spec.system, urls: spec.urls, clients: spec.clients, project: spec.project, decode: spec.decode });
    await until(spec.serverReady, `${spec.label}: every client joined on the server`);
    const openSeconds = (performance.now() - openedFrom) / 1000;
    const figuresBefore = (await spec.gatewayFigures?.()) ?? null;
    workers.onProgress = (minSeq) => pacer.acknowledge(minSeq);
    pacer.start();
    // The window is set in wall-clock time before it opens: a worker busy with a backlog may
    // read its commands late, but it times each frame, so it counts exactly this window anyway.
    const from = Date.now() + spec.warmupSeconds * 1000;
    const to = from + spec.seconds * 1000;
    workers.measure(from, to);
    await sleepUntil(from);
    const publishedBefore = pacer.published;
    const heldBackBefore = pacer.heldBack;
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    await sleepUntil(to);
    const elapsed = (performance.now() - startedAt) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const published = pacer.published - publishedBefore;
    const heldBack = pacer.heldBack - heldBackBefore;
    const reports = await workers.report();
    workers.onProgress = null;
    pacer.stop();
    const figuresAfter = (await spec.gatewayFigures?.()) ?? null;
    const windowSeconds = (to - from) / 1000;

    const latency = new LatencyHistogram();
    for (const report of reports) latency.addSparse(report.latency);
    const sum = (pick: (report: ClientReport) => number) => reports.reduce((total, report) => total + pick(report), 0);
    const lostClients: Record<string, number> = {};
    for (const report of reports) for (const [why, count] of Object.entries(report.lostClients)) lostClients[why] = (lostClients[why] ?? 0) + count;
    return {
      label: spec.label,
      group: spec.group,
      system: spec.system,
      clients: spec.clients,
      offered: spec.offered,
      seconds: elapsed,
      openSeconds,
      publishedPerSecond: published / elapsed,
      heldBack,
      maxInFlight: spec.maxInFlight,
      deliveredPerSecond: sum((report) => report.delivered) / windowSeconds,
      framesPerSecond: sum((report) => report.frames) / windowSeconds,
      p50Ms: latency.percentile(0.5),
      p99Ms: latency.percentile(0.99),
      maxMs: latency.max(),
      missing: sum((report) => report.gaps - report.coalesced),
      duplicates: sum((report) => report.duplicates),
      coalescedSeen: sum((report) => report.coalesced),
      rejected: sum((report) => report.rejected),
      lostClients,
      gateway: figuresBefore && figuresAfter ? diffFigures(figuresAfter, figuresBefore) : null,
      serverCores: (cpu.user + cpu.system) / 1e6 / elapsed,
      clientCores: sum((report) => (report.cpuElapsedMs > 0 ? report.cpuMs / report.cpuElapsedMs : 0)),
    };
  } finally {
    try {
      pacer.stop();
    } catch {
      // A publish failure is thrown by the first stop, above.
    }
    await workers.stop();
  }
}

function diffFigures(after: GatewayFigures, before: GatewayFigures): GatewayFigures {
  return {
    messagesSent: after.messagesSent - before.messagesSent,
    messagesCoalesced: after.messagesCoalesced - before.messagesCoalesced,
    slowConsumersDegraded: after.slowConsumersDegraded - before.slowConsumersDegraded,
    slowConsumersClosed: after.slowConsumersClosed - before.slowConsumersClosed,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function sleepUntil(wallClockMs: number): Promise<void> {
  const wait = wallClockMs - Date.now();
  if (wait > 0) await sleep(wait);
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(10);
  }
}
