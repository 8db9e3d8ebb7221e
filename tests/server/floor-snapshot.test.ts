import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/protocol/mesh.ts';
import { Envelope } from '../../src/protocol/messages.ts';
import { FLOOR_SNAPSHOT_LIMITS, floorSnapshotEnvelopes } from '../../src/server/floor-snapshot.ts';
import { ProjectState } from '../../src/server/project-state.ts';
import { CrawlSimulator } from '../../src/server/simulator/simulator.ts';
import { createSeedStore } from './seed-004-apply.ts';

function simulatedState(): ProjectState {
  const state = new ProjectState();
  const sim = new CrawlSimulator({ seed: 'floor', now: 0 });
  let ts = 0;
  for (const payload of sim.initial()) state.apply(payload, ts++);
  for (let i = 0; i < 1_200; i++) for (const payload of sim.step(100)) state.apply(payload, ts++);
  return state;
}

describe('floor snapshot', () => {
  it('turns a snapshot into valid envelopes, all stamped with its seq', () => {
    const envelopes = floorSnapshotEnvelopes(77, 5_000, simulatedState().snapshot()).map((text) => Envelope.parse(JSON.parse(text)));
    expect(envelopes.length).toBeGreaterThan(100);
    expect(new Set(envelopes.map((e) => e.seq))).toEqual(new Set([77]));
  });

  it('lets seed 004 apply rebuild the nodes and edges exactly, and sends recent chart points and logs', () => {
    const snapshot = simulatedState().snapshot();
    const seed = createSeedStore();
    for (const text of floorSnapshotEnvelopes(1, 5_000, snapshot)) seed.apply(JSON.parse(text));
    expect(Object.values(seed.state.nodes)).toEqual(snapshot.nodes);
    expect(Object.values(seed.state.edges)).toEqual(snapshot.edges);
    for (const window of snapshot.series) {
      expect(seed.state.charts[window.series]).toEqual(window.points.slice(-FLOOR_SNAPSHOT_LIMITS.pointsPerSeries));
    }
    expect(Object.keys(seed.state.logs).sort()).toEqual(snapshot.logs.map((l) => l.nodeId).sort());
    // Seed 004 keeps events newest first; the floor sends them oldest first so that works out.
    expect(seed.state.events.map((e) => e.message)).toEqual(snapshot.events.map((e) => e.message).reverse());
  });

  it('sends each run of same-level log lines as one chunk, within the text limit', () => {
    const state = new ProjectState();
    state.apply({ type: 'log-chunk', nodeId: 'a', text: 'one\ntwo', level: 'info' }, 1);
    state.apply({ type: 'log-chunk', nodeId: 'a', text: 'oops', level: 'error' }, 2);
    state.apply({ type: 'log-chunk', nodeId: 'a', text: 'three', level: 'info' }, 3);
    for (let i = 0; i < 15; i++) state.apply({ type: 'log-chunk', nodeId: 'b', text: 'y'.repeat(1_900), level: 'info' }, 4);
    const chunks = floorSnapshotEnvelopes(1, 0, state.snapshot()).map((text) => Envelope.parse(JSON.parse(text)).data);
    const a = chunks.filter((c) => c.type === 'log-chunk' && c.nodeId === 'a');
    expect(a).toEqual([
      { type: 'log-chunk', nodeId: 'a', text: 'one\ntwo', level: 'info' },
      { type: 'log-chunk', nodeId: 'a', text: 'oops', level: 'error' },
      { type: 'log-chunk', nodeId: 'a', text: 'three', level: 'info' },
    ]);
    const b = chunks.filter((c) => c.type === 'log-chunk' && c.nodeId === 'b');
    expect(b.length).toBeGreaterThan(1);
    for (const chunk of b) if (chunk.type === 'log-chunk') expect(chunk.text.length).toBeLessThanOrEqual(LIMITS.logTextLength);
  });
});
