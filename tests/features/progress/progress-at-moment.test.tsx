// @vitest-environment jsdom
/**
 * Its own file: the app's recorder (src/store/shown.ts) lives as long as the
 * file's modules and records on a clock that must never go back. It records
 * once on the real clock as the modules load, so the fake clock here starts
 * later than any real today.
 */
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgressPanel } from '../../../src/features/progress/progress-panel.tsx';
import type { Progress } from '../../../src/protocol/mesh.ts';
import { useClock } from '../../../src/store/clock.ts';
import { useRealtime } from '../../../src/store/realtime.ts';
import { feed, resetStores } from '../mesh-fixtures.ts';

const T0 = new Date(2099, 0, 2, 9, 0, 0).getTime();

function crawlAt(seconds: number, patch: Partial<Progress>) {
  vi.setSystemTime(T0 + seconds * 1_000);
  feed({ type: 'progress', progress: { id: 'crawl', label: 'Crawl example.org', percent: 0, status: 'running', ...patch } });
}

const bar = () => screen.getByRole('progressbar', { name: 'Crawl example.org' });
const detail = () => bar().closest('li')!.querySelector('.progress-row__detail')!.textContent;
const title = () => screen.getByRole('heading', { name: /Progress/ }).textContent;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
  resetStores();
  useClock.setState({ moment: null });
  useRealtime.getState().setConnection('open');
});
afterEach(() => {
  cleanup();
  useClock.setState({ moment: null });
  vi.useRealTimers();
});

describe('progress at a moment', () => {
  it('shows the runs as they were at the moment shown, without estimates, and says which moment', () => {
    render(<ProgressPanel />);
    crawlAt(0, { percent: 10 });
    crawlAt(5, { percent: 20 });
    crawlAt(10, { percent: 30 });
    expect(detail()).toBe('2.0 %/s · ETA 35 s');

    act(() => useClock.getState().pause());
    expect(title()).toContain('at 09:00:10');
    // Rate and time left describe now, not the moment shown.
    expect(detail()).toBe('running');
    crawlAt(15, { percent: 40 });
    expect(bar().getAttribute('aria-valuenow')).toBe('30');

    act(() => useClock.getState().goLive());
    expect(bar().getAttribute('aria-valuenow')).toBe('40');
    // Updates seen while paused were not stamped into the history with the wrong time; live ones go on.
    expect(detail()).toBe('2.0 %/s · ETA 30 s');
  });
});
