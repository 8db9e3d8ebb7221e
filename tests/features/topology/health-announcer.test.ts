import { describe, expect, it } from 'vitest';
import { HealthAnnouncer, type StatusChange } from '../../../src/features/topology/health-announcer.ts';
import type { NodeStatus } from '../../../src/protocol/mesh.ts';

function setup(options: { minIntervalMs?: number; maxNamed?: number } = {}) {
  const clock = { now: 1_000_000 };
  const announcer = new HealthAnnouncer({ ...options, now: () => clock.now });
  const change = (id: string, from: NodeStatus | null, to: NodeStatus | null, label = id): void =>
    announcer.note({ id, label, from, to } satisfies StatusChange);
  return { clock, announcer, change };
}

describe('health announcer', () => {
  it('announces the first change at once and says nothing when nothing changed', () => {
    const { announcer, change } = setup();
    expect(announcer.nextDueIn()).toBeNull();
    expect(announcer.take()).toBeNull();
    change('fetcher-3', 'healthy', 'down');
    expect(announcer.nextDueIn()).toBe(0);
    expect(announcer.take()).toBe('fetcher-3 is down.');
    expect(announcer.take()).toBeNull();
    expect(announcer.nextDueIn()).toBeNull();
  });

  it('holds later changes until the interval has passed, then announces them together', () => {
    const { clock, announcer, change } = setup({ minIntervalMs: 5_000 });
    change('a', 'healthy', 'down');
    expect(announcer.take()).toBe('a is down.');

    clock.now += 1_000;
    change('b', 'healthy', 'degraded');
    expect(announcer.nextDueIn()).toBe(4_000);
    expect(announcer.take()).toBeNull();

    clock.now += 3_999;
    change('c', 'healthy', 'degraded');
    expect(announcer.nextDueIn()).toBe(1);
    expect(announcer.take()).toBeNull();

    clock.now += 1;
    expect(announcer.nextDueIn()).toBe(0);
    expect(announcer.take()).toBe('b is degraded. c is degraded.');
  });

  it('does not start the interval on a take that had nothing to say', () => {
    const { clock, announcer, change } = setup({ minIntervalMs: 5_000 });
    change('a', 'healthy', 'down');
    announcer.take();
    clock.now += 6_000;
    expect(announcer.take()).toBeNull();
    change('b', 'healthy', 'down');
    expect(announcer.take()).toBe('b is down.');
  });

  it('says the worst news first: down, degraded, starting or unknown, then healthy', () => {
    const { announcer, change } = setup({ maxNamed: 5 });
    change('h', 'down', 'healthy');
    change('u', 'healthy', 'unknown');
    change('d', 'healthy', 'degraded');
    change('s', 'unknown', 'starting');
    change('x', 'degraded', 'down');
    expect(announcer.take()).toBe('x is down. d is degraded. u has unknown status. s is starting. h recovered to healthy.');
  });

  it('names a few nodes and counts the rest by the status they went to, worst first', () => {
    const { announcer, change } = setup({ maxNamed: 2 });
    change('p-1', 'healthy', 'degraded');
    change('f-3', 'healthy', 'down');
    change('p-2', 'down', 'healthy');
    change('p-3', 'healthy', 'degraded');
    change('p-4', 'starting', 'healthy');
    change('p-5', 'healthy', 'degraded');
    expect(announcer.take()).toBe(
      'f-3 is down. p-1 is degraded. 4 more nodes changed status: 2 degraded, 2 healthy.',
    );
  });

  it('counts everything when it may name no one', () => {
    const { announcer, change } = setup({ maxNamed: 0 });
    change('a', 'healthy', 'down');
    expect(announcer.take()).toBe('1 node changed status: 1 down.');
  });

  it('coalesces repeated changes of one node into the first "from" and the last "to", with the latest label', () => {
    const { announcer, change } = setup();
    change('p-2', 'healthy', 'degraded');
    change('p-2', 'degraded', 'down', 'parser-2');
    change('p-2', 'down', 'degraded', 'parser-2');
    expect(announcer.take()).toBe('parser-2 is degraded.');
  });

  it('says nothing of a node that came back to where it started', () => {
    const { announcer, change } = setup();
    change('p-2', 'healthy', 'down');
    change('p-2', 'down', 'healthy');
    expect(announcer.nextDueIn()).toBeNull();
    expect(announcer.take()).toBeNull();

    change('new', null, 'starting');
    change('new', 'starting', null);
    expect(announcer.take()).toBeNull();
  });

  it('says a recovery only relative to the status at the last announcement', () => {
    const { clock, announcer, change } = setup({ minIntervalMs: 5_000 });
    change('p-2', 'healthy', 'down');
    expect(announcer.take()).toBe('p-2 is down.');
    clock.now += 5_000;
    change('p-2', 'down', 'degraded');
    change('p-2', 'degraded', 'healthy');
    expect(announcer.take()).toBe('p-2 recovered to healthy.');
  });

  it('names a few appearances and removals with the names left over', () => {
    const { announcer, change } = setup({ maxNamed: 3 });
    change('a', 'healthy', 'down');
    change('gone', 'healthy', null);
    change('new', null, 'starting');
    expect(announcer.take()).toBe('a is down. gone was removed. new appeared.');
  });

  it('counts appearances and removals when there are more than it may name', () => {
    const { announcer, change } = setup({ maxNamed: 3 });
    for (let i = 0; i < 12; i++) change(`new-${i}`, null, 'starting');
    change('gone-1', 'down', null);
    change('gone-2', 'healthy', null);
    change('a', 'healthy', 'down');
    change('b', 'healthy', 'down');
    expect(announcer.take()).toBe('a is down. b is down. 2 nodes were removed. 12 nodes appeared.');
  });

  it('counts a node that flapped many times once, by where it ended', () => {
    const { announcer, change } = setup({ maxNamed: 0 });
    for (let round = 0; round < 300; round++) {
      for (let n = 0; n < 10; n++) {
        change(`n-${n}`, 'healthy', 'down');
        if (round < 299) change(`n-${n}`, 'down', 'healthy');
      }
    }
    // Each node flapped 300 times and ended down: it is counted once.
    expect(announcer.take()).toBe('10 nodes changed status: 10 down.');
  });
});
