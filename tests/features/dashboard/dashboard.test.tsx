// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Dashboard } from '../../../src/features/dashboard/dashboard.tsx';
import { layoutStorageKey } from '../../../src/features/dashboard/layout.ts';
import type { MeshNode } from '../../../src/protocol/mesh.ts';
import type { Payload } from '../../../src/protocol/messages.ts';
import { formatClock } from '../../../src/lib/format.ts';
import { useClock } from '../../../src/store/clock.ts';
import { useShown } from '../../../src/store/shown.ts';
import { useRealtime } from '../../../src/store/realtime.ts';
import { envelope, loadMesh, node, resetStores } from '../mesh-fixtures.ts';

const T0 = Math.floor(Date.now() / 1_000) * 1_000;

function point(series: string, t: number, y: number, nodeId?: string): Payload {
  return { type: 'chart-point', series, value: { t, y }, ...(nodeId ? { nodeId } : {}) };
}

/** Applies payloads as one batch with envelope time `ts` (an event's time). */
function feedAt(ts: number, ...payloads: Payload[]) {
  act(() => useRealtime.getState().applyBatch(payloads.map((data) => envelope(data, ts))));
}
const feed = (...payloads: Payload[]) => feedAt(Date.now(), ...payloads);

/** `seconds` points, one a second, ending at `end`. */
function run(series: string, end: number, seconds: number, y: (i: number) => number = () => 1, nodeId?: string): Payload[] {
  return Array.from({ length: seconds }, (_, i) => point(series, end - (seconds - 1 - i) * 1_000, y(i), nodeId));
}

const panel = (title: string) => screen.getByRole('figure', { name: title });
const panelTitles = () => screen.queryAllByRole('figure').map((f) => f.getAttribute('aria-label'));
const stored = (project: string) => JSON.parse(localStorage.getItem(layoutStorageKey(project)) ?? 'null');

beforeEach(() => {
  resetStores();
  useClock.setState({ moment: null, held: null });
  act(() => useRealtime.getState().setConnection('open'));
  localStorage.clear();
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('dashboard', () => {
  it('says it waits for series before any point', () => {
    render(<Dashboard project="p" />);
    expect(screen.getByText('waiting for series')).toBeTruthy();
  });

  it('groups series into panels by name, with units and human-readable numbers', async () => {
    render(<Dashboard project="p" />);
    feed(
      ...run('crawl.pages_per_sec', T0, 3, () => 4_120),
      ...run('crawl.error_rate', T0, 3, () => 0.024),
      ...run('gateway/p95_ms', T0, 3, () => 87),
      ...run('storage/bytes_written', T0, 3, () => 3 * 1024 ** 3),
    );
    expect(panelTitles()).toEqual(['crawl', 'gateway', 'storage']);
    expect(panel('crawl').textContent).toContain('pages_per_sec 4.1k/s');
    expect(panel('crawl').textContent).toContain('error_rate 2.4 %');
    expect(panel('gateway').textContent).toContain('p95_ms 87 ms');
    expect(panel('storage').textContent).toContain('bytes_written 3.0 GiB');
    await waitFor(() => expect(panel('crawl').querySelectorAll('.recharts-line-curve')).toHaveLength(2));
    // Two units on one panel: an axis each.
    expect(panel('crawl').querySelectorAll('.recharts-yAxis')).toHaveLength(2);
  });

  it('draws a pool as one panel of its busiest eight nodes and says how many more', async () => {
    const fetchers: MeshNode[] = Array.from({ length: 11 }, (_, i) => node(`fetcher-${i + 10}`, 'fetcher', { group: 'fetchers' }));
    loadMesh(fetchers, []);
    render(<Dashboard project="p" />);
    feed(...fetchers.flatMap((f, i) => run(`${f.id}.pages_per_sec`, T0, 2, () => i, f.id)));
    expect(panelTitles()).toEqual(['fetchers · pages_per_sec']);
    const pool = panel('fetchers · pages_per_sec');
    expect(pool.textContent).toContain('+3 more');
    expect(pool.textContent).toContain('fetcher-20 10/s');
    expect(pool.textContent).not.toContain('fetcher-10 ');
    await waitFor(() => expect(pool.querySelectorAll('.recharts-line-curve')).toHaveLength(8));
  });

  it('applies one time window to every panel and keeps the choice', async () => {
    render(<Dashboard project="p" />);
    // `old` stopped two minutes before the newest data.
    feed(...run('old/value', T0 - 120_000, 5), ...run('fresh/value', T0, 5));
    await waitFor(() => expect(panel('old').querySelector('.recharts-line-curve')).not.toBeNull());
    expect(screen.getByRole('button', { name: '5 min' }).getAttribute('aria-pressed')).toBe('true');

    fireEvent.click(screen.getByRole('button', { name: '1 min' }));
    expect(within(panel('old')).getByText('no points in the last 1 min')).toBeTruthy();
    expect(panel('fresh').querySelector('.recharts-line-curve')).not.toBeNull();
    expect(stored('p').windowMs).toBe(60_000);

    cleanup();
    render(<Dashboard project="p" />);
    expect(screen.getByRole('button', { name: '1 min' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('moves, widens, hides and shows panels, and restores the arrangement on the next visit', () => {
    render(<Dashboard project="shop" />);
    feed(point('a/x', T0, 1), point('b/x', T0, 1), point('c/x', T0, 1));
    expect(panelTitles()).toEqual(['a', 'b', 'c']);
    expect(screen.getByRole('button', { name: 'Move a earlier' })).toHaveProperty('disabled', true);

    fireEvent.click(screen.getByRole('button', { name: 'Move a later' }));
    expect(panelTitles()).toEqual(['b', 'a', 'c']);
    fireEvent.click(screen.getByRole('button', { name: 'Move c earlier' }));
    expect(panelTitles()).toEqual(['b', 'c', 'a']);

    fireEvent.click(screen.getByRole('button', { name: 'Wide b' }));
    expect(panel('b').classList.contains('dash-panel--wide')).toBe(true);
    expect(screen.getByRole('button', { name: 'Wide b' }).getAttribute('aria-pressed')).toBe('true');

    fireEvent.click(screen.getByRole('button', { name: 'Hide c' }));
    expect(panelTitles()).toEqual(['b', 'a']);
    expect(within(screen.getByRole('group', { name: 'Hidden panels' })).getByRole('button', { name: 'Show c' })).toBeTruthy();

    expect(stored('shop')).toMatchObject({ order: ['b', 'c', 'a'].map((t) => `series:${t}`), wide: ['series:b'], hidden: ['series:c'] });

    cleanup();
    render(<Dashboard project="shop" />);
    expect(panelTitles()).toEqual(['b', 'a']);
    expect(panel('b').classList.contains('dash-panel--wide')).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Show c' }));
    expect(panelTitles()).toEqual(['b', 'c', 'a']);
    expect(screen.queryByRole('group', { name: 'Hidden panels' })).toBeNull();

    // Another project keeps its own arrangement.
    cleanup();
    render(<Dashboard project="other" />);
    expect(panelTitles()).toEqual(['a', 'b', 'c']);
  });

  it('moves a panel by dragging it onto another', () => {
    render(<Dashboard project="p" />);
    feed(point('a/x', T0, 1), point('b/x', T0, 1), point('c/x', T0, 1));
    const data = new Map<string, string>();
    const dataTransfer = { setData: (k: string, v: string) => data.set(k, v), getData: (k: string) => data.get(k) ?? '', dropEffect: 'none', effectAllowed: 'all' };
    const grip = panel('a').querySelector('.dash-panel__grip')!;
    fireEvent.dragStart(grip, { dataTransfer });
    fireEvent.dragOver(panel('c'), { dataTransfer });
    expect(panel('c').classList.contains('dash-panel--drop')).toBe(true);
    fireEvent.drop(panel('c'), { dataTransfer });
    expect(panelTitles()).toEqual(['b', 'c', 'a']);
    expect(data.get('text/plain')).toBe('a');
    // Dropping on itself, or without a drag, changes nothing.
    fireEvent.drop(panel('b'), { dataTransfer });
    expect(panelTitles()).toEqual(['b', 'c', 'a']);
  });

  it('puts panels of new series at the end, whatever their name', () => {
    localStorage.setItem(layoutStorageKey('p'), JSON.stringify({ version: 1, order: ['series:m', 'series:k'], wide: [], hidden: [], windowMs: 300_000 }));
    render(<Dashboard project="p" />);
    feed(point('k/x', T0, 1), point('m/x', T0, 1));
    expect(panelTitles()).toEqual(['m', 'k']);
    feed(point('a/x', T0 + 1_000, 1));
    feed(point('z/x', T0 + 2_000, 1));
    feed(point('b/x', T0 + 3_000, 1));
    expect(panelTitles()).toEqual(['m', 'k', 'a', 'z', 'b']);
    expect(stored('p').order).toEqual(['m', 'k', 'a', 'z', 'b'].map((t) => `series:${t}`));
  });

  it('shows the default arrangement over garbage in storage, and replaces it', () => {
    localStorage.setItem(layoutStorageKey('p'), '{"version":1,"order":"not a list","hidden":[{},"series:a"]');
    render(<Dashboard project="p" />);
    feed(point('b/x', T0, 1), point('a/x', T0, 1));
    expect(panelTitles()).toEqual(['a', 'b']);
    expect(stored('p')).toMatchObject({ version: 1, order: ['series:a', 'series:b'], hidden: [] });
  });

  it('marks warn and error events of the window on the panels, each panel with its nodes’ events', async () => {
    loadMesh([node('postgres', 'postgres'), node('web', 'web')], []);
    render(<Dashboard project="p" />);
    feedAt(T0, ...run('postgres.tps', T0, 60, () => 5, 'postgres'), ...run('crawl.pages_per_sec', T0, 60));
    feedAt(T0 - 10_000, { type: 'event', severity: 'error', nodeId: 'postgres', message: 'Replica lag 40 s' });
    feedAt(T0 - 9_000, { type: 'event', severity: 'warn', nodeId: 'web', message: 'Slow upstream' });
    feedAt(T0 - 8_000, { type: 'event', severity: 'info', nodeId: 'postgres', message: 'Vacuum done' });
    feedAt(T0 - 7_000, { type: 'event', severity: 'warn', message: 'Config reloaded' });
    feedAt(T0 - 3_600_000, { type: 'event', severity: 'error', message: 'Long ago' });

    const titles = (title: string) => [...panel(title).querySelectorAll('.dash-marker title')].map((t) => t.textContent);
    // Live, markers catch up on the panel's once-a-second tick.
    await waitFor(() => expect(titles('postgres')).toHaveLength(2), { timeout: 3_000 });
    expect(titles('postgres').join('\n')).toContain('error · postgres: Replica lag 40 s');
    expect(titles('postgres').join('\n')).toContain('warn: Config reloaded');
    // A panel no node owns: errors of any node and warnings of none; web's warning would be noise there.
    await waitFor(() => expect(titles('crawl')).toHaveLength(2), { timeout: 3_000 });
    expect(titles('crawl').join('\n')).toContain('Replica lag 40 s');
    expect(titles('crawl').join('\n')).not.toContain('Slow upstream');
    const error = panel('postgres').querySelector('.dash-marker[data-severity="error"]');
    expect(error).not.toBeNull();
  });

  it('draws the shown state, which is the recorded one while paused, not the live store', () => {
    render(<Dashboard project="p" />);
    feed(...run('a/value', T0, 3, () => 7));
    expect(panel('a').textContent).toContain('value 7');
    const recorded = { 'a/value': [{ t: T0 - 1_000, y: 3 }], 'b/value': [{ t: T0 - 1_000, y: 4 }] };
    act(() => {
      useClock.setState({ moment: T0 - 1_000 });
      useShown.setState({ charts: recorded });
    });
    expect(panelTitles()).toEqual(['a', 'b']);
    expect(panel('a').textContent).toContain('value 3');
    expect(panel('b').textContent).toContain('value 4');
  });

  it('holds every panel still while the pointer is on a plot, so the crosshair stays on its moment', () => {
    render(<Dashboard project="p" />);
    feed(...run('a/value', T0, 3, () => 1), ...run('b/value', T0, 3, () => 1));
    const plot = panel('a').querySelector('.dash-panel__plot')!;
    fireEvent.pointerOver(plot);
    feed(point('a/value', T0 + 1_000, 2), point('b/value', T0 + 1_000, 2));
    expect(panel('a').textContent).toContain('value 1');
    expect(panel('b').textContent).toContain('value 1');
    fireEvent.pointerOut(plot);
    expect(panel('a').textContent).toContain('value 2');
    expect(panel('b').textContent).toContain('value 2');
  });

  it('ends every panel’s window at the clock’s moment while paused', () => {
    render(<Dashboard project="p" />);
    feed(...run('a/value', T0, 60, (i) => i));
    expect(panel('a').textContent).toContain('value 59');
    act(() => useClock.setState({ moment: T0 - 30_000 }));
    expect(panel('a').textContent).toContain('value 29');
    act(() => useClock.setState({ moment: null }));
    expect(panel('a').textContent).toContain('value 59');
  });
});

describe('dashboard honesty', () => {
  it('keeps every panel drawing when one series is stamped in microseconds', () => {
    render(<Dashboard project="p" />);
    feed(...run('a/value', T0, 3, () => 7), point('micro/value', T0 * 1_000, 1));
    expect(within(panel('a')).queryByText(/no points in the last/)).toBeNull();
    expect(panel('a').querySelector('.dash-panel__waiting')).toBeNull();
    expect(panel('a').textContent).toContain('value 7');
    expect(within(panel('micro')).getByText('its points are stamped ahead of the clock')).toBeTruthy();
  });

  it('says which points a full buffer no longer holds when the window reaches back past them', () => {
    render(<Dashboard project="p" />);
    // 600 points, ten a second: the last minute of a five-minute window.
    feed(...Array.from({ length: 600 }, (_, i) => point('busy/value', T0 - 59_900 + i * 100, 1)));
    const oldest = formatClock(T0 - 59_900);
    expect(within(panel('busy')).getByText(`points before ${oldest} are no longer held`)).toBeTruthy();
  });

  it('says so, rather than "waiting for data", at a moment older than all a full buffer holds', () => {
    render(<Dashboard project="p" />);
    feed(...Array.from({ length: 600 }, (_, i) => point('busy/value', T0 - 59_900 + i * 100, 1)));
    act(() => {
      useClock.setState({ moment: T0 - 120_000 });
      // The shown state is the store clipped to the moment: nothing that old is held.
      useShown.setState({ charts: { 'busy/value': [] } });
    });
    expect(within(panel('busy')).getByText(`points before ${formatClock(T0 - 59_900)} are no longer held`)).toBeTruthy();
    expect(within(panel('busy')).queryByText('waiting for data')).toBeNull();
  });

  it('lets the other panels update when the panel under the pointer goes away', () => {
    render(<Dashboard project="p" />);
    feed(...run('a/value', T0, 3, () => 1), ...run('b/value', T0, 3, () => 1));
    fireEvent.pointerOver(panel('a').querySelector('.dash-panel__plot')!);
    feed(point('b/value', T0 + 1_000, 2));
    expect(panel('b').textContent).toContain('value 1');
    // A snapshot without `a`'s series: its panel unmounts under the pointer, and no pointerleave comes.
    act(() =>
      useRealtime.getState().applySnapshot({
        epoch: 'test',
        seq: 1,
        state: { nodes: [], edges: [], progress: [], events: [], logs: [], series: [{ series: 'b/value', points: [{ t: T0 + 1_000, y: 2 }] }] },
      }),
    );
    expect(panelTitles()).toEqual(['b']);
    feed(point('b/value', T0 + 2_000, 3));
    expect(panel('b').textContent).toContain('value 3');
  });
});

describe('dashboard staleness', () => {
  it('says how old the data is once the link is down', () => {
    render(<Dashboard project="p" />);
    feed(...run('a/value', Date.now(), 3));
    expect(panel('a').textContent).not.toMatch(/old|stopped/);
    act(() => useRealtime.getState().setConnection('reconnecting'));
    expect(within(panel('a')).getByText(/^data (< 5|\d+) s old$/)).toBeTruthy();
    act(() => useRealtime.getState().setConnection('open'));
    expect(panel('a').textContent).not.toMatch(/old|stopped/);
  });

  it('keeps counting while the link stays down, on a coarse clock', () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    try {
      render(<Dashboard project="p" />);
      feed(...run('a/value', Date.now(), 3));
      act(() => useRealtime.getState().setConnection('reconnecting'));
      expect(within(panel('a')).getByText('data < 5 s old')).toBeTruthy();
      act(() => vi.advanceTimersByTime(61_000));
      expect(within(panel('a')).getByText('data 1 min old')).toBeTruthy();
    } finally {
      vi.useRealTimers();
    }
  });

  it('notices a series that stops while it is watched', () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    try {
      render(<Dashboard project="p" />);
      feed(...run('a/value', Date.now(), 10));
      expect(panel('a').textContent).not.toMatch(/stopped/);
      act(() => vi.advanceTimersByTime(4_000));
      expect(panel('a').textContent).not.toMatch(/stopped/);
      act(() => vi.advanceTimersByTime(8_000));
      expect(within(panel('a')).getByText('stopped 10 s ago')).toBeTruthy();
    } finally {
      vi.useRealTimers();
    }
  });

  it('says when a panel’s series stopped while the link stays up', () => {
    // Read before the panels read theirs, so their age is at least 42 s.
    const now = Date.now();
    render(<Dashboard project="p" />);
    feed(...run('gone/value', now - 42_000, 10), ...run('live/value', now, 10));
    expect(within(panel('gone')).getByText('stopped 40 s ago')).toBeTruthy();
    expect(panel('live').textContent).not.toMatch(/stopped/);
  });
});
