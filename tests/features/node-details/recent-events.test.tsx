// @vitest-environment jsdom
import { act, cleanup, render, screen, within } from '@testing-library/react';
import { Profiler } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeDetails } from '../../../src/features/node-details/node-details.tsx';
import { RecentEvents } from '../../../src/features/node-details/recent-events.tsx';
import { RECENT_EVENTS_LIMIT, recentEventsOf } from '../../../src/features/node-details/selectors.ts';
import type { Severity } from '../../../src/protocol/mesh.ts';
import type { Payload } from '../../../src/protocol/messages.ts';
import { useRealtime } from '../../../src/store/realtime.ts';
import { feed, loadCrawlerMesh, resetStores } from '../mesh-fixtures.ts';

const event = (message: string, nodeId?: string, severity: Severity = 'info'): Payload =>
  nodeId === undefined ? { type: 'event', message, severity } : { type: 'event', message, severity, nodeId };

function eventRows() {
  const region = screen.getByRole('region', { name: /^Recent events/ });
  return within(region).queryAllByRole('listitem');
}

beforeEach(resetStores);
afterEach(cleanup);

describe('node details: recent events', () => {
  it('lists only the node’s events, newest first, with severity and time', () => {
    loadCrawlerMesh();
    render(<NodeDetails nodeId="parser" onClose={() => {}} />);
    expect(eventRows()).toHaveLength(0);

    feed(event('parser restarted', 'parser', 'warn'), event('queue is full', 'queue', 'error'), event('mesh-wide notice'));
    feed(event('parser recovered', 'parser'));

    const rows = eventRows();
    expect(rows.map((row) => row.querySelector('.recent-events__message')?.textContent)).toEqual(['parser recovered', 'parser restarted']);
    expect(rows.map((row) => row.querySelector('.severity-tag')?.textContent)).toEqual(['info', 'warn']);
    expect(rows[0]!.querySelector('time')?.textContent).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(screen.getByRole('heading', { name: 'Recent events 2' })).toBeTruthy();
  });

  it(`shows at most the latest ${RECENT_EVENTS_LIMIT}`, () => {
    loadCrawlerMesh();
    render(<NodeDetails nodeId="parser" onClose={() => {}} />);
    const batch: Payload[] = [];
    for (let i = 1; i <= RECENT_EVENTS_LIMIT + 15; i++) batch.push(event(`parser #${i}`, 'parser'), event(`queue #${i}`, 'queue'));
    feed(...batch);

    const messages = eventRows().map((row) => row.querySelector('.recent-events__message')?.textContent);
    expect(messages).toHaveLength(RECENT_EVENTS_LIMIT);
    expect(messages[0]).toBe(`parser #${RECENT_EVENTS_LIMIT + 15}`);
    expect(messages.at(-1)).toBe('parser #16');
  });

  it('does not re-render when events about other nodes arrive', () => {
    loadCrawlerMesh();
    let commits = 0;
    render(
      <Profiler id="recent-events" onRender={() => commits++}>
        <RecentEvents nodeId="parser" />
      </Profiler>,
    );
    feed(event('first', 'parser'));
    const afterOwn = commits;
    expect(eventRows()).toHaveLength(1);

    for (let i = 0; i < 5; i++) feed(event(`elsewhere ${i}`, 'queue'), event('mesh-wide'));
    expect(commits).toBe(afterOwn);

    feed(event('second', 'parser'));
    expect(commits).toBe(afterOwn + 1);
    expect(eventRows()).toHaveLength(2);
  });
});

describe('recentEventsOf', () => {
  it('returns the same array until the node’s latest events change, though the store’s events array changes', () => {
    loadCrawlerMesh();
    const select = recentEventsOf('parser', 3);
    const state = () => useRealtime.getState();
    const empty = select(state());
    expect(empty).toEqual([]);
    feed(event('other', 'queue'));
    expect(select(state())).toBe(empty);

    feed(event('a', 'parser'), event('b', 'parser'));
    const two = select(state());
    expect(two.map((e) => e.message)).toEqual(['b', 'a']);
    feed(event('other again', 'queue'), event('mesh-wide'));
    expect(select(state())).toBe(two);

    feed(event('c', 'parser'), event('d', 'parser'));
    const full = select(state());
    expect(full.map((e) => e.message)).toEqual(['d', 'c', 'b']);
    // More of the node's events than the limit: still the same array while others arrive.
    feed(event('other once more', 'queue'));
    expect(select(state())).toBe(full);

    act(() => state().clearEvents());
    expect(select(state())).toEqual([]);
  });

  it('answers for ids that name what plain objects inherit', () => {
    feed(event('one', '__proto__'), event('two', 'constructor'), event('three'));
    expect(recentEventsOf('__proto__')(useRealtime.getState()).map((e) => e.message)).toEqual(['one']);
    expect(recentEventsOf('constructor')(useRealtime.getState()).map((e) => e.message)).toEqual(['two']);
  });
});
