import { useCallback, useEffect, useState } from 'react';
import { readStoredLayout, withPanels, writeStoredLayout, type DashboardLayout } from './layout.ts';

function browserStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    // Reading `localStorage` itself throws where storage is blocked.
    return undefined;
  }
}

/**
 * The project's layout, read from localStorage when the project changes and
 * written back whenever it changes. Panels it has not seen are appended as
 * they appear, so a panel that arrives later never pushes into the middle.
 */
export function useDashboardLayout(
  project: string,
  panelIds: readonly string[],
): [DashboardLayout, (change: (layout: DashboardLayout) => DashboardLayout) => void] {
  const [held, setHeld] = useState(() => ({ project, layout: readStoredLayout(browserStorage(), project) }));
  let current = held;
  // Adjusted during render, so the first paint of another project or of new panels is already right.
  if (held.project !== project) current = { project, layout: readStoredLayout(browserStorage(), project) };
  const appended = withPanels(current.layout, panelIds);
  if (appended !== current.layout) current = { project, layout: appended };
  if (current !== held) setHeld(current);

  useEffect(() => writeStoredLayout(browserStorage(), current.project, current.layout), [current.project, current.layout]);

  const update = useCallback((change: (layout: DashboardLayout) => DashboardLayout) => {
    setHeld((state) => {
      const layout = change(state.layout);
      return layout === state.layout ? state : { project: state.project, layout };
    });
  }, []);
  return [current.layout, update];
}
