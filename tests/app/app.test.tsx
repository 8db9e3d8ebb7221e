// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/app/App.tsx';
import { BASE_CHANNELS } from '../../src/protocol/frames.ts';
import type { UseWSOptions } from '../../src/lib/useWS.ts';
import { useRealtime } from '../../src/store/realtime.ts';
import { useSelection } from '../../src/store/selection.ts';
import { feed, loadCrawlerMesh, resetStores } from '../features/mesh-fixtures.ts';

const link = vi.hoisted(() => ({ send: vi.fn(() => true), subscribe: vi.fn(), unsubscribe: vi.fn(), setLogOptions: vi.fn() }));
const useWS = vi.hoisted(() => vi.fn((_url: string, _enabled: boolean, _options?: unknown) => link));
vi.mock('../../src/lib/useWS', () => ({ useWS }));

beforeEach(() => {
  resetStores();
  useWS.mockClear();
  for (const fn of Object.values(link)) fn.mockClear();
  sessionStorage.clear();
  window.history.replaceState(null, '', '/?project=crawler-eu');
});
afterEach(cleanup);

describe('app', () => {
  it("connects to the project's socket on the page's own origin", () => {
    render(<App />);
    expect(useWS).toHaveBeenCalledWith(`ws://${window.location.host}/ws?project=crawler-eu`, true, {
      channels: BASE_CHANNELS,
      getToken: expect.any(Function),
    });
    expect(screen.getByRole('heading', { name: 'meshwatch', level: 1 })).toBeTruthy();
    expect(screen.getByText('crawler-eu')).toBeTruthy();
  });

  it('lays out the topology, the event feed, the charts and progress, with counters in the header', () => {
    loadCrawlerMesh();
    act(() => {
      useRealtime.getState().setConnection('open');
      useRealtime.getState().applyBatch([], 3);
    });
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
    expect(link.subscribe).toHaveBeenCalledWith(['logs:fetcher-2']);

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
    expect(link.unsubscribe).toHaveBeenCalledWith(['logs:fetcher-2']);
  });

  it('keeps the options it connects with stable across renders', () => {
    const { rerender } = render(<App />);
    act(() => useRealtime.getState().setConnection('open'));
    rerender(<App />);
    const options = useWS.mock.calls.map((call) => call[2]);
    expect(options.length).toBeGreaterThan(1);
    expect(new Set(options).size).toBe(1);
  });

  it('asks for a token when the gateway demands one, stores it and connects again with it', async () => {
    render(<App />);
    expect(screen.queryByRole('form', { name: 'Sign in' })).toBeNull();

    act(() => useRealtime.getState().setConnection('error', { lastError: 'sign-in required: the gateway refused the token and there is no other' }));
    const form = screen.getByRole('form', { name: 'Sign in' });
    fireEvent.change(within(form).getByLabelText('Token'), { target: { value: 'secret-token' } });
    useWS.mockClear();
    fireEvent.click(within(form).getByRole('button', { name: 'Connect' }));

    expect(sessionStorage.getItem('meshwatch.token')).toBe('secret-token');
    // One render with the connection off stops the failed one; the next starts a new one.
    await waitFor(() => expect(useWS.mock.calls.at(-1)?.[1]).toBe(true));
    expect(useWS.mock.calls.map((call) => call[1])).toContain(false);
    const getToken = (useWS.mock.calls.at(-1)![2] as UseWSOptions).getToken!;
    expect(await getToken({ fresh: false })).toBe('secret-token');
  });

  it('says how many watch the project, once the gateway has said', () => {
    render(<App />);
    expect(screen.queryByText(/watching/)).toBeNull();
    act(() => useRealtime.getState().setPresence({ connections: 3, users: ['ada', 'linus'] }));
    expect(screen.getByText('3 watching').title).toBe('watching: ada, linus');
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
