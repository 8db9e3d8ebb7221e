// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeSeries } from '../../../src/features/charts/node-series.tsx';
import { feed, resetStores } from '../mesh-fixtures.ts';

beforeEach(resetStores);
afterEach(cleanup);

describe('node series', () => {
  it("shows nothing for a node without series, then a sparkline per series it owns", () => {
    const { container } = render(<NodeSeries nodeId="postgres" />);
    expect(container.textContent).toBe('');

    const t = Date.now();
    feed(
      { type: 'chart-point', series: 'postgres.connections', nodeId: 'postgres', value: { t, y: 41 } },
      { type: 'chart-point', series: 'postgres.cache_hit_ratio', nodeId: 'postgres', value: { t, y: 0.991 } },
      { type: 'chart-point', series: 'crawl.pages_per_sec', value: { t, y: 120 } },
    );
    const group = screen.getByRole('group', { name: 'Node metrics' });
    expect(screen.getAllByRole('figure').map((f) => f.getAttribute('aria-label'))).toEqual(['connections', 'cache hit ratio']);
    expect(screen.getByRole('figure', { name: 'connections' }).textContent).toContain('41');
    expect(screen.getByRole('figure', { name: 'cache hit ratio' }).textContent).toContain('99 %');
    expect(group.textContent).not.toContain('pages');
  });

  it('shows a series the node owns even when it is not named after the node', () => {
    render(<NodeSeries nodeId="kafka" />);
    feed({ type: 'chart-point', series: 'queue.depth', nodeId: 'kafka', value: { t: Date.now(), y: 2_800 } });
    expect(screen.getByRole('figure', { name: 'queue.depth' }).textContent).toContain('2.8k');
  });
});
