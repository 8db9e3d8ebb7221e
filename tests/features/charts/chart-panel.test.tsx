// @vitest-environment jsdom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChartPanel } from '../../../src/features/charts/chart-panel.tsx';
import { CHARTS } from '../../../src/features/charts/chart-definitions.ts';
import { feed, resetStores } from '../mesh-fixtures.ts';

function chart(title: string) {
  return screen.getByRole('figure', { name: title });
}

beforeEach(resetStores);
afterEach(cleanup);

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
});
