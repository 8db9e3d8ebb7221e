// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NodeLogs } from '../../../src/features/logs/node-logs.tsx';
import { FILTER_DEBOUNCE_MS } from '../../../src/ui/filter-input.tsx';
import { feed, resetStores } from '../mesh-fixtures.ts';

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

beforeEach(resetStores);
afterEach(() => {
  cleanup();
  vi.useRealTimers();
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
