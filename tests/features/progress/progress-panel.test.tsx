// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgressPanel } from '../../../src/features/progress/progress-panel.tsx';
import type { Progress } from '../../../src/protocol/mesh.ts';
import { useClock } from '../../../src/store/clock.ts';
import { useRealtime } from '../../../src/store/realtime.ts';
import { feed, resetStores } from '../mesh-fixtures.ts';

const T0 = new Date(2025, 0, 2, 9, 0, 0).getTime();

function progress(patch: Partial<Progress> & { id: string }) {
  return { type: 'progress' as const, progress: { label: patch.id, percent: 0, status: 'running' as const, ...patch } };
}

/** Sends `patch` for the crawl `seconds` after T0, as if it came then. */
function crawlAt(seconds: number, patch: Partial<Progress>) {
  vi.setSystemTime(T0 + seconds * 1_000);
  feed(progress({ id: 'crawl', label: 'Crawl example.org', ...patch }));
}

const detail = (label: string) => screen.getByRole('progressbar', { name: label }).closest('li')!.querySelector('.progress-row__detail')!.textContent;
const title = () => screen.getByRole('heading', { name: /Progress/ }).textContent;

beforeEach(() => {
  resetStores();
  useClock.setState({ moment: null });
  useRealtime.getState().setConnection('open');
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  useClock.setState({ moment: null });
});

describe('progress panel', () => {
  it('shows a bar per run with percent, step and status', () => {
    render(<ProgressPanel />);
    expect(screen.getByText('No runs yet')).toBeTruthy();

    feed(
      { type: 'progress', progress: { id: 'crawl', label: 'Crawl example.org', percent: 42.4, status: 'running', step: 3, steps: 7 } },
      { type: 'progress', progress: { id: 'index', label: 'Rebuild index', percent: 100, status: 'complete' } },
    );
    const crawl = screen.getByRole('progressbar', { name: 'Crawl example.org' });
    expect(crawl.getAttribute('aria-valuenow')).toBe('42');
    expect(crawl.getAttribute('aria-valuetext')).toBe('42 % · step 3 of 7 · running');
    expect(screen.getByRole('progressbar', { name: 'Rebuild index' }).getAttribute('aria-valuetext')).toBe('100 % · complete');
    expect(detail('Rebuild index')).toBe('complete');
  });

  it('shows a failed run plainly: where it failed, in words as well as in red', () => {
    render(<ProgressPanel />);
    feed({ type: 'progress', progress: { id: 'deploy', label: 'Deploy api', percent: 37.5, status: 'failed', step: 3, steps: 8 } });
    const bar = screen.getByRole('progressbar', { name: 'Deploy api' });
    expect(bar.getAttribute('aria-valuetext')).toBe('failed at step 3 of 8 · 38 %');
    expect(bar.closest('li')?.getAttribute('data-status')).toBe('failed');
    expect(detail('Deploy api')).toBe('failed at step 3 of 8');
  });

  it('shows the rate and the time left of a steady run, counting down between updates', () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    render(<ProgressPanel />);
    crawlAt(0, { percent: 10, step: 1, steps: 10 });
    // One update is no rate.
    expect(detail('Crawl example.org')).toBe('step 1 of 10');
    crawlAt(5, { percent: 20, step: 2, steps: 10 });
    crawlAt(10, { percent: 30, step: 3, steps: 10 });
    crawlAt(15, { percent: 40, step: 4, steps: 10 });
    expect(detail('Crawl example.org')).toBe('step 4 of 10 · 12 steps/min · ETA 30 s');

    act(() => vi.advanceTimersByTime(2_000));
    expect(detail('Crawl example.org')).toBe('step 4 of 10 · 12 steps/min · ETA 28 s');
  });

  it('says a run stalled when its updates stop, and drops the estimate', () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    render(<ProgressPanel />);
    crawlAt(0, { percent: 10 });
    crawlAt(5, { percent: 20 });
    crawlAt(10, { percent: 30 });
    expect(detail('Crawl example.org')).toBe('2.0 %/s · ETA 35 s');

    act(() => vi.advanceTimersByTime(60_000));
    expect(detail('Crawl example.org')).toBe('stalled');
  });

  it('starts the estimate over when a run restarts', () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    render(<ProgressPanel />);
    crawlAt(0, { percent: 10 });
    crawlAt(5, { percent: 50 });
    crawlAt(10, { percent: 90 });
    expect(detail('Crawl example.org')).toContain('ETA');

    crawlAt(15, { percent: 2 });
    expect(detail('Crawl example.org')).toBe('running');
    crawlAt(20, { percent: 4 });
    crawlAt(25, { percent: 6 });
    expect(detail('Crawl example.org')).toBe('24 %/min · ETA 3 m 55 s');
  });

  it('shows how a run ended rather than its rate', () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    render(<ProgressPanel />);
    crawlAt(0, { percent: 10, step: 1, steps: 8 });
    crawlAt(5, { percent: 20, step: 2, steps: 8 });
    crawlAt(10, { percent: 30, step: 3, steps: 8 });
    crawlAt(11, { percent: 30, step: 3, steps: 8, status: 'failed' });
    expect(detail('Crawl example.org')).toBe('failed at step 3 of 8');
  });

  it('says how old the runs are while the link is down', () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    render(<ProgressPanel />);
    crawlAt(0, { percent: 10 });
    act(() => useRealtime.getState().setConnection('reconnecting', { attempt: 1 }));
    act(() => vi.advanceTimersByTime(20_000));
    expect(title()).toContain('link down · data 20 s old');
  });

  it('judges the link by the moment shown: before it went down, the runs were live', () => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
    render(<ProgressPanel />);
    crawlAt(0, { percent: 10 });
    act(() => useRealtime.getState().setConnection('reconnecting', { attempt: 1 }));
    act(() => vi.advanceTimersByTime(20_000));
    act(() => useClock.setState({ moment: T0 - 5_000 }));
    expect(title()).not.toContain('link down');
    act(() => useClock.setState({ moment: T0 + 10_000 }));
    expect(title()).toContain('link down · data 10 s old');
  });
});
