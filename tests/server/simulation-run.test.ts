import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Payload } from '../../src/protocol/messages.ts';
import { CrawlSimulator } from '../../src/server/simulator/simulator.ts';
import { SimulationError, SimulationRegistry, startSimulation } from '../../src/server/simulator/run.ts';
import { ManualScheduler } from './manual-scheduler.ts';

class RecordingTarget {
  readonly published: Array<[string, Payload]> = [];
  publish(projectId: string, payload: Payload): void {
    this.published.push([projectId, payload]);
  }
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2025, 0, 1) });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('running a simulation', () => {
  it('publishes the initial mesh at once, then what each tick simulated, exactly as the simulator alone would', () => {
    const target = new RecordingTarget();
    const stop = startSimulation(target, 'demo', { seed: 'demo', tickMs: 100 });
    const reference = new CrawlSimulator({ seed: 'demo', now: Date.now() });
    const expected = [...reference.initial()];
    expect(target.published.map(([, p]) => p)).toEqual(expected);

    for (let i = 0; i < 50; i++) expected.push(...reference.step(100));
    vi.advanceTimersByTime(5_000);
    expect(target.published.map(([, p]) => p)).toEqual(expected);
    expect(new Set(target.published.map(([project]) => project))).toEqual(new Set(['demo']));
    stop();
  });

  it('stops publishing when stopped', () => {
    const target = new RecordingTarget();
    const stop = startSimulation(target, 'demo', { tickMs: 100 });
    vi.advanceTimersByTime(1_000);
    stop();
    const count = target.published.length;
    vi.advanceTimersByTime(10_000);
    expect(target.published.length).toBe(count);
  });

  it('skips a backlog longer than maxCatchUpMs instead of bursting it out', () => {
    const target = new RecordingTarget();
    let clock = 0;
    const stop = startSimulation(target, 'demo', { tickMs: 100, clock: () => clock, ratePerSecond: 100, maxCatchUpMs: 1_000 });
    const initial = target.published.length;
    clock = 10 * 60_000; // the laptop slept for ten minutes
    vi.advanceTimersByTime(100);
    expect(target.published.length - initial).toBeLessThan(200);
    stop();
  });

  it('stops and reports when publishing throws', () => {
    const errors: unknown[] = [];
    let calls = 0;
    const target = {
      publish() {
        if (++calls > 200) throw new Error('boom');
      },
    };
    startSimulation(target, 'demo', { tickMs: 100, onError: (error) => errors.push(error) });
    vi.advanceTimersByTime(10_000);
    expect(errors).toHaveLength(1);
    const after = calls;
    vi.advanceTimersByTime(10_000);
    expect(calls).toBe(after);
  });
});

describe('simulation registry', () => {
  const projectsOf = (target: RecordingTarget) => new Set(target.published.map(([project]) => project));
  const publishesTo = (target: RecordingTarget, project: string) => target.published.filter(([p]) => p === project).length;

  it('simulates each watched project once, seeded by its id', () => {
    const target = new RecordingTarget();
    const registry = new SimulationRegistry(target, { seedFor: (id) => `salt:${id}` });
    expect(registry.watch('a')).toBe(true);
    expect(registry.watch('a')).toBe(true);
    expect(registry.size).toBe(1);
    const aInitial = target.published.filter(([p]) => p === 'a').map(([, payload]) => payload);
    expect(aInitial).toEqual(new CrawlSimulator({ seed: 'salt:a', now: Date.now() }).initial());
    registry.stopAll();
    const count = target.published.length;
    vi.advanceTimersByTime(5_000);
    expect(target.published.length).toBe(count);
  });

  it('stops a simulation a grace period after its last viewer leaves, unless a viewer comes back within it', () => {
    const scheduler = new ManualScheduler();
    const registry = new SimulationRegistry(new RecordingTarget(), { graceMs: 30_000, scheduler });
    registry.watch('back');
    registry.watch('gone');
    registry.unwatch('back');
    registry.unwatch('gone');
    scheduler.advance(29_999);
    expect([registry.has('back'), registry.has('gone')]).toEqual([true, true]);
    registry.watch('back'); // a reload, say
    scheduler.advance(1);
    expect([registry.has('back'), registry.has('gone')]).toEqual([true, false]);
    scheduler.advance(10 * 60_000);
    expect(registry.has('back')).toBe(true);
    expect(scheduler.pending).toBe(0);
  });

  it('at the limit, stops the simulation whose viewers left longest ago to start a newly watched project', () => {
    const target = new RecordingTarget();
    const registry = new SimulationRegistry(target, { maxSimulations: 3, scheduler: new ManualScheduler() });
    for (const project of ['a', 'b', 'c']) registry.watch(project);
    registry.unwatch('b');
    registry.unwatch('a');
    expect(registry.watch('d')).toBe(true);
    expect(['a', 'b', 'c', 'd'].filter((p) => registry.has(p))).toEqual(['a', 'c', 'd']);
    expect(registry.watch('e')).toBe(true);
    expect(['a', 'b', 'c', 'd', 'e'].filter((p) => registry.has(p))).toEqual(['c', 'd', 'e']);
    // The stopped ones publish no more.
    const before = [publishesTo(target, 'a'), publishesTo(target, 'b')];
    vi.advanceTimersByTime(2_000);
    expect([publishesTo(target, 'a'), publishesTo(target, 'b')]).toEqual(before);
    expect(publishesTo(target, 'e')).toBeGreaterThan(0);
    registry.stopAll();
  });

  it('reports a project it cannot simulate because every slot has viewers, and starts it once a slot frees', () => {
    const target = new RecordingTarget();
    const errors: unknown[] = [];
    const registry = new SimulationRegistry(target, { maxSimulations: 2, scheduler: new ManualScheduler(), onError: (e) => errors.push(e) });
    registry.watch('a');
    registry.watch('b');
    expect(registry.watch('c')).toBe(false);
    expect(errors).toEqual([expect.objectContaining({ code: 'simulation-limit' })]);
    expect(errors[0]).toBeInstanceOf(SimulationError);
    expect(projectsOf(target)).toEqual(new Set(['a', 'b']));
    // Its viewers left: no grace period while a watched project waits.
    registry.unwatch('a');
    expect(['a', 'b', 'c'].filter((p) => registry.has(p))).toEqual(['b', 'c']);
    expect(publishesTo(target, 'c')).toBeGreaterThan(0);
    // A publisher taking a project over frees its slot too, and a waiting project whose viewers left is forgotten.
    expect(registry.watch('d')).toBe(false);
    expect(registry.watch('e')).toBe(false);
    registry.unwatch('d');
    registry.stop('b');
    expect(['b', 'c', 'd', 'e'].filter((p) => registry.has(p))).toEqual(['c', 'e']);
    registry.stopAll();
  });

  it('frees the slot of a simulation that stopped after an error', () => {
    const errors: unknown[] = [];
    let calls = 0;
    const target = {
      publish(projectId: string) {
        if (projectId === 'bad' && ++calls > 200) throw new Error('boom');
      },
    };
    const registry = new SimulationRegistry(target, { maxSimulations: 1, tickMs: 100, onError: (e) => errors.push(e) });
    registry.watch('bad');
    vi.advanceTimersByTime(10_000);
    expect(errors).toHaveLength(1);
    expect(registry.has('bad')).toBe(false);
    expect(registry.watch('good')).toBe(true);
    registry.stopAll();
  });
});
