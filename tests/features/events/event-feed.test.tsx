// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventFeed } from '../../../src/features/events/event-feed.tsx';
import type { Severity } from '../../../src/protocol/mesh.ts';
import { useRealtime } from '../../../src/store/realtime.ts';
import { useSelection } from '../../../src/store/selection.ts';
import { FILTER_DEBOUNCE_MS } from '../../../src/ui/filter-input.tsx';
import { envelope, feed, resetStores } from '../mesh-fixtures.ts';

function rows() {
  return within(screen.getByRole('list', { name: 'Event feed' })).queryAllByRole('listitem');
}

function event(message: string, severity: Severity = 'info', nodeId?: string) {
  return { type: 'event' as const, message, severity, ...(nodeId ? { nodeId } : {}) };
}

beforeEach(resetStores);
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('event feed', () => {
  it('shows events newest first, with time, severity and node', () => {
    render(<EventFeed />);
    const at = new Date(2025, 0, 2, 14, 5, 9).getTime();
    act(() =>
      useRealtime.getState().applyBatch([
        envelope(event('fetcher-2 started', 'info', 'fetcher-2'), at),
        envelope(event('queue depth above 10k', 'warn', 'queue'), at + 1_000),
        envelope(event('fetcher-2 is down', 'error', 'fetcher-2'), at + 2_000),
      ]),
    );

    const shown = rows();
    expect(shown.map((row) => row.querySelector('.event-row__message')?.textContent)).toEqual([
      'fetcher-2 is down',
      'queue depth above 10k',
      'fetcher-2 started',
    ]);
    expect(within(shown[0]!).getByText('error')).toBeTruthy();
    expect(within(shown[0]!).getByText('14:05:11')).toBeTruthy();
    expect(within(shown[1]!).getByText('warn')).toBeTruthy();
    expect(shown[0]!.querySelector('[data-severity="error"]')).not.toBeNull();
  });

  it('renders only a window of rows when the store holds 2,000 events', () => {
    render(<EventFeed />);
    feed(...Array.from({ length: 2_500 }, (_, i) => event(`event ${i}`, i % 10 === 0 ? 'warn' : 'info')));

    expect(useRealtime.getState().events).toHaveLength(2_000);
    const shown = rows();
    expect(shown.length).toBeGreaterThan(10);
    expect(shown.length).toBeLessThan(60);
    expect(shown[0]!.getAttribute('aria-setsize')).toBe('2000');
    expect(shown[0]!.textContent).toContain('event 2499');
  });

  it('selects the node when its id is clicked', () => {
    render(<EventFeed />);
    feed(event('parser restarted', 'warn', 'parser'));
    fireEvent.click(screen.getByRole('button', { name: 'parser' }));
    expect(useSelection.getState().selectedId).toBe('parser');
  });

  it('filters by minimum severity', () => {
    render(<EventFeed />);
    feed(event('a debug line', 'debug'), event('all good', 'info'), event('slow', 'warn'), event('broken', 'error'));
    expect(rows()).toHaveLength(4);

    fireEvent.change(screen.getByRole('combobox', { name: 'Minimum severity' }), { target: { value: 'warn' } });
    expect(rows().map((row) => row.querySelector('.event-row__message')?.textContent)).toEqual(['broken', 'slow']);
  });

  it('filters by text once typing pauses', () => {
    vi.useFakeTimers();
    render(<EventFeed />);
    feed(event('fetcher-1 timeout', 'warn', 'fetcher-1'), event('postgres vacuum', 'info', 'postgres'), event('FETCHER-3 timeout', 'error'));

    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter events' }), { target: { value: 'timeout' } });
    expect(rows()).toHaveLength(3);

    act(() => vi.advanceTimersByTime(FILTER_DEBOUNCE_MS));
    expect(rows().map((row) => row.querySelector('.event-row__message')?.textContent)).toEqual([
      'FETCHER-3 timeout',
      'fetcher-1 timeout',
    ]);
    expect(screen.getByRole('heading', { name: /Events/ }).textContent).toContain('2 of 3');
  });

  it('holds still while paused and counts what arrives meanwhile', () => {
    render(<EventFeed />);
    feed(event('first'));
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    feed(event('second'), event('third'));

    expect(rows()).toHaveLength(1);
    // The toggle keeps its name; pressed says it is on.
    expect(screen.getByRole('button', { name: 'Pause' }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'paused · 2 new · show newest' }));
    expect(rows().map((row) => row.querySelector('.event-row__message')?.textContent)).toEqual(['third', 'second', 'first']);
    expect(screen.getByRole('button', { name: 'Pause' }).getAttribute('aria-pressed')).toBe('false');
  });

  it('holds still while the reader is scrolled down into older events', () => {
    render(<EventFeed />);
    feed(...Array.from({ length: 2_000 }, (_, i) => event(`event ${i}`)));
    const scroller = screen.getByRole('list', { name: 'Event feed' }).parentElement!;
    scroller.scrollTop = 300 * 30;
    fireEvent.scroll(scroller);
    const underReader = rows().map((row) => row.textContent);
    expect(underReader.join()).toContain('event 1699');

    feed(event('late 1'), event('late 2'), event('late 3'));
    expect(rows().map((row) => row.textContent)).toEqual(underReader);
    fireEvent.click(screen.getByRole('button', { name: '3 new · show newest' }));
    expect(rows()[0]!.textContent).toContain('late 3');
  });

  it('says so when there are no events yet', () => {
    render(<EventFeed />);
    expect(screen.getByText('No events yet')).toBeTruthy();
  });
});
