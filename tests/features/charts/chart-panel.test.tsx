// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChartPanel } from '../../../src/features/charts/chart-panel.tsx';
import { CHARTS } from '../../../src/features/charts/chart-definitions.ts';
import { feed, resetStores } from '../mesh-fixtures.ts';

function chart(title: string) {
  return screen.getByRole('figure', { name: title });
}

/** The stub in tests/setup/dom-stubs.ts: moves an element in or out of view. */
function setInView(element: Element, inView: boolean) {
  act(() => (IntersectionObserver as unknown as { report(target: Element, on: boolean): void }).report(element, inView));
}

function setTabHidden(hidden: boolean) {
  vi.spyOn(document, 'visibilityState', 'get').mockReturnValue(hidden ? 'hidden' : 'visible');
  act(() => {
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

function point(series: string, t: number, y: number) {
  return { type: 'chart-point' as const, series, value: { t, y } };
}

beforeEach(resetStores);
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('chart panel for a project with series of its own', () => {
  it('points to the dashboard instead of the crawler charts when only other series exist, and goes back to the charts when one of them appears', () => {
    const onShowDashboard = vi.fn();
    render(<ChartPanel onShowDashboard={onShowDashboard} />);
    const t = Date.now();
    feed(point('shop.orders_per_min', t, 118), point('shop:db/latency_ms', t, 12));
    expect(screen.queryAllByRole('figure')).toHaveLength(0);
    expect(screen.getByRole('note').textContent).toContain("publishes 2 series of its own, none of the overview's crawler charts");
    act(() => screen.getByRole('button', { name: 'Show them on the Dashboard' }).click());
    expect(onShowDashboard).toHaveBeenCalledTimes(1);
    feed(point('crawl.pages_per_sec', t, 40));
    expect(screen.getAllByRole('figure')).toHaveLength(CHARTS.length);
    expect(screen.queryByRole('note')).toBeNull();
  });

  it('keeps waiting with the crawler charts while no series exists at all', () => {
    render(<ChartPanel onShowDashboard={() => {}} />);
    expect(screen.getAllByText('waiting for data')).toHaveLength(CHARTS.length);
    expect(screen.queryByRole('note')).toBeNull();
  });
});

describe('chart panel', () => {
  it('shows "waiting for data" for every chart before any point', () => {
    render(<ChartPanel />);
    expect(screen.getAllByRole('figure')).toHaveLength(CHARTS.length);
    expect(screen.getAllByText('waiting for data')).toHaveLength(CHARTS.length);
  });

  it('draws a chart once its points arrive, and only that chart', async () => {
    render(<ChartPanel />);
    const t = Date.now();
    feed(
      { type: 'chart-point', series: 'crawl.pages_per_sec', value: { t, y: 40 } },
      { type: 'chart-point', series: 'crawl.pages_per_sec', value: { t: t + 1_000, y: 42.5 } },
    );

    const crawl = chart('Crawl rate');
    expect(within(crawl).queryByText('waiting for data')).toBeNull();
    expect(crawl.textContent).toContain('pages 43/s');
    await waitFor(() => expect(crawl.querySelector('.recharts-line-curve')).not.toBeNull());
    expect(within(chart('Queue depth')).getByText('waiting for data')).toBeTruthy();
  });

  it('draws both postgres series on their own axes, ratios as percentages', async () => {
    render(<ChartPanel />);
    const t = Date.now();
    feed(
      { type: 'chart-point', series: 'postgres.connections', value: { t, y: 38 } },
      { type: 'chart-point', series: 'postgres.tps', value: { t, y: 1_840 } },
      { type: 'chart-point', series: 'postgres.cache_hit_ratio', value: { t, y: 0.987 } },
      { type: 'chart-point', series: 'crawl.error_rate', value: { t, y: 0.024 } },
    );
    const postgres = chart('Postgres');
    expect(postgres.textContent).toContain('conns 38');
    expect(postgres.textContent).toContain('tps 1.8k');
    await waitFor(() => expect(postgres.querySelectorAll('.recharts-yAxis')).toHaveLength(2));
    expect(chart('Cache hit').textContent).toContain('postgres 99 %');
    expect(chart('Error rate').textContent).toContain('crawl 2.4 %');
  });

  it('keeps the last drawing of a chart scrolled out of view, and catches up when it is back', async () => {
    render(<ChartPanel />);
    const t = Date.now();
    feed(point('crawl.pages_per_sec', t, 40), point('crawl.pages_per_sec', t + 1_000, 42));
    const crawl = chart('Crawl rate');
    await waitFor(() => expect(crawl.querySelector('.recharts-line-curve')).not.toBeNull());
    const drawn = crawl.querySelector('.recharts-line-curve')!.getAttribute('d');

    setInView(crawl, false);
    feed(point('crawl.pages_per_sec', t + 2_000, 90), point('queue.depth', t + 2_000, 7));
    expect(crawl.textContent).toContain('pages 42/s');
    expect(crawl.querySelector('.recharts-line-curve')!.getAttribute('d')).toBe(drawn);
    // Charts in view still update.
    expect(chart('Queue depth').textContent).toContain('depth 7');

    setInView(crawl, true);
    expect(crawl.textContent).toContain('pages 90/s');
    await waitFor(() => expect(crawl.querySelector('.recharts-line-curve')!.getAttribute('d')).not.toBe(drawn));
  });

  it('updates no chart while the tab is hidden', () => {
    render(<ChartPanel />);
    const t = Date.now();
    feed(point('queue.depth', t, 5));
    setTabHidden(true);
    feed(point('queue.depth', t + 1_000, 6), point('postgres.connections', t + 1_000, 12));
    expect(chart('Queue depth').textContent).toContain('depth 5');
    expect(within(chart('Postgres')).getByText('waiting for data')).toBeTruthy();

    setTabHidden(false);
    expect(chart('Queue depth').textContent).toContain('depth 6');
    expect(chart('Postgres').textContent).toContain('conns 12');
  });
});
