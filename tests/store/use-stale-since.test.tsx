// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StaleNotice } from '../../src/features/connection/stale-notice.tsx';
import { useStaleSince } from '../../src/store/use-stale-since.ts';
import { useRealtime } from '../../src/store/realtime.ts';
import { feed, resetStores } from '../features/mesh-fixtures.ts';

function Probe() {
  const since = useStaleSince();
  return since === null ? <p>fresh</p> : <StaleNotice since={since} />;
}

const setConnection = (...args: Parameters<ReturnType<typeof useRealtime.getState>['setConnection']>) =>
  act(() => useRealtime.getState().setConnection(...args));

beforeEach(() => {
  resetStores();
  vi.useFakeTimers();
  vi.setSystemTime(new Date(2025, 0, 2, 10, 0, 0));
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('stale marker', () => {
  it('is absent before any data, even while not connected', () => {
    render(<Probe />);
    setConnection('reconnecting', { attempt: 1, nextRetryAt: Date.now() + 1_000 });
    expect(screen.getByText('fresh')).toBeTruthy();
  });

  it('says since when the link was lost, through every retry, until it is back', () => {
    render(<Probe />);
    setConnection('open');
    feed({ type: 'event', message: 'hello', severity: 'info' });
    expect(screen.getByText('fresh')).toBeTruthy();

    vi.setSystemTime(new Date(2025, 0, 2, 10, 4, 12));
    setConnection('reconnecting', { attempt: 1, nextRetryAt: Date.now() + 1_000 });
    expect(screen.getByText(/stale since/).textContent).toContain('stale since 10:04:12');

    vi.setSystemTime(new Date(2025, 0, 2, 10, 4, 20));
    setConnection('connecting', { attempt: 1 });
    setConnection('reconnecting', { attempt: 2, nextRetryAt: Date.now() + 2_000 });
    expect(screen.getByText(/stale since/).textContent).toContain('stale since 10:04:12');

    setConnection('open');
    expect(screen.getByText('fresh')).toBeTruthy();
  });
});
