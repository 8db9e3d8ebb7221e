// @vitest-environment jsdom
/**
 * The Metrics strip draws the shown state: the live store while live, the
 * recorded state at the clock's moment while paused, its axis ending there.
 */
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChartPanel } from '../../../src/features/charts/chart-panel.tsx';
import { NodeSeries } from '../../../src/features/charts/node-series.tsx';
import { useClock } from '../../../src/store/clock.ts';
import { useShown } from '../../../src/store/shown.ts';
import { feed, resetStores } from '../mesh-fixtures.ts';

const T0 = Math.floor(Date.now() / 1_000) * 1_000;
const chart = (title: string) => screen.getByRole('figure', { name: title });

beforeEach(() => {
  resetStores();
  useClock.setState({ moment: null, held: null });
});
afterEach(cleanup);

describe('metrics strip and the clock', () => {
  it('shows the recorded state while paused, not the live store', () => {
    render(<ChartPanel />);
    feed({ type: 'chart-point', series: 'queue.depth', value: { t: T0, y: 5 } });
    expect(chart('Queue depth').textContent).toContain('depth 5');
    act(() => {
      useClock.setState({ moment: T0 - 10_000 });
      useShown.setState({ charts: { 'queue.depth': [{ t: T0 - 12_000, y: 3 }] } });
    });
    expect(chart('Queue depth').textContent).toContain('depth 3');
  });

  it('ends the time axis at the moment shown', async () => {
    render(<ChartPanel />);
    feed(
      { type: 'chart-point', series: 'queue.depth', value: { t: T0 - 60_000, y: 5 } },
      { type: 'chart-point', series: 'queue.depth', value: { t: T0 - 30_000, y: 6 } },
    );
    await waitFor(() => expect(chart('Queue depth').querySelector('.recharts-line-curve')).not.toBeNull());
    // The line's right end: at the axis end while live, halfway along once the axis ends 30 s later.
    const rightEnd = () => {
      const d = chart('Queue depth').querySelector('.recharts-line-curve')?.getAttribute('d') ?? '';
      return Math.max(...[...d.matchAll(/[ML]([\d.]+),/g)].map((m) => Number(m[1])));
    };
    const live = rightEnd();
    act(() => useClock.setState({ moment: T0 }));
    await waitFor(() => expect(rightEnd()).toBeLessThan(live - 50));
    act(() => useClock.setState({ moment: null }));
    await waitFor(() => expect(rightEnd()).toBe(live));
  });

  it('shows a node’s sparklines from the shown state', () => {
    render(<NodeSeries nodeId="postgres" />);
    act(() => {
      useClock.setState({ moment: T0 });
      useShown.setState({
        charts: { 'postgres.tps': [{ t: T0, y: 900 }] },
        seriesByNode: { postgres: ['postgres.tps'] },
      });
    });
    expect(screen.getByRole('figure', { name: 'tps' }).textContent).toContain('900');
  });
});
