/**
 * A deterministic crawler mesh: same seed and same sequence of `step`s give
 * the same payloads, byte for byte. Nothing here reads a clock or
 * `Math.random`; time only moves when the caller says how much has passed.
 *
 * Traffic follows a message budget (`ratePerSecond`): every step earns
 * budget, everything emitted spends it (incidents included, so a burst is
 * paid back by quieter steps), and the rest is filled with routine traffic:
 * edge stats, per-fetcher points, log lines and the odd routine event.
 *
 * The parts: SimulatedMesh (what exists and its numbers), Timeline (simulated
 * timers), CoreSeries and CrawlRun (the once-a-second picture), Incidents.
 */
import type { Payload } from '../../protocol/messages.ts';
import { PAGES_PER_FETCHER } from './crawl-mesh.ts';
import { CoreSeries } from './core-series.ts';
import { CrawlRun } from './crawl-run.ts';
import { Incidents } from './incidents.ts';
import { logLine, randomHost } from './log-lines.ts';
import { Random } from '../../lib/prng.ts';
import { clamp, round, SimulatedMesh } from './simulated-mesh.ts';
import { Timeline } from './timeline.ts';

/** How big, how busy and which mesh; all optional. */
export interface SimulatorOptions {
  /** Same seed, same mesh and same traffic. Strings are hashed. Default 1. */
  seed?: number | string;
  /** Approximate node count; the fetcher and parser pools scale with it. Default 30, minimum 16. */
  size?: number;
  /** Messages per simulated second, incidents included. Default 150. */
  ratePerSecond?: number;
  /**
   * Simulated wall-clock time (ms since the Unix epoch) at the start, used for
   * chart points. A function is called once, here. Default 0.
   */
  now?: number | (() => number);
  /** How often incidents (degraded edges, crashes, scaling) come: 1 as designed, 3 three times as often, 0 never. Default 1. */
  chaos?: number;
}

/** Defaults of SimulatorOptions: a lively but readable mesh of about 30 nodes. */
export const SIMULATOR_DEFAULTS = { seed: 1, size: 30, ratePerSecond: 150 } as const;

const TICK_MS = 1_000;
/** Per-fetcher series stop here, so every series fits the gateway's and the store's 256-series caps. */
const MAX_FETCHER_SERIES = 200;

/** A simulated crawler mesh: `initial()` once, then `step(dtMs)` as time passes. */
export class CrawlSimulator {
  private readonly random: Random;
  private readonly rate: number;
  private readonly seedLabel: string;
  private readonly timeline: Timeline;
  private readonly mesh: SimulatedMesh;
  private readonly core: CoreSeries;
  private readonly crawl: CrawlRun;
  private budget = 0;
  private fetcherCursor = 0;
  private out: Payload[] = [];
  private readonly emit = (payload: Payload): void => {
    this.out.push(payload);
  };

  constructor(options: SimulatorOptions = {}) {
    const seed = options.seed ?? SIMULATOR_DEFAULTS.seed;
    this.seedLabel = String(seed);
    this.random = new Random(seed);
    this.rate = Math.max(0, finiteOr(options.ratePerSecond, SIMULATOR_DEFAULTS.ratePerSecond));
    this.timeline = new Timeline(typeof options.now === 'function' ? options.now() : finiteOr(options.now, 0));
    this.mesh = new SimulatedMesh(Math.max(16, finiteOr(options.size, SIMULATOR_DEFAULTS.size)), this.random);
    this.core = new CoreSeries(this.mesh, this.random, this.emit);
    this.crawl = new CrawlRun(this.mesh, this.random, this.timeline, this.emit);
    this.timeline.schedule(TICK_MS, () => this.tick());
    const chaos = Math.min(100, Math.max(0, finiteOr(options.chaos, 1)));
    new Incidents(this.mesh, this.timeline, this.random, this.emit, () => this.core.queueDepth, chaos).start();
  }

  /** Simulated time now, in ms. */
  get time(): number {
    return this.timeline.now;
  }

  get nodeCount(): number {
    return this.mesh.nodes.size;
  }

  /** The whole mesh as it stands: every node and edge (with stats), the crawl's progress and a first point per core series. */
  initial(): Payload[] {
    this.out = [];
    for (const node of this.mesh.nodes.values()) this.emit({ type: 'node-upsert', node });
    for (const edge of this.mesh.edgeList) this.emit({ type: 'edge-upsert', edge: { ...edge.edge, stats: this.mesh.statsFor(edge) } });
    this.crawl.emitProgress();
    this.core.write(this.timeline.now);
    this.emit({
      type: 'event',
      severity: 'info',
      message: `Simulated crawler mesh attached: ${this.mesh.nodes.size} services, seed ${this.seedLabel}`.slice(0, 2_000),
    });
    return this.take();
  }

  /** Everything that happens in the next `dtMs` of simulated time. */
  step(dtMs: number): Payload[] {
    this.out = [];
    if (!(dtMs > 0) || !Number.isFinite(dtMs)) return this.take();
    this.budget += (this.rate * dtMs) / 1000;
    this.timeline.advanceTo(this.timeline.now + dtMs);
    const routine = Math.floor(this.budget - this.out.length);
    for (let i = 0; i < routine; i++) this.emitRoutine();
    // Debt from a burst is paid back, but never more than two seconds of it.
    this.budget = Math.max(this.budget - this.out.length, -2 * this.rate);
    return this.take();
  }

  /** Once a second: the crawl's ebb and flow, core series, progress, and degraded edges (so they stay visible). */
  private tick(): void {
    this.mesh.intensity = clamp(this.mesh.intensity + (1 - this.mesh.intensity) * 0.05 + this.random.wobble() * 0.04, 0.6, 1.3);
    this.core.write(this.timeline.now);
    this.crawl.advance(TICK_MS / 1000);
    for (const edge of this.mesh.edgeList) {
      if (edge.degraded) this.emit({ type: 'edge-stats', id: edge.edge.id, stats: this.mesh.statsFor(edge) });
    }
    this.timeline.schedule(TICK_MS, () => this.tick());
  }

  private emitRoutine(): void {
    const roll = this.random.next();
    if (roll < 0.53) {
      const edge = this.random.pick(this.mesh.edgeList);
      this.emit({ type: 'edge-stats', id: edge.edge.id, stats: this.mesh.statsFor(edge) });
    } else if (roll < 0.65) this.emitFetcherPoint();
    else if (roll < 0.985) this.emitLogs();
    else this.emitRoutineEvent();
  }

  private emitFetcherPoint(): void {
    const fetchers = this.mesh.fetchers;
    const count = Math.min(fetchers.length, MAX_FETCHER_SERIES);
    if (count === 0) return this.emitLogs();
    const id = fetchers[this.fetcherCursor++ % count]!;
    const status = this.mesh.statusOf(id);
    const perFetcher = PAGES_PER_FETCHER * this.mesh.intensity * (1 + 0.12 * this.random.wobble());
    const y = status === 'down' ? 0 : status === 'starting' ? perFetcher * 0.2 : perFetcher;
    this.emit({ type: 'chart-point', series: `${id}.pages_per_sec`, nodeId: id, value: { t: this.timeline.now, y: round(y, 2) } });
  }

  private emitLogs(): void {
    const { mesh, random } = this;
    const roll = random.next();
    const pool = roll < 0.4 ? mesh.fetchers : roll < 0.6 ? mesh.parsers : mesh.coreIds;
    let id = random.pick(pool.length > 0 ? pool : mesh.coreIds);
    // Down nodes are silent; someone else speaks instead.
    if (mesh.statusOf(id) === 'down') id = random.pick(mesh.coreIds);
    const kind = mesh.nodes.get(id)!.kind;
    const count = random.chance(0.7) ? 1 : random.int(2, 3);
    const first = logLine(kind, random);
    let level = first.level;
    let lines = [first.text];
    for (let i = 1; i < count; i++) {
      const line = logLine(kind, random);
      // One chunk carries one level; a change of level starts a new chunk.
      if (line.level !== level) {
        this.emit({ type: 'log-chunk', nodeId: id, level, text: lines.join('\n') });
        lines = [];
        level = line.level;
      }
      lines.push(line.text);
    }
    this.emit({ type: 'log-chunk', nodeId: id, level, text: lines.join('\n') });
  }

  private emitRoutineEvent(): void {
    const r = this.random;
    switch (r.int(0, 6)) {
      case 0:
        return this.emit({ type: 'event', severity: 'info', nodeId: 'scheduler', message: `Dispatched ${r.int(20, 90)}k URLs to the frontier` });
      case 1:
        return this.emit({ type: 'event', severity: 'info', nodeId: 'indexer', message: `Segment merge finished on shard ${r.int(0, 11)}` });
      case 2:
        return this.emit({ type: 'event', severity: 'info', nodeId: 'dedup', message: `Bloom filter rotated at ${r.int(60, 80)}% fill` });
      case 3:
        return this.emit({
          type: 'event',
          severity: 'warn',
          nodeId: 'politeness',
          message: `${randomHost(r)} throttled to 1 request every ${r.int(5, 30)} s after repeated 429s`,
        });
      case 4:
        return this.emit({ type: 'event', severity: 'warn', nodeId: 'postgres', message: `Slow query: ${r.int(1200, 5000)} ms on crawl.urls (seq scan)` });
      case 5:
        return this.emit({ type: 'event', severity: 'info', nodeId: 'kafka', message: `Leader for crawl.fetched-${r.int(0, 23)} moved to broker ${r.int(1, 3)}` });
      default:
        return this.emit({ type: 'event', severity: 'debug', nodeId: 'frontier', message: `Checkpoint written: ${r.between(0.8, 3.2).toFixed(2)}M URLs` });
    }
  }

  private take(): Payload[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}

function finiteOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
