// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { Profiler } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useClock } from '../../../src/store/clock.ts';
import { useRealtime } from '../../../src/store/realtime.ts';
import { feed, loadCrawlerMesh, resetStores } from '../mesh-fixtures.ts';

// Every event row formats its time once per render: counting the calls counts row renders.
const formatClock = vi.hoisted(() => vi.fn<(ts: number) => string>());
vi.mock('../../../src/lib/format.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/lib/format.ts')>();
  formatClock.mockImplementation(original.formatClock);
  return { ...original, formatClock };
});

const { EventFeed } = await import('../../../src/features/events/event-feed.tsx');

const ROW_HEIGHT = 30;
const event = (i: number) => ({ type: 'event' as const, message: `event ${i}`, severity: 'info' as const, nodeId: `node-${i % 40}` });

beforeEach(() => {
  resetStores();
  useClock.setState({ moment: null });
  // Live, so the header's staleness note (which formats a time too) is not drawn.
  useRealtime.getState().setConnection('open');
});
afterEach(cleanup);

describe('event feed rendering cost', () => {
  it('renders only the rows that come into view as 2,000 events scroll', () => {
    render(<EventFeed />);
    feed(...Array.from({ length: 2_000 }, (_, i) => event(i)));
    const scroller = screen.getByRole('list', { name: 'Event feed' }).parentElement!;

    formatClock.mockClear();
    for (let row = 1; row <= 10; row++) {
      scroller.scrollTop = row * ROW_HEIGHT;
      fireEvent.scroll(scroller);
    }
    // Ten rows scrolled past: ten rows drawn, not ten windows of rows.
    expect(formatClock).toHaveBeenCalledTimes(10);
  });

  it('renders only the new rows as events arrive', () => {
    render(<EventFeed />);
    feed(...Array.from({ length: 2_000 }, (_, i) => event(i)));
    formatClock.mockClear();
    feed(event(2_000), event(2_001), event(2_002));
    expect(formatClock).toHaveBeenCalledTimes(3);
  });
});

describe('event feed and node updates', () => {
  it('does not render when a node changes status, unless a kind is asked for', () => {
    const onRender = vi.fn();
    render(
      <Profiler id="feed" onRender={onRender}>
        <EventFeed />
      </Profiler>,
    );
    loadCrawlerMesh();
    feed(event(1));
    onRender.mockClear();
    feed({ type: 'node-status', id: 'parser', status: 'degraded' });
    expect(onRender).not.toHaveBeenCalled();

    // With the kind picker in use, the feed reads the nodes (an event's kind is its node's).
    act(() => screen.getByRole('combobox', { name: 'Kind' }).focus());
    onRender.mockClear();
    feed({ type: 'node-status', id: 'parser', status: 'down' });
    expect(onRender).toHaveBeenCalled();
  });
});
