// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/app/App.tsx';
import { useRealtime } from '../../src/store/realtime.ts';
import { useSelection } from '../../src/store/selection.ts';
import { feed, loadCrawlerMesh, resetStores } from '../features/mesh-fixtures.ts';

const useWS = vi.hoisted(() => vi.fn(() => ({ send: () => true })));
vi.mock('../../src/lib/useWS', () => ({ useWS }));

beforeEach(() => {
  resetStores();
  useWS.mockClear();
  window.history.replaceState(null, '', '/?project=crawler-eu');
});
afterEach(cleanup);

describe('app', () => {
  it("connects to the project's socket on the page's own origin", () => {
    render(<App />);
    expect(useWS).toHaveBeenCalledWith(`ws://${window.location.host}/ws?project=crawler-eu`, true);
    expect(screen.getByRole('heading', { name: 'meshwatch', level: 1 })).toBeTruthy();
    expect(screen.getByText('crawler-eu')).toBeTruthy();
  });

  it('lays out the topology, the event feed, the charts and progress, with counters in the header', () => {
    loadCrawlerMesh();
    act(() => useRealtime.getState().applyBatch([], 3));
    render(<App />);
    expect(screen.getByRole('region', { name: 'Topology' })).toBeTruthy();
    expect(screen.getByRole('list', { name: 'Event feed' })).toBeTruthy();
    expect(screen.getByRole('region', { name: 'Metrics' })).toBeTruthy();
    expect(screen.getByRole('region', { name: 'Progress' })).toBeTruthy();
    expect(screen.getByRole('status', { name: 'Connection' })).toBeTruthy();

    const counters = screen.getByLabelText('Stream counters');
    const value = (name: string) => within(counters).getByText(name).nextElementSibling?.textContent;
    expect(value('nodes')).toBe('7');
    expect(value('edges')).toBe('8');
    expect(value('rejected')).toBe('3');
  });

  it("shows a node's details and live log when it is picked in the feed, until closed", () => {
    loadCrawlerMesh();
    render(<App />);
    expect(screen.queryByRole('region', { name: 'Selected node' })).toBeNull();

    feed(
      { type: 'event', message: 'fetcher-2 is throttled', severity: 'warn', nodeId: 'fetcher-2' },
      { type: 'log-chunk', nodeId: 'fetcher-2', text: 'backing off 2 s', level: 'warn' },
    );
    fireEvent.click(within(screen.getByRole('list', { name: 'Event feed' })).getByRole('button', { name: 'fetcher-2' }));

    const panel = screen.getByRole('region', { name: 'Selected node' });
    expect(within(panel).getByRole('heading', { name: 'fetcher-2' })).toBeTruthy();
    expect(within(panel).getByText('fetchers')).toBeTruthy();
    const log = within(panel).getByRole('list', { name: 'Log lines of fetcher-2' });
    expect(log.textContent).toContain('backing off 2 s');

    feed({ type: 'log-chunk', nodeId: 'fetcher-2', text: 'resumed', level: 'info' });
    expect(log.textContent).toContain('resumed');

    fireEvent.click(within(panel).getByRole('button', { name: 'Close node details' }));
    expect(useSelection.getState().selectedId).toBeNull();
    expect(screen.queryByRole('region', { name: 'Selected node' })).toBeNull();
  });

  it('dims the data and says since when it is stale while the link is down, and recovers without a reload', async () => {
    act(() => useRealtime.getState().setConnection('open'));
    loadCrawlerMesh();
    const { container } = render(<App />);
    const app = container.querySelector('.app')!;
    expect(app.hasAttribute('data-stale')).toBe(false);

    act(() => useRealtime.getState().setConnection('reconnecting', { attempt: 1, nextRetryAt: Date.now() + 1_000 }));
    expect(app.hasAttribute('data-stale')).toBe(true);
    expect(screen.getByText(/stale since/).textContent).toMatch(/stale since \d\d:\d\d:\d\d/);
    expect(screen.getByRole('status', { name: 'Connection' }).textContent).toContain('reconnecting · attempt 1');

    act(() => useRealtime.getState().setConnection('open'));
    await waitFor(() => expect(app.hasAttribute('data-stale')).toBe(false));
    expect(screen.queryByText(/stale since/)).toBeNull();
    expect(screen.getByRole('status', { name: 'Connection' }).textContent).toBe('live');
  });
});
