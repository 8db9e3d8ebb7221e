// @vitest-environment jsdom
/**
 * Only panels on screen update: a panel scrolled out of view, or every panel
 * while the tab is hidden, must not re-render when points arrive, and must
 * catch up once it is seen again. Renders are counted with React's Profiler.
 */
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { Profiler } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Dashboard } from '../../../src/features/dashboard/dashboard.tsx';
import { DashboardPanel, type PanelActions } from '../../../src/features/dashboard/dashboard-panel.tsx';
import { groupSeries } from '../../../src/features/dashboard/group-series.ts';
import type { Payload } from '../../../src/protocol/messages.ts';
import { useClock } from '../../../src/store/clock.ts';
import { useRealtime } from '../../../src/store/realtime.ts';
import { feed, resetStores } from '../mesh-fixtures.ts';

const T0 = Math.floor(Date.now() / 1_000) * 1_000;
const point = (series: string, t: number, y: number): Payload => ({ type: 'chart-point', series, value: { t, y } });

const NO_ACTIONS: PanelActions = {
  step: () => {},
  setWide: () => {},
  hide: () => {},
  dragStart: () => {},
  dragEnd: () => {},
  canDropOn: () => false,
  dropOn: () => {},
  pointAt: () => {},
};

const panel = (title: string) => screen.getByRole('figure', { name: title });

function setInView(element: Element, inView: boolean) {
  act(() => (IntersectionObserver as unknown as { report(target: Element, on: boolean): void }).report(element, inView));
}

function setTabHidden(hidden: boolean) {
  vi.spyOn(document, 'visibilityState', 'get').mockReturnValue(hidden ? 'hidden' : 'visible');
  act(() => {
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

/** Lets timers (element sizes, drawing turns, deferred renders) run out. */
async function settle() {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 30));
  });
}

/** Two panels, `a` and `b`, each in a Profiler that counts its commits. */
function renderTwoPanels() {
  const renders = { a: 0, b: 0 };
  const [a, b] = groupSeries(['a/value', 'b/value']);
  const count = (id: string) => {
    renders[id as 'a' | 'b']++;
  };
  render(
    <>
      <Profiler id="a" onRender={count}>
        <DashboardPanel panel={a!} windowMs={300_000} staleSince={null} wide={false} isFirst isLast={false} held={false} actions={NO_ACTIONS} />
      </Profiler>
      <Profiler id="b" onRender={count}>
        <DashboardPanel panel={b!} windowMs={300_000} staleSince={null} wide={false} isFirst={false} isLast held={false} actions={NO_ACTIONS} />
      </Profiler>
    </>,
  );
  return renders;
}

beforeEach(() => {
  resetStores();
  useClock.setState({ moment: null, held: null });
  act(() => useRealtime.getState().setConnection('open'));
  localStorage.clear();
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('dashboard panels on and off screen', () => {
  it('does not re-render a panel out of view when its points arrive, and catches up when it is back', async () => {
    const renders = renderTwoPanels();
    feed(point('a/value', T0, 1), point('a/value', T0 + 1_000, 2), point('b/value', T0 + 1_000, 5));
    await waitFor(() => expect(panel('a').querySelector('.recharts-line-curve')).not.toBeNull());
    await settle();
    setInView(panel('a'), false);
    await settle();
    const before = { ...renders };

    feed(point('a/value', T0 + 2_000, 90), point('b/value', T0 + 2_000, 6));
    feed(point('a/value', T0 + 3_000, 91), point('b/value', T0 + 3_000, 7));
    await settle();
    expect(renders.a).toBe(before.a);
    expect(panel('a').textContent).toContain('value 2');
    // The panel in view did update: the counter can tell.
    expect(renders.b).toBeGreaterThan(before.b);
    expect(panel('b').textContent).toContain('value 7');

    setInView(panel('a'), true);
    await settle();
    expect(renders.a).toBeGreaterThan(before.a);
    expect(panel('a').textContent).toContain('value 91');
  });

  it('renders nothing while the tab is hidden, and every panel catches up when it is shown', async () => {
    const renders = renderTwoPanels();
    feed(point('a/value', T0 - 1_000, 0), point('b/value', T0 - 1_000, 0));
    feed(point('a/value', T0, 1), point('b/value', T0, 1));
    await waitFor(() => expect(panel('b').querySelector('.recharts-line-curve')).not.toBeNull());
    await settle();
    setTabHidden(true);
    await settle();
    const before = { ...renders };

    for (let i = 1; i <= 5; i++) feed(point('a/value', T0 + i * 1_000, 10 + i), point('b/value', T0 + i * 1_000, 20 + i));
    act(() => useClock.setState({ moment: T0 + 2_000 }));
    act(() => useClock.setState({ moment: null }));
    await settle();
    expect(renders).toEqual(before);
    expect(panel('a').textContent).toContain('value 1');

    setTabHidden(false);
    await settle();
    expect(renders.a).toBeGreaterThan(before.a);
    expect(renders.b).toBeGreaterThan(before.b);
    expect(panel('a').textContent).toContain('value 15');
    expect(panel('b').textContent).toContain('value 25');
  });

  it('does not re-render the page or any panel for points while the tab is hidden', async () => {
    let commits = 0;
    render(
      <Profiler id="dashboard" onRender={() => commits++}>
        <Dashboard project="p" />
      </Profiler>,
    );
    feed(point('a/value', T0 - 1_000, 0), point('b/value', T0 - 1_000, 0), point('c/value', T0 - 1_000, 0));
    feed(point('a/value', T0, 1), point('b/value', T0, 1), point('c/value', T0, 1));
    await waitFor(() => expect(panel('c').querySelector('.recharts-line-curve')).not.toBeNull());
    await settle();
    setTabHidden(true);
    await settle();
    const before = commits;
    for (let i = 1; i <= 5; i++) feed(point('a/value', T0 + i * 1_000, i), point('b/value', T0 + i * 1_000, i), point('c/value', T0 + i * 1_000, i));
    // Not even a new series' panel.
    feed(point('d/value', T0 + 5_000, 1));
    await settle();
    expect(commits).toBe(before);
    expect(screen.queryByRole('figure', { name: 'd' })).toBeNull();

    setTabHidden(false);
    await settle();
    expect(commits).toBeGreaterThan(before);
    expect(panel('c').textContent).toContain('value 5');
    expect(panel('d').textContent).toContain('value 1');
  });
});
