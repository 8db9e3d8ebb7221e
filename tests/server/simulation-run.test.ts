import { describe, expect, it } from 'vitest';
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

/** A fixed wall clock: the simulated mesh's start time, so a reference simulator can start at the same one. */
const T0 = Date.UTC(2025, 0, 1);
const clock = () => T0;

describe('running a simulation', () => {
  it('publishes the initial mesh at once, then what each tick of the injected scheduler simulated, exactly as the simulator alone would', () => {
    const target = new RecordingTarget();
    const scheduler = new ManualScheduler();
    const stop = startSimulation(target, 'demo', { seed: 'demo', tickMs: 100, clock, scheduler });
    const reference = new CrawlSimulator({ seed: 'demo', now: T0 });
    const expected = [...reference.initial()];
    expect(target.published.map(([, p]) => p)).toEqual(expected);

    for (let i = 0; i < 50; i++) expected.push(...reference.step(100));
    scheduler.advance(5_000);
    expect(target.published.map(([, p]) => p)).toEqual(expected);
    expect(new Set(target.published.map(([project]) => project))).toEqual(new Set(['demo']));
    stop();
    expect(scheduler.pending).toBe(0);
  });

  it('stops publishing when stopped', () => {
    const target = new RecordingTarget();
    const scheduler = new ManualScheduler();
    const stop = startSimulation(target, 'demo', { tickMs: 100, clock, scheduler });
    scheduler.advance(1_000);
    stop();
    const count = target.published.length;
    scheduler.advance(10_000);
    expect(target.published.length).toBe(count);
  });

  it('skips a backlog longer than maxCatchUpMs instead of bursting it out', () => {
    const target = new RecordingTarget();
    // A scheduler whose clock jumps with no tick in between, as after a suspended laptop wakes up.
    let now = 0;
    let tick = () => {};
    const scheduler = {
      now: () => now,
      setTimeout: () => () => {},
      setInterval: (callback: () => void) => {
        tick = callback;
        return () => {};
      },
    };
    startSimulation(target, 'demo', { tickMs: 100, clock, scheduler, ratePerSecond: 100, maxCatchUpMs: 1_000 });
    const initial = target.published.length;
    now = 10 * 60_000;
    tick();
    expect(target.published.length - initial).toBeLessThan(200);
  });

  it('stops and reports when publishing throws', () => {
    const errors: unknown[] = [];
    let calls = 0;
    const target = {
      publish() {
        if (++calls > 200) throw new Error('boom');
      },
    };
    const scheduler = new ManualScheduler();
    startSimulation(target, 'demo', { tickMs: 100, clock, scheduler, onError: (error) => errors.push(error) });
    scheduler.advance(10_000);
    expect(errors).toHaveLength(1);
    const after = calls;
    scheduler.advance(10_000);
    expect(calls).toBe(after);
    expect(scheduler.pending).toBe(0);
  });
});

describe('simulation registry', () => {
  const projectsOf = (target: RecordingTarget) => new Set(target.published.map(([project]) => project));
  const publishesTo = (target: RecordingTarget, project: string) => target.published.filter(([p]) => p === project).length;

  it('simulates each watched project once, seeded by its id', () => {
    const target = new RecordingTarget();
    const scheduler = new ManualScheduler();
    const registry = new SimulationRegistry(target, { seedFor: (id) => `salt:${id}`, clock, scheduler });
    expect(registry.watch('a')).toBe(true);
    expect(registry.watch('a')).toBe(true);
    expect(registry.size).toBe(1);
    const aInitial = target.published.filter(([p]) => p === 'a').map(([, payload]) => payload);
    expect(aInitial).toEqual(new CrawlSimulator({ seed: 'salt:a', now: T0 }).initial());
    registry.stopAll();
    const count = target.published.length;
    scheduler.advance(5_000);
    expect(target.published.length).toBe(count);
    expect(scheduler.pending).toBe(0);
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
    expect(scheduler.pending).toBe(1); // back's ticks; no grace period left behind
    registry.stopAll();
    expect(scheduler.pending).toBe(0);
  });

  it('at the limit, stops the simulation whose viewers left longest ago to start a newly watched project', () => {
    const target = new RecordingTarget();
    const scheduler = new ManualScheduler();
    const registry = new SimulationRegistry(target, { maxSimulations: 3, scheduler });
    for (const project of ['a', 'b', 'c']) registry.watch(project);
    registry.unwatch('b');
    registry.unwatch('a');
    expect(registry.watch('d')).toBe(true);
    expect(['a', 'b', 'c', 'd'].filter((p) => registry.has(p))).toEqual(['a', 'c', 'd']);
    expect(registry.watch('e')).toBe(true);
    expect(['a', 'b', 'c', 'd', 'e'].filter((p) => registry.has(p))).toEqual(['c', 'd', 'e']);
    // The stopped ones publish no more.
    const before = [publishesTo(target, 'a'), publishesTo(target, 'b')];
    scheduler.advance(2_000);
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

  it('calls onStart just before each simulation publishes its initial mesh, one started from the waiting list too', () => {
    const log: string[] = [];
    const target = { publish: (projectId: string) => void log.push(`publish ${projectId}`) };
    const registry = new SimulationRegistry(target, {
      maxSimulations: 1,
      scheduler: new ManualScheduler(),
      onStart: (projectId) => log.push(`start ${projectId}`),
      onError: () => {},
    });
    registry.watch('a');
    registry.watch('b'); // waits for a's slot
    expect(log.filter((line) => line.startsWith('start'))).toEqual(['start a']);
    registry.stop('a');
    expect(log.filter((line) => line.startsWith('start'))).toEqual(['start a', 'start b']);
    // Each start comes before that project's first publish.
    for (const project of ['a', 'b']) expect(log.indexOf(`start ${project}`)).toBe(log.indexOf(`publish ${project}`) - 1);
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
    const scheduler = new ManualScheduler();
    const registry = new SimulationRegistry(target, { maxSimulations: 1, tickMs: 100, scheduler, onError: (e) => errors.push(e) });
    registry.watch('bad');
    scheduler.advance(10_000);
    expect(errors).toHaveLength(1);
    expect(registry.has('bad')).toBe(false);
    expect(registry.watch('good')).toBe(true);
    registry.stopAll();
  });
});
