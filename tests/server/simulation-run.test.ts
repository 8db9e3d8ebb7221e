import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Payload } from '../../src/protocol/messages.ts';
import { CrawlSimulator } from '../../src/server/simulator/simulator.ts';
import { SimulationRegistry, startSimulation } from '../../src/server/simulator/run.ts';

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
  it('simulates each project once, seeded by its id, up to the limit', () => {
    const target = new RecordingTarget();
    const registry = new SimulationRegistry(target, { maxSimulations: 2, seedFor: (id) => `salt:${id}` });
    expect(registry.start('a')).toBe(true);
    expect(registry.start('a')).toBe(true);
    expect(registry.start('b')).toBe(true);
    expect(registry.start('c')).toBe(false);
    expect(registry.size).toBe(2);
    const aInitial = target.published.filter(([p]) => p === 'a').map(([, payload]) => payload);
    expect(aInitial).toEqual(new CrawlSimulator({ seed: 'salt:a', now: Date.now() }).initial());
    registry.stop('a');
    expect(registry.has('a')).toBe(false);
    expect(registry.start('c')).toBe(true);
    registry.stopAll();
    const count = target.published.length;
    vi.advanceTimersByTime(5_000);
    expect(target.published.length).toBe(count);
  });
});
