// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventFeed } from '../../../src/features/events/event-feed.tsx';
import type { Severity } from '../../../src/protocol/mesh.ts';
import { useClock } from '../../../src/store/clock.ts';
import { useRealtime } from '../../../src/store/realtime.ts';
import { useSelection } from '../../../src/store/selection.ts';
import { FILTER_DEBOUNCE_MS } from '../../../src/ui/filter-input.tsx';
import { envelope, feed, loadCrawlerMesh, resetStores } from '../mesh-fixtures.ts';

function rows() {
  return within(screen.getByRole('list', { name: 'Event feed' })).queryAllByRole('listitem');
}

function event(message: string, severity: Severity = 'info', nodeId?: string) {
  return { type: 'event' as const, message, severity, ...(nodeId ? { nodeId } : {}) };
}

function messagesShown() {
  return rows().map((row) => row.querySelector('.event-row__message')?.textContent);
}

function title() {
  return screen.getByRole('heading', { name: /Events/ }).textContent;
}

beforeEach(() => {
  resetStores();
  useClock.setState({ moment: null });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  useClock.setState({ moment: null });
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
    const before = useSelection.getState().focusRequest;
    fireEvent.click(screen.getByRole('button', { name: 'parser' }));
    expect(useSelection.getState().selectedId).toBe('parser');
    // Once, though the click also reaches the row.
    expect(useSelection.getState().focusRequest).toBe(before + 1);
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

describe('event feed filters', () => {
  it('filters by node, picked from the nodes the events are about, exactly', () => {
    render(<EventFeed />);
    feed(
      event('fetcher-1 timeout', 'warn', 'fetcher-1'),
      event('fetcher-10 timeout', 'warn', 'fetcher-10'),
      event('vacuum', 'info', 'postgres'),
      event('rebalanced', 'info'),
    );
    const box = screen.getByRole('combobox', { name: 'Node' });
    const suggestions = () => [...document.getElementById(box.getAttribute('list')!)!.querySelectorAll('option')].map((o) => o.getAttribute('value'));
    // Worked out only while a picker has focus.
    expect(suggestions()).toEqual([]);
    act(() => box.focus());
    const options = [...document.getElementById(box.getAttribute('list')!)!.querySelectorAll('option')].map((o) => o.getAttribute('value'));
    expect(options).toEqual(['fetcher-1', 'fetcher-10', 'postgres']);

    // A pick from the list applies at once.
    fireEvent.change(box, { target: { value: 'fetcher-1' } });
    expect(messagesShown()).toEqual(['fetcher-1 timeout']);
    expect(title()).toContain('1 of 4');
    fireEvent.change(box, { target: { value: '' } });
    expect(rows()).toHaveLength(4);
  });

  it('applies a typed node id once typing pauses, or on Enter', () => {
    vi.useFakeTimers();
    render(<EventFeed />);
    feed(event('vacuum', 'info', 'postgres'), event('parsed', 'info', 'parser'));
    const box = screen.getByRole('combobox', { name: 'Node' });
    fireEvent.change(box, { target: { value: 'pars' } });
    expect(rows()).toHaveLength(2);
    act(() => vi.advanceTimersByTime(FILTER_DEBOUNCE_MS));
    // Not a node: exact match shows nothing, and says why.
    expect(rows()).toHaveLength(0);
    expect(screen.getByText('No events match the filter')).toBeTruthy();

    fireEvent.change(box, { target: { value: 'parser ' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(messagesShown()).toEqual(['parsed']);
  });

  it("filters by kind, the kind of the event's node, with events about no node as mesh", () => {
    render(<EventFeed />);
    loadCrawlerMesh();
    feed(
      event('fetcher-1 timeout', 'warn', 'fetcher-1'),
      event('fetcher-3 slow', 'info', 'fetcher-3'),
      event('parser restarted', 'warn', 'parser'),
      event('mesh rebalanced', 'info'),
    );
    const kind = screen.getByRole('combobox', { name: 'Kind' });
    act(() => kind.focus());
    expect(within(kind).getAllByRole('option').map((o) => o.textContent)).toEqual(['all kinds', 'fetcher', 'mesh', 'parser']);

    fireEvent.change(kind, { target: { value: 'fetcher' } });
    expect(messagesShown()).toEqual(['fetcher-3 slow', 'fetcher-1 timeout']);
    fireEvent.change(kind, { target: { value: 'mesh' } });
    expect(messagesShown()).toEqual(['mesh rebalanced']);
    // Away from the pickers, the kind chosen stays on offer (and chosen).
    act(() => kind.blur());
    expect(within(kind).getAllByRole('option').map((o) => o.textContent)).toEqual(['all kinds', 'mesh']);
    expect((kind as HTMLSelectElement).value).toBe('mesh');
  });

  it('combines severity, kind and text', () => {
    vi.useFakeTimers();
    render(<EventFeed />);
    loadCrawlerMesh();
    feed(
      event('fetcher-1 timeout', 'warn', 'fetcher-1'),
      event('fetcher-2 timeout', 'info', 'fetcher-2'),
      event('fetcher-3 crashed', 'error', 'fetcher-3'),
      event('parser timeout', 'error', 'parser'),
    );
    fireEvent.change(screen.getByRole('combobox', { name: 'Minimum severity' }), { target: { value: 'warn' } });
    act(() => screen.getByRole('combobox', { name: 'Kind' }).focus());
    fireEvent.change(screen.getByRole('combobox', { name: 'Kind' }), { target: { value: 'fetcher' } });
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter events' }), { target: { value: 'timeout' } });
    act(() => vi.advanceTimersByTime(FILTER_DEBOUNCE_MS));
    expect(messagesShown()).toEqual(['fetcher-1 timeout']);
  });

  it('shows hostile text as text', () => {
    render(<EventFeed />);
    feed(event('<img src=x onerror=alert(1)>', 'error', '<b>node</b>'));
    expect(messagesShown()).toEqual(['<img src=x onerror=alert(1)>']);
    expect(screen.getByRole('button', { name: '<b>node</b>' })).toBeTruthy();
    expect(screen.getByRole('list', { name: 'Event feed' }).querySelector('img, b')).toBeNull();
  });
});

describe('event feed holds', () => {
  it('counts only the new events that pass the filters', () => {
    render(<EventFeed />);
    feed(event('old error', 'error'));
    fireEvent.change(screen.getByRole('combobox', { name: 'Minimum severity' }), { target: { value: 'error' } });
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    feed(event('chatter 1', 'info'), event('new error', 'error'), event('chatter 2', 'debug'));

    expect(messagesShown()).toEqual(['old error']);
    fireEvent.click(screen.getByRole('button', { name: 'paused · 1 new · show newest' }));
    expect(messagesShown()).toEqual(['new error', 'old error']);
  });

  it('shows no button while paused if nothing new passes the filters', () => {
    render(<EventFeed />);
    feed(event('old error', 'error'));
    fireEvent.change(screen.getByRole('combobox', { name: 'Minimum severity' }), { target: { value: 'error' } });
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    feed(event('chatter', 'info'));
    expect(screen.queryByRole('button', { name: /new · show newest/ })).toBeNull();
    expect(screen.getByRole('button', { name: 'Pause' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('holds while the reader moves through the rows with the keyboard, and lets go when focus leaves them', () => {
    render(<EventFeed />);
    feed(event('first', 'info', 'parser'), event('second', 'info', 'queue'));
    const scroller = screen.getByRole('list', { name: 'Event feed' }).parentElement!;
    scroller.focus();
    fireEvent.keyDown(scroller, { key: 'ArrowDown' });
    expect(document.activeElement?.textContent).toContain('second');

    feed(event('third', 'info', 'postgres'));
    expect(messagesShown()).toEqual(['second', 'first']);
    expect(screen.getByRole('button', { name: '1 new · show newest' })).toBeTruthy();

    act(() => (document.activeElement as HTMLElement).blur());
    expect(messagesShown()).toEqual(['third', 'second', 'first']);
  });
});

describe('event feed focus', () => {
  it('selects and focuses the node when a row is clicked, again on every click', () => {
    render(<EventFeed />);
    feed(event('parser restarted', 'warn', 'parser'), event('queue full', 'error', 'queue'));
    const start = useSelection.getState().focusRequest;

    fireEvent.click(rows()[1]!.querySelector('.event-row')!);
    expect(useSelection.getState()).toMatchObject({ selectedId: 'parser', focusRequest: start + 1 });
    // The same node again: the graph is asked again (the user may have panned away).
    fireEvent.click(rows()[1]!.querySelector('.event-row')!);
    expect(useSelection.getState()).toMatchObject({ selectedId: 'parser', focusRequest: start + 2 });
    fireEvent.click(rows()[0]!.querySelector('.event-row__message')!);
    expect(useSelection.getState()).toMatchObject({ selectedId: 'queue', focusRequest: start + 3 });
  });

  it('does nothing for an event about no node', () => {
    render(<EventFeed />);
    feed(event('mesh rebalanced'));
    useSelection.getState().select('parser');
    const start = useSelection.getState().focusRequest;
    fireEvent.click(rows()[0]!.querySelector('.event-row')!);
    fireEvent.keyDown(rows()[0]!.querySelector('.event-row')!, { key: 'Enter' });
    expect(useSelection.getState()).toMatchObject({ selectedId: 'parser', focusRequest: start });
  });

  it('reaches rows with the arrow keys from the list, and Enter focuses the node', () => {
    render(<EventFeed />);
    feed(event('a', 'info', 'frontier'), event('b', 'info', 'parser'), event('c', 'info', 'queue'));
    const scroller = screen.getByRole('list', { name: 'Event feed' }).parentElement!;
    expect(scroller.tabIndex).toBe(0);
    // Rows are not tab stops: 2,000 of them would trap the reader.
    expect(rows().every((row) => row.querySelector<HTMLElement>('.event-row')!.tabIndex === -1)).toBe(true);

    scroller.focus();
    fireEvent.keyDown(scroller, { key: 'ArrowDown' });
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement?.querySelector('.event-row__message')?.textContent).toBe('b');
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    expect(document.activeElement?.querySelector('.event-row__message')?.textContent).toBe('c');

    const start = useSelection.getState().focusRequest;
    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect(useSelection.getState()).toMatchObject({ selectedId: 'queue', focusRequest: start + 1 });
  });
});

describe('event feed and the clock', () => {
  it('shows only the events up to the moment shown, and says which moment', () => {
    render(<EventFeed />);
    const at = new Date(2025, 0, 2, 9, 12, 0).getTime();
    act(() =>
      useRealtime.getState().applyBatch([
        envelope(event('before'), at),
        envelope(event('at the moment'), at + 3_000),
        envelope(event('after'), at + 5_000),
      ]),
    );
    expect(rows()).toHaveLength(3);

    act(() => useClock.setState({ moment: at + 3_000 }));
    expect(messagesShown()).toEqual(['at the moment', 'before']);
    expect(title()).toContain('at 09:12:03');

    act(() => useClock.getState().goLive());
    expect(rows()).toHaveLength(3);
    expect(title()).not.toContain('at 09');
  });

  it('stands still while the clock is paused, though events keep arriving, and counts none as new', () => {
    render(<EventFeed />);
    feed(event('before the pause'));
    act(() => useClock.getState().pause());
    feed(event('while paused 1'), event('while paused 2'));

    expect(messagesShown()).toEqual(['before the pause']);
    expect(screen.queryByRole('button', { name: /new · show newest/ })).toBeNull();
    // The feed's own Pause is not the clock's.
    expect(screen.getByRole('button', { name: 'Pause' }).getAttribute('aria-pressed')).toBe('false');

    act(() => useClock.getState().goLive());
    expect(messagesShown()).toEqual(['while paused 2', 'while paused 1', 'before the pause']);
  });

  it('moves with the clock while the reader is scrolled away, to events that came after the hold began', () => {
    render(<EventFeed />);
    const at = new Date(2025, 0, 2, 9, 12, 0).getTime();
    const batch = (from: number, count: number) =>
      act(() => useRealtime.getState().applyBatch(Array.from({ length: count }, (_, i) => envelope(event(`event ${from + i}`), at + (from + i) * 1_000))));
    const setSize = () => screen.getByRole('list', { name: 'Event feed' }).querySelector('[aria-setsize]')?.getAttribute('aria-setsize');
    batch(0, 50);
    const scroller = screen.getByRole('list', { name: 'Event feed' }).parentElement!;
    scroller.scrollTop = 10 * 30;
    fireEvent.scroll(scroller);
    batch(50, 50);
    expect(setSize()).toBe('50');

    act(() => useClock.setState({ moment: at + 79_000 }));
    expect(setSize()).toBe('80');
    expect(screen.queryByRole('button', { name: /new · show newest/ })).toBeNull();
    act(() => useClock.setState({ moment: at + 19_000 }));
    expect(setSize()).toBe('20');
  });
});

describe('event feed going Live', () => {
  it('shows the live events, newest first, when the clock goes Live after the reader scrolled at a moment', () => {
    render(<EventFeed />);
    const at = new Date(2025, 0, 2, 9, 12, 0).getTime();
    const batch = (from: number, count: number) =>
      act(() => useRealtime.getState().applyBatch(Array.from({ length: count }, (_, i) => envelope(event(`event ${from + i}`), at + (from + i) * 1_000))));
    const setSize = () => screen.getByRole('list', { name: 'Event feed' }).querySelector('[aria-setsize]')?.getAttribute('aria-setsize');
    batch(0, 50);
    act(() => useClock.setState({ moment: at + 29_000 }));
    const scroller = screen.getByRole('list', { name: 'Event feed' }).parentElement!;
    scroller.scrollTop = 10 * 30;
    fireEvent.scroll(scroller);
    batch(50, 50);
    expect(setSize()).toBe('30');

    act(() => useClock.getState().goLive());
    expect(setSize()).toBe('100');
    expect(messagesShown()[0]).toBe('event 99');
    expect(screen.queryByRole('button', { name: /new · show newest/ })).toBeNull();
    expect(title()).not.toContain('at 09');
    expect(scroller.scrollTop).toBe(0);
    // Live again, and following the newest.
    batch(100, 1);
    expect(messagesShown()[0]).toBe('event 100');
  });

  it('keeps its own Pause through the clock, holding what is live when the clock goes Live', () => {
    render(<EventFeed />);
    feed(event('first'));
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    act(() => useClock.getState().pause());
    feed(event('while the clock stood'));
    act(() => useClock.getState().goLive());
    expect(messagesShown()).toEqual(['while the clock stood', 'first']);
    expect(screen.getByRole('button', { name: 'Pause' }).getAttribute('aria-pressed')).toBe('true');
    feed(event('after'));
    expect(messagesShown()).toEqual(['while the clock stood', 'first']);
    expect(screen.getByRole('button', { name: 'paused · 1 new · show newest' })).toBeTruthy();
  });
});

describe('event feed staleness', () => {
  it('says nothing of the link at a moment before it went down', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(2025, 0, 2, 10, 0, 0));
    render(<EventFeed />);
    act(() => useRealtime.getState().setConnection('open'));
    feed(event('hello'));
    act(() => useRealtime.getState().setConnection('reconnecting', { attempt: 1 }));
    act(() => vi.advanceTimersByTime(65_000));
    expect(title()).toContain('link down · data 1 min old');
    act(() => useClock.setState({ moment: new Date(2025, 0, 2, 9, 59, 50).getTime() }));
    expect(title()).not.toContain('link down');
  });

  it('says how old its data is while the link is down', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(2025, 0, 2, 10, 0, 0));
    render(<EventFeed />);
    act(() => useRealtime.getState().setConnection('open'));
    feed(event('hello'));
    expect(title()).not.toContain('link down');

    act(() => useRealtime.getState().setConnection('reconnecting', { attempt: 1 }));
    expect(title()).toContain('link down · data < 5 s old');
    act(() => vi.advanceTimersByTime(65_000));
    expect(title()).toContain('link down · data 1 min old');

    act(() => useRealtime.getState().setConnection('open'));
    expect(title()).not.toContain('link down');
  });
});
