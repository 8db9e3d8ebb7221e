// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NodeLogs } from '../../../src/features/logs/node-logs.tsx';
import { RealtimeLinkContext, type RealtimeLink } from '../../../src/realtime/link-context.ts';
import { useClock } from '../../../src/store/clock.ts';
import { useRealtime } from '../../../src/store/realtime.ts';
import { FILTER_DEBOUNCE_MS } from '../../../src/ui/filter-input.tsx';
import { envelope, feed, resetStores } from '../mesh-fixtures.ts';

function lines(nodeId: string) {
  return within(screen.getByRole('list', { name: `Log lines of ${nodeId}` })).queryAllByRole('listitem');
}

function texts(nodeId: string) {
  return lines(nodeId).map((row) => row.querySelector('.log-line__text')?.textContent);
}

const ROW_HEIGHT = 19;

/** Scrolls the log to `scrollTop`, with the layout jsdom lacks: a 600 px viewport over every row. */
function scrollLog(nodeId: string, scrollTop: number) {
  const scroller = screen.getByRole('list', { name: `Log lines of ${nodeId}` }).parentElement!;
  Object.defineProperty(scroller, 'clientHeight', { configurable: true, value: 600 });
  Object.defineProperty(scroller, 'scrollHeight', {
    configurable: true,
    get: () => Number.parseFloat(screen.getByRole('list', { name: `Log lines of ${nodeId}` }).style.height),
  });
  scroller.scrollTop = scrollTop;
  fireEvent.scroll(scroller);
}

function chunk(nodeId: string, from: number, count: number) {
  return { type: 'log-chunk' as const, nodeId, text: Array.from({ length: count }, (_, i) => `line ${from + i}`).join('\n') };
}

function title() {
  return screen.getByRole('heading', { name: /Logs/ }).textContent;
}

function follow() {
  return screen.getByRole('button', { name: 'Follow' });
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

describe('node logs', () => {
  it("shows the node's lines in order, with their level, and only that node's", () => {
    render(<NodeLogs nodeId="fetcher-1" />);
    feed(
      { type: 'log-chunk', nodeId: 'fetcher-1', text: 'GET https://example.org/ 200\nGET https://example.org/a 200', level: 'info' },
      { type: 'log-chunk', nodeId: 'fetcher-1', text: 'GET https://example.org/b timed out', level: 'error' },
      { type: 'log-chunk', nodeId: 'fetcher-2', text: 'not mine' },
    );
    const shown = lines('fetcher-1');
    expect(shown.map((row) => row.querySelector('.log-line__text')?.textContent)).toEqual([
      'GET https://example.org/ 200',
      'GET https://example.org/a 200',
      'GET https://example.org/b timed out',
    ]);
    expect(shown[2]!.querySelector('.log-line')?.getAttribute('data-level')).toBe('error');
  });

  it('filters lines by text once typing pauses', () => {
    vi.useFakeTimers();
    render(<NodeLogs nodeId="fetcher-1" />);
    feed({ type: 'log-chunk', nodeId: 'fetcher-1', text: 'GET /a 200\nGET /b 503\nGET /c 200\nGET /d 503' });
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter logs' }), { target: { value: '503' } });
    expect(lines('fetcher-1')).toHaveLength(4);
    act(() => vi.advanceTimersByTime(FILTER_DEBOUNCE_MS));
    expect(lines('fetcher-1').map((row) => row.querySelector('.log-line__text')?.textContent)).toEqual([
      'GET /b 503',
      'GET /d 503',
    ]);
    // New matching lines keep arriving into the filtered view.
    feed({ type: 'log-chunk', nodeId: 'fetcher-1', text: 'GET /e 503\nGET /f 200' });
    expect(lines('fetcher-1')).toHaveLength(3);
  });

  it('renders a window of a full 1,000-line log, showing the newest', () => {
    render(<NodeLogs nodeId="parser" />);
    feed({
      type: 'log-chunk',
      nodeId: 'parser',
      text: Array.from({ length: 1_200 }, (_, i) => `line ${i}`).join('\n'),
    });
    const shown = lines('parser');
    expect(shown.length).toBeLessThan(80);
    expect(shown[0]!.getAttribute('aria-setsize')).toBe('1000');
    expect(shown.at(-1)!.textContent).toContain('line 1199');
  });

  it('holds the lines still under a reader who scrolled up, while a full log keeps dropping its oldest', () => {
    render(<NodeLogs nodeId="parser" />);
    feed(chunk('parser', 0, 1_200));
    expect(texts('parser').at(-1)).toBe('line 1199');

    scrollLog('parser', 300 * ROW_HEIGHT);
    const underReader = texts('parser');
    expect(underReader).toContain('line 500');

    feed(chunk('parser', 1_200, 40));
    feed(chunk('parser', 1_240, 10));
    // The store dropped 50 lines from the front; the rows in view are the same lines.
    expect(texts('parser')).toEqual(underReader);
    expect(screen.getByRole('heading', { name: /Logs/ }).textContent).toContain('1000');

    fireEvent.click(screen.getByRole('button', { name: '50 new · resume' }));
    expect(texts('parser').at(-1)).toBe('line 1249');
    expect(screen.queryByRole('button', { name: /new · resume/ })).toBeNull();
    feed(chunk('parser', 1_250, 1));
    expect(texts('parser').at(-1)).toBe('line 1250');
  });

  it('follows new lines again once the reader scrolls back to the newest', () => {
    render(<NodeLogs nodeId="parser" />);
    feed(chunk('parser', 0, 1_000));
    scrollLog('parser', 100 * ROW_HEIGHT);
    feed(chunk('parser', 1_000, 5));
    expect(screen.getByRole('button', { name: '5 new · resume' })).toBeTruthy();

    scrollLog('parser', 1_000 * ROW_HEIGHT - 600);
    expect(texts('parser').at(-1)).toBe('line 1004');
    expect(screen.queryByRole('button', { name: /new · resume/ })).toBeNull();
  });
});

function fakeLink() {
  return { send: vi.fn(() => true), subscribe: vi.fn(), unsubscribe: vi.fn(), setLogOptions: vi.fn() } satisfies RealtimeLink;
}

function renderWithLink(nodeId: string, link = fakeLink()) {
  const view = render(
    <RealtimeLinkContext value={link}>
      <NodeLogs nodeId={nodeId} />
    </RealtimeLinkContext>,
  );
  const rerender = (next: string) =>
    view.rerender(
      <RealtimeLinkContext value={link}>
        <NodeLogs nodeId={next} />
      </RealtimeLinkContext>,
    );
  return { ...view, link, rerender };
}

describe('node logs on the wire', () => {
  it("streams the node's log only while it is shown", () => {
    const { link, unmount } = renderWithLink('fetcher-1');
    expect(link.subscribe).toHaveBeenCalledExactlyOnceWith(['logs:fetcher-1']);
    expect(link.unsubscribe).not.toHaveBeenCalled();
    // The gateway's defaults stand until the reader changes something.
    expect(link.setLogOptions).not.toHaveBeenCalled();
    unmount();
    expect(link.unsubscribe).toHaveBeenCalledExactlyOnceWith(['logs:fetcher-1']);
  });

  it('moves the stream when the node changes', () => {
    const { link, rerender } = renderWithLink('fetcher-1');
    rerender('parser');
    expect(link.unsubscribe).toHaveBeenCalledExactlyOnceWith(['logs:fetcher-1']);
    expect(link.subscribe).toHaveBeenLastCalledWith(['logs:parser']);
    expect(link.subscribe.mock.invocationCallOrder.at(-1)!).toBeGreaterThan(link.unsubscribe.mock.invocationCallOrder[0]!);
  });

  it('pauses and resumes the stream on the gateway, holding the lines shown meanwhile', () => {
    const { link } = renderWithLink('parser');
    feed(chunk('parser', 0, 3));
    const pause = screen.getByRole('button', { name: 'Pause' });
    expect(pause.getAttribute('aria-pressed')).toBe('false');

    fireEvent.click(pause);
    expect(link.setLogOptions).toHaveBeenLastCalledWith('parser', { paused: true });
    expect(screen.getByRole('button', { name: 'Pause' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('heading', { name: /Logs/ }).textContent).toContain('paused');

    // A gateway that does not pause (the floor) still sends: the view holds and counts.
    feed(chunk('parser', 3, 2));
    expect(texts('parser')).toEqual(['line 0', 'line 1', 'line 2']);
    expect(screen.getByRole('button', { name: 'paused · 2 new · resume' })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    expect(link.setLogOptions).toHaveBeenLastCalledWith('parser', { paused: false });
    expect(texts('parser').at(-1)).toBe('line 4');
    expect(screen.getByRole('heading', { name: /Logs/ }).textContent).not.toContain('paused');
  });

  it('resumes from the new-lines button too', () => {
    const { link } = renderWithLink('parser');
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    feed(chunk('parser', 0, 1));
    fireEvent.click(screen.getByRole('button', { name: 'paused · 1 new · resume' }));
    expect(link.setLogOptions).toHaveBeenLastCalledWith('parser', { paused: false });
    expect(screen.getByRole('button', { name: 'Pause' }).getAttribute('aria-pressed')).toBe('false');
  });

  it('sends the minimum level to the gateway and applies it here at once', () => {
    const { link } = renderWithLink('fetcher-1');
    feed(
      { type: 'log-chunk', nodeId: 'fetcher-1', text: 'cache hit', level: 'debug' },
      { type: 'log-chunk', nodeId: 'fetcher-1', text: 'slow response', level: 'warn' },
      { type: 'log-chunk', nodeId: 'fetcher-1', text: 'timed out', level: 'error' },
    );
    fireEvent.change(screen.getByRole('combobox', { name: 'Minimum level' }), { target: { value: 'warn' } });
    expect(link.setLogOptions).toHaveBeenLastCalledWith('fetcher-1', { minLevel: 'warn' });
    expect(texts('fetcher-1')).toEqual(['slow response', 'timed out']);

    // Pausing keeps the level.
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    expect(link.setLogOptions).toHaveBeenLastCalledWith('fetcher-1', { minLevel: 'warn', paused: true });
  });

  it('sends the text filter once typing pauses, with the level, but not a level name it cannot match', () => {
    vi.useFakeTimers();
    const { link } = renderWithLink('fetcher-1');
    fireEvent.change(screen.getByRole('combobox', { name: 'Minimum level' }), { target: { value: 'info' } });
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter logs' }), { target: { value: ' 503 ' } });
    expect(link.setLogOptions).toHaveBeenCalledTimes(1);
    act(() => vi.advanceTimersByTime(FILTER_DEBOUNCE_MS));
    expect(link.setLogOptions).toHaveBeenLastCalledWith('fetcher-1', { minLevel: 'info', text: '503' });

    // "warn" also matches warn lines here; the gateway matches text only, so it gets no text.
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter logs' }), { target: { value: 'warn' } });
    act(() => vi.advanceTimersByTime(FILTER_DEBOUNCE_MS));
    expect(link.setLogOptions).toHaveBeenLastCalledWith('fetcher-1', { minLevel: 'info', text: undefined });
  });
});

describe('node logs follow', () => {
  it('follows while at the newest line; turning it off holds the lines without pausing the stream', () => {
    const { link } = renderWithLink('parser');
    feed(chunk('parser', 0, 3));
    expect(follow().getAttribute('aria-pressed')).toBe('true');

    fireEvent.click(follow());
    expect(follow().getAttribute('aria-pressed')).toBe('false');
    feed(chunk('parser', 3, 2));
    expect(texts('parser')).toEqual(['line 0', 'line 1', 'line 2']);
    expect(screen.getByRole('button', { name: '2 new · resume' })).toBeTruthy();
    expect(link.setLogOptions).not.toHaveBeenCalled();

    fireEvent.click(follow());
    expect(follow().getAttribute('aria-pressed')).toBe('true');
    expect(texts('parser').at(-1)).toBe('line 4');
    feed(chunk('parser', 5, 1));
    expect(texts('parser').at(-1)).toBe('line 5');
  });

  it('is off while the reader has scrolled up, and brings them back to the newest', () => {
    render(<NodeLogs nodeId="parser" />);
    feed(chunk('parser', 0, 1_000));
    scrollLog('parser', 100 * ROW_HEIGHT);
    expect(follow().getAttribute('aria-pressed')).toBe('false');
    feed(chunk('parser', 1_000, 3));

    fireEvent.click(follow());
    expect(follow().getAttribute('aria-pressed')).toBe('true');
    expect(texts('parser').at(-1)).toBe('line 1002');
  });

  it('resumes a paused stream when asked to follow', () => {
    const { link } = renderWithLink('parser');
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    expect(follow().getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(follow());
    expect(link.setLogOptions).toHaveBeenLastCalledWith('parser', { paused: false });
    expect(follow().getAttribute('aria-pressed')).toBe('true');
  });

  it('counts as new only the lines the filter shows', () => {
    vi.useFakeTimers();
    render(<NodeLogs nodeId="parser" />);
    // A level's name: matched here (not sent to the gateway, which then sends every line).
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter logs' }), { target: { value: 'error' } });
    act(() => vi.advanceTimersByTime(FILTER_DEBOUNCE_MS));
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    feed(
      { type: 'log-chunk', nodeId: 'parser', text: 'all fine\nstill fine', level: 'info' },
      { type: 'log-chunk', nodeId: 'parser', text: 'broke', level: 'error' },
    );
    expect(screen.getByRole('button', { name: 'paused · 1 new · resume' })).toBeTruthy();
  });
});

describe('node logs and the clock', () => {
  const at = (s: number) => new Date(2025, 0, 2, 9, 12, s).getTime();
  const logAt = (ts: number, text: string) =>
    act(() => useRealtime.getState().applyBatch([envelope({ type: 'log-chunk', nodeId: 'parser', text }, ts)]));

  it('shows the lines up to the moment shown, says which, and sends nothing to the gateway', () => {
    const { link } = renderWithLink('parser');
    logAt(at(1), 'one');
    logAt(at(3), 'three');
    logAt(at(5), 'five');

    act(() => useClock.setState({ moment: at(3) }));
    expect(texts('parser')).toEqual(['one', 'three']);
    expect(title()).toContain('at 09:12:03');
    // There is nothing to follow in the past; the stream is not this panel's pause.
    expect(follow()).toHaveProperty('disabled', true);
    expect(follow().getAttribute('aria-pressed')).toBe('false');
    expect(screen.getByRole('button', { name: 'Pause' }).getAttribute('aria-pressed')).toBe('false');
    expect(link.setLogOptions).not.toHaveBeenCalled();

    act(() => useClock.getState().goLive());
    expect(texts('parser')).toEqual(['one', 'three', 'five']);
    expect(follow().getAttribute('aria-pressed')).toBe('true');
  });

  it('stands still while the clock is paused, as lines keep arriving, and counts none as new', () => {
    const { link } = renderWithLink('parser');
    feed(chunk('parser', 0, 2));
    act(() => useClock.getState().pause());
    feed(chunk('parser', 2, 3));

    expect(texts('parser')).toEqual(['line 0', 'line 1']);
    expect(screen.queryByRole('button', { name: /new · resume/ })).toBeNull();
    expect(link.setLogOptions).not.toHaveBeenCalled();

    act(() => useClock.getState().goLive());
    expect(texts('parser').at(-1)).toBe('line 4');
  });
});

describe('node logs and the clock: what is held', () => {
  const at = (s: number) => new Date(2025, 0, 2, 9, 12, s).getTime();
  const logAt = (ts: number, from: number, count: number) =>
    act(() => useRealtime.getState().applyBatch([envelope(chunk('parser', from, count), ts)]));

  it('says which lines are no longer held at a moment older than all a full log holds', () => {
    renderWithLink('parser');
    logAt(at(1), 0, 500);
    logAt(at(10), 500, 1_000);
    expect(useRealtime.getState().logs.parser).toHaveLength(1_000);

    act(() => useClock.setState({ moment: at(3) }));
    expect(screen.getByText('lines before 09:12:10 are no longer held')).toBeTruthy();
    expect(screen.queryByText('No log lines at this moment')).toBeNull();
  });

  it('says only that there were no lines when the log is not full', () => {
    renderWithLink('parser');
    logAt(at(10), 0, 999);
    act(() => useClock.setState({ moment: at(3) }));
    expect(screen.getByText('No log lines at this moment')).toBeTruthy();
  });

  it('shows the live log, following, when the clock goes Live after the reader scrolled at a moment', () => {
    renderWithLink('parser');
    logAt(at(1), 0, 100);
    logAt(at(5), 100, 100);
    act(() => useClock.setState({ moment: at(3) }));
    scrollLog('parser', 10 * ROW_HEIGHT);
    logAt(at(7), 200, 50);

    act(() => useClock.getState().goLive());
    expect(texts('parser').at(-1)).toBe('line 249');
    expect(screen.getAllByRole('listitem')[0]!.getAttribute('aria-setsize')).toBe('250');
    expect(screen.queryByRole('button', { name: /new · resume/ })).toBeNull();
    expect(follow().getAttribute('aria-pressed')).toBe('true');
    expect(title()).not.toContain('at 09:12');
    logAt(at(8), 250, 1);
    expect(texts('parser').at(-1)).toBe('line 250');
  });
});

describe('node logs staleness', () => {
  it('says nothing of the link at a moment before it went down', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(2025, 0, 2, 10, 0, 0));
    render(<NodeLogs nodeId="parser" />);
    act(() => useRealtime.getState().setConnection('open'));
    feed(chunk('parser', 0, 1));
    act(() => useRealtime.getState().setConnection('offline'));
    act(() => vi.advanceTimersByTime(3 * 60_000));
    expect(title()).toContain('link down · data 3 min old');
    act(() => useClock.setState({ moment: new Date(2025, 0, 2, 9, 59, 0).getTime() }));
    expect(title()).not.toContain('link down');
    act(() => useClock.setState({ moment: new Date(2025, 0, 2, 10, 1, 0).getTime() }));
    expect(title()).toContain('link down · data 1 min old');
  });

  it('says how old its lines are while the link is down', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(2025, 0, 2, 10, 0, 0));
    render(<NodeLogs nodeId="parser" />);
    act(() => useRealtime.getState().setConnection('open'));
    feed(chunk('parser', 0, 1));
    expect(title()).not.toContain('link down');
    act(() => useRealtime.getState().setConnection('offline'));
    act(() => vi.advanceTimersByTime(3 * 60_000));
    expect(title()).toContain('link down · data 3 min old');
  });
});
