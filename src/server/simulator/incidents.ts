/**
 * What makes the simulated mesh worth watching: an edge degrades (and the
 * service it calls with it) and recovers, a fetcher crashes and comes back,
 * the autoscaler grows and shrinks the fetcher pool. Each kind of incident
 * reschedules itself; someone who just opened the page sees the first
 * degradation within seconds and a crash within half a minute.
 */
import type { Payload } from '../../protocol/messages.ts';
import type { EdgeRoleName } from './crawl-mesh.ts';
import { formatCount } from './crawl-run.ts';
import { crashLines } from './log-lines.ts';
import type { Random } from '../../lib/prng.ts';
import { round, type SimulatedMesh } from './simulated-mesh.ts';
import type { Timeline } from './timeline.ts';

const DEGRADABLE: ReadonlySet<EdgeRoleName> = new Set(['fetch', 'resolve', 'robots', 'publish', 'consume', 'documents', 'index']);
const MAX_EXTRA_FETCHERS = 3;

/** Schedules and plays out incidents on the mesh; call `start` once. */
export class Incidents {
  constructor(
    private readonly mesh: SimulatedMesh,
    private readonly timeline: Timeline,
    private readonly random: Random,
    private readonly emit: (payload: Payload) => void,
    /** For the autoscaler's reason. */
    private readonly queueDepth: () => number,
    /** How often incidents come: 1 as designed, 2 twice as often, 0 never. */
    private readonly chaos = 1,
  ) {}

  /** Schedules the first incident of each kind; a fresh dashboard soon shows something happening. */
  start(): void {
    if (!(this.chaos > 0)) return;
    this.timeline.schedule(this.untilNext(4_000, 10_000), () => this.degradeEdge());
    this.timeline.schedule(this.untilNext(12_000, 25_000), () => this.crashFetcher());
    this.timeline.schedule(this.untilNext(40_000, 90_000), () => this.autoscale());
  }

  /** The wait before the next incident of a kind: its designed range, shortened by `chaos`. */
  private untilNext(min: number, max: number): number {
    return this.random.between(min, max) / this.chaos;
  }

  // ── an edge's latency and errors climb for a while ──────────────────────

  private degradeEdge(): void {
    const healthy = (id: string) => this.mesh.statusOf(id) === 'healthy';
    const candidates = this.mesh.edgeList.filter(
      (edge) => !edge.degraded && DEGRADABLE.has(edge.role) && healthy(edge.edge.source) && healthy(edge.edge.target),
    );
    if (candidates.length > 0) {
      const edge = this.random.pick(candidates);
      edge.degraded = { errorX: this.random.between(4, 12), p95X: this.random.between(3, 9) };
      const stats = this.mesh.statsFor(edge);
      this.emit({ type: 'edge-stats', id: edge.edge.id, stats });
      this.updateCallee(edge.edge.target);
      this.emit({
        type: 'event',
        severity: 'warn',
        nodeId: edge.edge.source,
        message: `${this.mesh.describe(edge)} degraded: p95 ${stats.p95Ms} ms, ${round(stats.errorRate * 100, 1)}% errors`,
      });
      const id = edge.edge.id;
      this.timeline.schedule(this.random.between(20_000, 60_000), () => this.recoverEdge(id));
    }
    this.timeline.schedule(this.untilNext(30_000, 80_000), () => this.degradeEdge());
  }

  private recoverEdge(id: string): void {
    const edge = this.mesh.edges.get(id);
    if (!edge?.degraded) return; // scaled away meanwhile
    edge.degraded = null;
    const stats = this.mesh.statsFor(edge);
    this.emit({ type: 'edge-stats', id, stats });
    this.updateCallee(edge.edge.target);
    this.emit({ type: 'event', severity: 'info', nodeId: edge.edge.source, message: `${this.mesh.describe(edge)} back to normal: p95 ${stats.p95Ms} ms` });
  }

  /**
   * A service answering a degraded edge is degraded itself until every edge
   * into it is back to normal. Fetchers are left alone: their status is the
   * crash and autoscaler story's, and it decides how many of them serve.
   */
  private updateCallee(id: string): void {
    if (this.mesh.fetchers.includes(id)) return;
    const status = this.mesh.statusOf(id);
    if (status !== 'healthy' && status !== 'degraded') return;
    const struggling = this.mesh.edgeList.some((edge) => edge.degraded && edge.edge.target === id);
    this.setStatus(id, struggling ? 'degraded' : 'healthy');
  }

  // ── a fetcher crashes, restarts, recovers; the next crash waits for the recovery ──

  private crashFetcher(): void {
    const healthy = this.mesh.fetchers.filter((id) => this.mesh.statusOf(id) === 'healthy');
    if (healthy.length === 0) {
      this.timeline.schedule(20_000, () => this.crashFetcher());
      return;
    }
    const id = this.random.pick(healthy);
    this.setStatus(id, 'down');
    this.emit({
      type: 'event',
      severity: 'error',
      nodeId: id,
      message: `${this.mesh.label(id)} is down: OOMKilled (exit 137), in-flight URLs returned to the frontier`,
    });
    this.emit({ type: 'log-chunk', nodeId: id, level: 'error', text: crashLines(this.random).join('\n') });
    this.emitEdgesOf(id);
    const downAt = this.timeline.now;
    this.timeline.schedule(this.random.between(15_000, 45_000), () => this.restartFetcher(id, downAt));
  }

  private restartFetcher(id: string, downAt: number): void {
    if (!this.mesh.nodes.has(id)) {
      this.scheduleNextCrash();
      return;
    }
    this.setStatus(id, 'starting');
    this.emit({ type: 'log-chunk', nodeId: id, level: 'info', text: 'restarting: pulling image crawler-fetcher:3.8.2 (cached)' });
    this.timeline.schedule(this.random.between(3_000, 6_000), () => this.fetcherReady(id, downAt));
  }

  /** `downAt` is when it crashed, or null for a fetcher the autoscaler just added. */
  private fetcherReady(id: string, downAt: number | null): void {
    if (this.mesh.nodes.has(id)) {
      this.setStatus(id, 'healthy');
      this.emit({
        type: 'log-chunk',
        nodeId: id,
        level: 'info',
        text: `ready: concurrency=64, warm DNS cache ${this.random.int(2_000, 40_000)} entries`,
      });
      if (downAt !== null) {
        const seconds = Math.round((this.timeline.now - downAt) / 1000);
        this.emit({ type: 'event', severity: 'info', nodeId: id, message: `${this.mesh.label(id)} recovered after ${seconds} s` });
      }
      this.emitEdgesOf(id);
    }
    if (downAt !== null) this.scheduleNextCrash();
  }

  private scheduleNextCrash(): void {
    this.timeline.schedule(this.untilNext(45_000, 120_000), () => this.crashFetcher());
  }

  // ── the autoscaler adds a fetcher, or removes one it added ──────────────

  private autoscale(): void {
    const extras = this.mesh.extraFetchers;
    const victim = [...extras].reverse().find((id) => this.mesh.statusOf(id) === 'healthy');
    const canGrow = extras.length < MAX_EXTRA_FETCHERS;
    if (canGrow && (!victim || this.random.chance(0.5))) this.scaleUp();
    else if (victim) this.scaleDown(victim);
    this.timeline.schedule(this.untilNext(60_000, 150_000), () => this.autoscale());
  }

  private scaleUp(): void {
    const before = this.mesh.fetchers.length;
    const { node, edges } = this.mesh.addFetcher();
    this.emit({
      type: 'event',
      severity: 'info',
      nodeId: node.id,
      message: `Autoscaler: fetcher pool ${before} → ${before + 1} (queue depth ${formatCount(this.queueDepth())})`,
    });
    this.emit({ type: 'node-upsert', node });
    for (const edge of edges) this.emit({ type: 'edge-upsert', edge: { ...edge.edge, stats: this.mesh.statsFor(edge) } });
    this.emit({ type: 'log-chunk', nodeId: node.id, level: 'info', text: 'starting fetcher: concurrency=64, region pinned by scheduler' });
    this.timeline.schedule(this.random.between(4_000, 9_000), () => this.fetcherReady(node.id, null));
  }

  private scaleDown(id: string): void {
    const before = this.mesh.fetchers.length;
    this.emit({ type: 'event', severity: 'info', nodeId: id, message: `Autoscaler: fetcher pool ${before} → ${before - 1}, draining ${id}` });
    // `node-delete` also drops the node's edges, logs and series on every consumer.
    this.emit({ type: 'node-delete', id });
    this.mesh.removeFetcher(id);
  }

  private setStatus(id: string, status: 'down' | 'starting' | 'healthy' | 'degraded'): void {
    const payload = this.mesh.setStatus(id, status);
    if (payload) this.emit(payload);
  }

  private emitEdgesOf(id: string): void {
    for (const edge of this.mesh.edgesOf(id)) this.emit({ type: 'edge-stats', id: edge.edge.id, stats: this.mesh.statsFor(edge) });
  }
}
