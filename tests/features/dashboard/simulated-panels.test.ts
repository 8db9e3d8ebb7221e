/**
 * The development simulator is what the dashboard is built and benchmarked
 * against: its default mesh must fill a dashboard of at least twelve panels,
 * each series reporting once a second.
 */
import { describe, expect, it } from 'vitest';
import { groupSeries, ownershipFrom, poolPanelId } from '../../../src/features/dashboard/group-series.ts';
import type { Envelope } from '../../../src/protocol/messages.ts';
import { Random } from '../../../src/lib/prng.ts';
import { CoreSeries, SERVICE_SERIES } from '../../../src/server/simulator/core-series.ts';
import { SimulatedMesh } from '../../../src/server/simulator/simulated-mesh.ts';
import { CrawlSimulator } from '../../../src/server/simulator/simulator.ts';
import { createRealtimeStore } from '../../../src/store/realtime.ts';

const START = Date.UTC(2025, 0, 1);

function simulate(seconds: number) {
  const sim = new CrawlSimulator({ now: START });
  const store = createRealtimeStore();
  let seq = 0;
  const apply = (payloads: ReturnType<CrawlSimulator['step']>) =>
    store.getState().applyBatch(payloads.map((data): Envelope => ({ seq: ++seq, ts: sim.time, data })));
  apply(sim.initial());
  for (let i = 0; i < seconds * 10; i++) apply(sim.step(100));
  return store.getState();
}

describe('the simulated mesh on the dashboard', () => {
  const state = simulate(60);

  it('gives the default mesh at least twelve panels, the fetchers as one pool', () => {
    const pools = new Map(Object.keys(state.seriesByNode).map((id) => [id, state.nodes[id]!.group ?? state.nodes[id]!.kind]));
    const panels = groupSeries(Object.keys(state.charts), ownershipFrom(state.seriesByNode, pools));
    expect(panels.length).toBeGreaterThanOrEqual(12);
    const titles = panels.map((p) => p.title);
    for (const title of ['crawl', 'postgres', 'queue', 'gateway', 'redis:stats', 'kafka:lag', 'frontier', 'dns', 'storage']) {
      expect(titles).toContain(title);
    }
    const fetchers = panels.find((p) => p.id === poolPanelId('fetchers', 'pages_per_sec'));
    expect(fetchers?.lines.length).toBeGreaterThanOrEqual(8);
    // No fetcher got a panel of its own.
    expect(titles.filter((t) => t.startsWith('fetcher-'))).toEqual([]);
  });

  it('writes each service series once a second, owned by its service', () => {
    for (const [series, owner] of Object.entries(SERVICE_SERIES)) {
      const points = state.charts[series];
      expect(points, series).toBeDefined();
      expect(points!.length, series).toBeGreaterThanOrEqual(60);
      const gaps = new Set(points!.slice(1).map((p, i) => p.t - points![i]!.t));
      expect([...gaps], series).toEqual([1_000]);
      expect(state.seriesByNode[owner], series).toContain(series);
    }
  });

  it('keeps ratios in [0, 1] and every value finite and not negative', () => {
    for (const series of ['redis:stats/hit_ratio', 'robots/hit_ratio']) {
      for (const { y } of state.charts[series]!) expect(y >= 0 && y <= 1, `${series} ${y}`).toBe(true);
    }
    for (const series of Object.keys(SERVICE_SERIES)) {
      for (const { y } of state.charts[series]!) expect(Number.isFinite(y) && y >= 0, `${series} ${y}`).toBe(true);
    }
  });

  it('stops a service’s series while the service is down', () => {
    const random = new Random(1);
    const mesh = new SimulatedMesh(30, random);
    const series = new Set<string>();
    const core = new CoreSeries(mesh, random, (p) => {
      if (p.type === 'chart-point') series.add(p.series);
    });
    mesh.setStatus('dns', 'down');
    for (let t = 0; t < 3; t++) core.write(START + t * 1_000);
    expect(series.has('dns/p95_ms')).toBe(false);
    expect(series.has('dns/lookups_per_s')).toBe(false);
    expect(series.has('gateway/p95_ms')).toBe(true);
  });
});
