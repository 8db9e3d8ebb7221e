import { describe, expect, it } from 'vitest';
import type { SnapshotState } from '../../../src/protocol/frames.ts';
import type { Payload } from '../../../src/protocol/messages.ts';
import { ProjectState, type ProjectStateLimits } from '../../../src/server/project-state.ts';
import { catchUp, newTail } from '../../../src/server/recording/catch-up.ts';
import { snapshotEnvelopes } from '../../../src/server/recording/snapshot-messages.ts';
import { CrawlSimulator } from '../../../src/server/simulator/simulator.ts';
import { roomViewOf } from './support.ts';

const same = (a: number, b: number) => a === b;

describe('the new tail of a window', () => {
  it.each([
    ['overlapping', [1, 2, 3], [2, 3, 4, 5], [4, 5]],
    ['with nothing in common', [1, 2, 3], [7, 8], [7, 8]],
    ['after nothing', [], [1, 2], [1, 2]],
    ['with nothing new', [1, 2, 3], [2, 3], []],
    ['of a window that moved past everything held', [1, 2], [3, 4, 5], [3, 4, 5]],
    ['with repeated items', [1, 1, 1], [1, 1, 2], [2]],
    ['when the old window is longer', [1, 2, 3, 4, 5, 6], [5, 6, 7], [7]],
  ])('is found %s', (_name, have, next, tail) => {
    expect(newTail(have, next, same)).toEqual(tail);
  });
});

/** Small windows, so the simulated stream overflows them. */
const LIMITS: Partial<ProjectStateLimits> = { maxEvents: 20, maxPointsPerSeries: 15, maxLogLinesPerNode: 10 };

function fold(state: ProjectState, payloads: readonly Payload[], ts: number): void {
  for (const payload of payloads) state.apply(payload, ts);
}

describe('catching up with a later snapshot', () => {
  it.each([
    ['a short gap', 300],
    ['a gap longer than every window', 5_000],
  ])('makes what the recording wrote equal the snapshot after %s', (_name, missedMs) => {
    const sim = new CrawlSimulator({ seed: 'catch-up', size: 20, ratePerSecond: 300 });
    const written = new ProjectState(LIMITS);
    const gateway = new ProjectState(LIMITS);
    const before = [...sim.initial(), ...sim.step(3_000)];
    fold(written, before, 1_000);
    fold(gateway, before, 1_000);
    // What the recorder missed: more traffic, a node deleted.
    const missed = [...sim.step(missedMs), { type: 'node-delete', id: 'fetcher-01' } as Payload, ...sim.step(100)];
    fold(gateway, missed, 2_000);
    const next = gateway.snapshot();

    const { deletes, state } = catchUp(written.snapshot(), next);
    expect(deletes).toContainEqual({ type: 'node-delete', id: 'fetcher-01' });
    for (const payload of deletes) written.apply(payload, 3_000);
    for (const { ts, data } of snapshotEnvelopes(1, 3_000, state)) written.apply(data, ts);

    // Log lines compared by level and text: lines written from a snapshot carry their chunk's time.
    expect(roomViewOf(written.snapshot())).toEqual(roomViewOf(next));
    if (missedMs < 1_000) {
      // A short gap writes only what is new, not every window again (which the windows' caps would hide).
      const points = (s: SnapshotState) => s.series.reduce((sum, w) => sum + w.points.length, 0);
      expect(points(state)).toBeLessThan(points(next) / 2);
      expect(state.events.length).toBeLessThan(next.events.length / 2);
    }
  });

  it('writes nothing of the windows when nothing was missed', () => {
    const sim = new CrawlSimulator({ seed: 'nothing-missed', size: 20 });
    const state = new ProjectState(LIMITS);
    fold(state, [...sim.initial(), ...sim.step(2_000)], 1_000);
    const { deletes, state: rest } = catchUp(state.snapshot(), state.snapshot());
    expect(deletes).toEqual([]);
    expect(rest.events).toEqual([]);
    expect(rest.series).toEqual([]);
    expect(rest.logs).toEqual([]);
    expect(rest.nodes).toHaveLength(sim.nodeCount);
  });
});
