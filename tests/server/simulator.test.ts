import { describe, expect, it } from 'vitest';
import { Payload } from '../../src/protocol/messages.ts';
import { CrawlSimulator, type SimulatorOptions } from '../../src/server/simulator/simulator.ts';
import { hashSeed, mulberry32 } from '../../src/lib/prng.ts';

const START = Date.UTC(2025, 0, 1);

/** Runs `seconds` of simulated time in steps of `stepMs`; returns every payload, initial ones first. */
function run(options: SimulatorOptions, seconds: number, stepMs = 100): { initial: Payload[]; steps: Payload[][] } {
  const sim = new CrawlSimulator({ now: START, ...options });
  const initial = sim.initial();
  const steps: Payload[][] = [];
  for (let t = 0; t < seconds * 1000; t += stepMs) steps.push(sim.step(stepMs));
  return { initial, steps };
}

describe('simulator', () => {
  it('produces identical payloads for the same seed and the same steps', () => {
    const a = run({ seed: 'demo' }, 300);
    const b = run({ seed: 'demo' }, 300);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('produces a different mesh and traffic for a different seed', () => {
    const a = run({ seed: 'demo' }, 30);
    const b = run({ seed: 'demo-2' }, 30);
    expect(JSON.stringify(b.steps)).not.toBe(JSON.stringify(a.steps));
  });

  it('hashes string seeds to well spread 32-bit seeds, and numbers to themselves', () => {
    expect(hashSeed(42)).toBe(42);
    expect(hashSeed('a')).not.toBe(hashSeed('b'));
    const random = mulberry32(hashSeed('demo'));
    const values = Array.from({ length: 1_000 }, random);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.reduce((s, v) => s + v, 0) / values.length).toBeCloseTo(0.5, 1);
  });

  it('builds a default mesh of 20 to 40 nodes: the crawl services, fetchers and parsers, wired together', () => {
    const { initial } = run({ seed: 1 }, 0);
    const nodes = initial.flatMap((p) => (p.type === 'node-upsert' ? [p.node] : []));
    const edges = initial.flatMap((p) => (p.type === 'edge-upsert' ? [p.edge] : []));
    expect(nodes.length).toBeGreaterThanOrEqual(20);
    expect(nodes.length).toBeLessThanOrEqual(40);
    const kinds = new Set(nodes.map((n) => n.kind));
    for (const kind of ['scheduler', 'frontier', 'dns', 'cache', 'fetcher', 'parser', 'kafka', 'postgres', 'indexer', 'object-storage']) {
      expect(kinds, kind).toContain(kind);
    }
    expect(nodes.filter((n) => n.group === 'fetchers').length).toBeGreaterThanOrEqual(8);
    expect(nodes.filter((n) => n.group === 'parsers').length).toBeGreaterThanOrEqual(4);
    const ids = new Set(nodes.map((n) => n.id));
    for (const edge of edges) {
      expect(ids.has(edge.source) && ids.has(edge.target), edge.id).toBe(true);
      expect(edge.label).toBeTruthy();
      expect(edge.stats).toBeDefined();
    }
    expect(initial.some((p) => p.type === 'progress')).toBe(true);
  });

  it('scales to 500 nodes and more for load tests', () => {
    for (const size of [500, 2_000]) {
      const nodes = run({ seed: 7, size }, 0).initial.filter((p) => p.type === 'node-upsert');
      expect(nodes.length).toBeGreaterThanOrEqual(size);
      expect(new Set(nodes.map((p) => (p.type === 'node-upsert' ? p.node.id : ''))).size).toBe(nodes.length);
    }
  });

  it.each([
    { ratePerSecond: 150, size: 30 },
    { ratePerSecond: 40, size: 30 },
    { ratePerSecond: 2_000, size: 500 },
  ])('honours a rate of $ratePerSecond messages per simulated second (size $size) within 25 %', ({ ratePerSecond, size }) => {
    const seconds = 240;
    const { steps } = run({ seed: 3, size, ratePerSecond }, seconds);
    const perSecond = steps.flat().length / seconds;
    expect(perSecond).toBeGreaterThan(ratePerSecond * 0.75);
    expect(perSecond).toBeLessThan(ratePerSecond * 1.25);
  });

  it('keeps the rate whatever the step size', () => {
    const coarse = run({ seed: 3 }, 60, 1_000).steps.flat().length;
    const fine = run({ seed: 3 }, 60, 16).steps.flat().length;
    expect(Math.abs(coarse - fine) / fine).toBeLessThan(0.1);
  });

  it('emits only payloads that pass the protocol schema', () => {
    const { initial, steps } = run({ seed: 'schema', size: 120 }, 600, 250);
    for (const payload of [...initial, ...steps.flat()]) {
      const parsed = Payload.safeParse(payload);
      if (!parsed.success) throw new Error(`invalid payload ${JSON.stringify(payload)}: ${parsed.error.message}`);
    }
  });

  it('emits every kind of payload a dashboard shows, including the core series', () => {
    const all = run({ seed: 5 }, 120).steps.flat();
    const types = new Set(all.map((p) => p.type));
    for (const type of ['edge-stats', 'chart-point', 'log-chunk', 'event', 'progress', 'node-status']) expect(types).toContain(type);
    const series = new Set(all.flatMap((p) => (p.type === 'chart-point' ? [p.series] : [])));
    for (const name of ['postgres.connections', 'postgres.tps', 'postgres.cache_hit_ratio', 'crawl.pages_per_sec', 'crawl.error_rate', 'queue.depth']) {
      expect(series).toContain(name);
    }
    const pg = all.find((p) => p.type === 'chart-point' && p.series === 'postgres.tps');
    expect(pg).toMatchObject({ nodeId: 'postgres' });
    const levels = new Set(all.flatMap((p) => (p.type === 'log-chunk' ? [p.level] : [])));
    expect(levels).toContain('info');
    expect(levels).toContain('warn');
  });

  it.each([1, 2, 'demo', 'load-test'])('takes a fetcher down and brings it back within a few simulated minutes (seed %s)', (seed) => {
    const all = run({ seed }, 240).steps.flat();
    const down = all.findIndex((p) => p.type === 'node-status' && p.status === 'down');
    expect(down, 'a node went down').toBeGreaterThanOrEqual(0);
    const id = (all[down] as Extract<Payload, { type: 'node-status' }>).id;
    expect(id).toMatch(/^fetcher-/);
    expect(all.slice(down).some((p) => p.type === 'event' && p.severity === 'error' && p.nodeId === id)).toBe(true);
    expect(all.slice(down).some((p) => p.type === 'log-chunk' && p.level === 'error' && p.nodeId === id)).toBe(true);
    const recovered = all.findIndex((p, i) => i > down && p.type === 'node-status' && p.id === id && p.status === 'healthy');
    expect(recovered, 'it recovered').toBeGreaterThan(down);
    expect(all.slice(recovered).some((p) => p.type === 'event' && p.severity === 'info' && p.nodeId === id)).toBe(true);
  });

  it('degrades an edge with a warning, and later says it recovered', () => {
    const all = run({ seed: 11 }, 240).steps.flat();
    const warning = all.find((p) => p.type === 'event' && p.severity === 'warn' && p.message.includes('degraded'));
    expect(warning).toBeDefined();
    expect(all.some((p) => p.type === 'event' && p.message.includes('back to normal'))).toBe(true);
    expect(all.some((p) => p.type === 'edge-stats' && p.stats.errorRate >= 0.02 && p.stats.p95Ms > 0)).toBe(true);
  });

  it.each([1, 'demo', 'load-test'])('shows someone who just opened the page a degradation within 10 s and a crash within 25 s (seed %s)', (seed) => {
    const steps = run({ seed }, 30).steps;
    const secondOf = (match: (p: Payload) => boolean) => steps.findIndex((step) => step.some(match)) / 10;
    const degraded = secondOf((p) => p.type === 'event' && p.severity === 'warn' && p.message.includes('degraded'));
    const down = secondOf((p) => p.type === 'node-status' && p.status === 'down');
    expect(degraded).toBeGreaterThanOrEqual(0);
    expect(degraded).toBeLessThanOrEqual(10);
    expect(down).toBeGreaterThanOrEqual(0);
    expect(down).toBeLessThanOrEqual(25);
  });

  it('marks the service a degraded edge calls as degraded, and healthy again when the edge recovers', () => {
    const all = run({ seed: 'demo' }, 240).steps.flat();
    const statuses = all.filter((p): p is Extract<Payload, { type: 'node-status' }> => p.type === 'node-status');
    const degraded = statuses.find((p) => p.status === 'degraded');
    expect(degraded, 'a service was degraded').toBeDefined();
    expect(degraded!.id).not.toMatch(/^fetcher-/);
    const at = all.indexOf(degraded!);
    const edgeWarning = all.slice(0, at + 3).some((p) => p.type === 'event' && p.severity === 'warn' && p.message.includes('degraded'));
    expect(edgeWarning, 'next to the edge that degraded').toBe(true);
    expect(all.slice(at).some((p) => p.type === 'node-status' && p.id === degraded!.id && p.status === 'healthy')).toBe(true);
  });

  it('scales the fetcher pool up with new nodes and edges, and later down with a node-delete', () => {
    const all = run({ seed: 2 }, 1_200, 500).steps.flat();
    const added = all.filter((p) => p.type === 'node-upsert');
    expect(added.length).toBeGreaterThan(0);
    const first = added[0] as Extract<Payload, { type: 'node-upsert' }>;
    expect(first.node).toMatchObject({ kind: 'fetcher', group: 'fetchers', status: 'starting' });
    expect(all.some((p) => p.type === 'edge-upsert' && (p.edge.source === first.node.id || p.edge.target === first.node.id))).toBe(true);
    const deleted = all.filter((p) => p.type === 'node-delete');
    expect(deleted.length).toBeGreaterThan(0);
    // A deleted fetcher is one the autoscaler added, never one of the original pool.
    const addedIds = new Set(added.map((p) => (p.type === 'node-upsert' ? p.node.id : '')));
    for (const p of deleted) if (p.type === 'node-delete') expect(addedIds).toContain(p.id);
  });

  it('advances the crawl run, completes it and starts the next', () => {
    const progress = run({ seed: 4 }, 900, 500).steps.flat().flatMap((p) => (p.type === 'progress' ? [p.progress] : []));
    expect(progress.some((p) => p.status === 'complete' || p.status === 'failed')).toBe(true);
    const runs = new Set(progress.map((p) => p.label.split(' · ')[0]));
    expect(runs.size).toBeGreaterThan(1);
    for (const p of progress) expect(p.percent).toBeGreaterThanOrEqual(0);
  });

  it('takes time only from its caller: step(0) and bad steps do nothing', () => {
    const sim = new CrawlSimulator({ now: () => 123 });
    sim.initial();
    expect(sim.time).toBe(123);
    expect(sim.step(0)).toEqual([]);
    expect(sim.step(-5)).toEqual([]);
    expect(sim.step(Number.NaN)).toEqual([]);
    expect(sim.time).toBe(123);
    sim.step(1_500);
    expect(sim.time).toBe(1_623);
  });
});

describe('chaos', () => {
  /** Incident events (a degraded edge, a crash, scaling) over `minutes` of simulated time. */
  function incidents(chaos: number | undefined, minutes: number): number {
    const sim = new CrawlSimulator({ seed: 'chaos', size: 30, ratePerSecond: 100, chaos });
    sim.initial();
    let count = 0;
    for (let s = 0; s < minutes * 60; s++) {
      for (const payload of sim.step(1_000)) {
        if (payload.type === 'event' && /degraded|crashed|scal/i.test(payload.message)) count++;
      }
    }
    return count;
  }

  it('is the designed mesh at 1 (the default), none at 0, several times as many incidents at 4', () => {
    const designed = incidents(undefined, 10);
    expect(incidents(1, 10)).toBe(designed);
    expect(designed).toBeGreaterThan(0);
    expect(incidents(0, 10)).toBe(0);
    expect(incidents(4, 10)).toBeGreaterThan(designed * 2);
  });
});
