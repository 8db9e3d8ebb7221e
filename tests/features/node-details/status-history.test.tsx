// @vitest-environment jsdom
import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NodeDetails } from '../../../src/features/node-details/node-details.tsx';
import type { Payload } from '../../../src/protocol/messages.ts';
import { useClock } from '../../../src/store/clock.ts';
import { useRealtime } from '../../../src/store/realtime.ts';
import { useShown } from '../../../src/store/shown.ts';
import { node, resetStores } from '../mesh-fixtures.ts';

const NOON = new Date(2025, 0, 2, 12, 0, 0).getTime();
const SEC = 1_000;
const MIN = 60 * SEC;

let seq = 0;
/** Applies one payload stamped `ts`, as a batch of its own. */
function feedAt(ts: number, data: Payload) {
  act(() => useRealtime.getState().applyBatch([{ seq: ++seq, ts, data }]));
}

function historyRegion() {
  return screen.getByRole('region', { name: 'Status history' });
}

beforeEach(() => {
  resetStores();
  vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  useClock.setState({ moment: null });
});

describe('node details: status history', () => {
  it('draws the last 10 minutes as a strip, described in words, and lists the latest changes newest first', () => {
    vi.setSystemTime(NOON + 3 * MIN + 4 * SEC);
    feedAt(NOON - 20 * MIN, { type: 'node-upsert', node: node('parser', 'parser', { status: 'starting' }) });
    feedAt(NOON - 2 * MIN, { type: 'node-status', id: 'parser', status: 'healthy' });
    feedAt(NOON + 2 * MIN, { type: 'node-status', id: 'parser', status: 'degraded' });
    feedAt(NOON + 2 * MIN + 34 * SEC, { type: 'node-status', id: 'parser', status: 'healthy' });
    render(<NodeDetails nodeId="parser" onClose={() => {}} />);

    const region = historyRegion();
    const strip = within(region).getByRole('img');
    expect(strip.getAttribute('aria-label')).toBe(
      'Last 10 min: 1 earlier period, healthy for 4 min, degraded for 34 s, healthy since 30 s ago',
    );
    const segments = [...strip.querySelectorAll<HTMLElement>('[data-status]')];
    expect(segments.map((s) => s.dataset.status)).toEqual(['starting', 'healthy', 'degraded', 'healthy']);
    // The window starts 10 minutes before now, at 11:53:04, so `starting` shows its last 4 min 56 s.
    const percents = (side: 'left' | 'width') => segments.map((s) => Number.parseFloat(s.style[side]).toFixed(2));
    expect(percents('left')).toEqual(['0.00', '49.33', '89.33', '95.00']);
    expect(percents('width')).toEqual(['49.33', '40.00', '5.67', '5.00']);

    const rows = within(region).getAllByRole('listitem').map((li) => li.textContent?.replace(/\s+/g, ' ').trim());
    expect(rows).toEqual([
      '12:02:34 degraded → to healthy',
      '12:02:00 healthy → to degraded',
      '11:58:00 starting → to healthy',
      '11:40:00 first seen starting',
    ]);
  });

  it('follows new changes and the clock', () => {
    vi.setSystemTime(NOON);
    feedAt(NOON - 5 * MIN, { type: 'node-upsert', node: node('queue', 'queue') });
    render(<NodeDetails nodeId="queue" onClose={() => {}} />);
    const strip = () => within(historyRegion()).getByRole('img');
    expect(strip().getAttribute('aria-label')).toBe('Last 10 min: healthy since 5 min ago');

    feedAt(NOON, { type: 'node-status', id: 'queue', status: 'down' });
    expect(strip().getAttribute('aria-label')).toBe('Last 10 min: healthy for 5 min, down since 0 s ago');
    expect(within(historyRegion()).getAllByRole('listitem')[0]!.textContent).toContain('healthy → to down');

    act(() => vi.advanceTimersByTime(40 * SEC));
    expect(strip().getAttribute('aria-label')).toBe('Last 10 min: healthy for 5 min, down since 40 s ago');
  });

  it('lists no more than the latest five changes', () => {
    vi.setSystemTime(NOON);
    feedAt(NOON - 9 * MIN, { type: 'node-upsert', node: node('db', 'postgres') });
    for (let i = 1; i <= 8; i++) feedAt(NOON - 9 * MIN + i * MIN, { type: 'node-status', id: 'db', status: i % 2 ? 'down' : 'healthy' });
    render(<NodeDetails nodeId="db" onClose={() => {}} />);
    const rows = within(historyRegion()).getAllByRole('listitem');
    expect(rows).toHaveLength(5);
    expect(rows[0]!.textContent).toContain('11:59:00');
    expect(rows[4]!.textContent).toContain('11:55:00');
  });
});

describe('node details: status history at the clock’s moment', () => {
  it('ends the strip at the moment shown, and says so, not at now', () => {
    vi.setSystemTime(NOON);
    feedAt(NOON - 20 * MIN, { type: 'node-upsert', node: node('parser', 'parser') });
    feedAt(NOON - 7 * MIN, { type: 'node-status', id: 'parser', status: 'down' });
    feedAt(NOON - 3 * MIN, { type: 'node-status', id: 'parser', status: 'healthy' });
    render(<NodeDetails nodeId="parser" onClose={() => {}} />);
    const strip = () => within(historyRegion()).getByRole('img');
    expect(strip().getAttribute('aria-label')).toBe('Last 10 min: healthy for 13 min, down for 4 min, healthy since 3 min ago');

    // Paused five minutes ago: the node was down then, and had been for two minutes.
    const moment = NOON - 5 * MIN;
    act(() => {
      useClock.setState({ moment });
      useShown.setState({ statusHistory: { parser: useRealtime.getState().statusHistory.parser!.slice(0, 2) } });
    });
    expect(strip().getAttribute('aria-label')).toBe('10 min up to 11:55:00: healthy for 13 min, down since 11:53:00');
    const segments = [...strip().querySelectorAll<HTMLElement>('[data-status]')];
    expect(segments.map((s) => s.dataset.status)).toEqual(['healthy', 'down']);
    // The window is 11:45:00 to 11:55:00: down from 11:53:00 is its last fifth, and no further.
    expect(segments.map((s) => [Number.parseFloat(s.style.left).toFixed(2), Number.parseFloat(s.style.width).toFixed(2)])).toEqual([
      ['0.00', '80.00'],
      ['80.00', '20.00'],
    ]);
    expect(within(historyRegion()).getByText('at 11:55:00')).toBeTruthy();
    expect(within(historyRegion()).queryByText('now')).toBeNull();

    // It does not move while paused, however long.
    act(() => vi.advanceTimersByTime(60 * SEC));
    expect(strip().getAttribute('aria-label')).toBe('10 min up to 11:55:00: healthy for 13 min, down since 11:53:00');

    act(() => useClock.getState().goLive());
    expect(strip().getAttribute('aria-label')).toMatch(/^Last 10 min: .*healthy since 4 min ago$/);
    expect(within(historyRegion()).getByText('now')).toBeTruthy();
  });
});
