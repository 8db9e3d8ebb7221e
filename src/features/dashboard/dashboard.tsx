import './dashboard.css';
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { formatAge } from '../../lib/format-duration.ts';
import { useStaleSince } from '../../store/use-stale-since.ts';
import { Panel } from '../../ui/panel.tsx';
import { useIsVisible } from '../../ui/use-is-visible.ts';
import { DashboardPanel, type PanelActions } from './dashboard-panel.tsx';
import { arrangePanels, movePanel, setHidden, setWide, setWindow, stepPanel } from './layout.ts';
import { useDashboardLayout } from './use-dashboard-layout.ts';
import { usePanelGroups } from './use-panel-groups.ts';
import { WINDOW_CHOICES_MS } from './window.ts';

/**
 * The chart dashboard: every series the store holds, grouped into panels by
 * name, in a grid the user arranges (order, width, hidden), kept per project.
 * One time window for all panels, and one crosshair: hovering a panel shows
 * the same moment on every other.
 */
export function Dashboard({ project }: { project: string }) {
  const contentRef = useRef<HTMLDivElement>(null);
  const panels = usePanelGroups(useIsVisible(contentRef));
  const ids = useMemo(() => panels.map((panel) => panel.id), [panels]);
  const [layout, update] = useDashboardLayout(project, ids);
  const { shown, hidden } = useMemo(() => arrangePanels(layout, ids), [layout, ids]);
  const byId = useMemo(() => new Map(panels.map((panel) => [panel.id, panel])), [panels]);
  const staleSince = useStaleSince();
  const wide = useMemo(() => new Set(layout.wide), [layout.wide]);

  // Read by the actions when they run, so one actions object serves every render.
  const shownRef = useRef(shown);
  useLayoutEffect(() => {
    shownRef.current = shown;
  });
  const dragged = useRef<string | null>(null);
  const [pointing, setPointing] = useState(false);
  const actions = useMemo<PanelActions>(
    () => ({
      step: (id, step) => update((current) => stepPanel(current, shownRef.current, id, step)),
      setWide: (id, on) => update((current) => setWide(current, id, on)),
      hide: (id) => update((current) => setHidden(current, id, true)),
      dragStart: (id) => {
        dragged.current = id;
      },
      dragEnd: () => {
        dragged.current = null;
      },
      canDropOn: (id) => dragged.current !== null && dragged.current !== id,
      dropOn: (id) => {
        const from = dragged.current;
        dragged.current = null;
        if (from !== null && from !== id) update((current) => movePanel(current, from, id));
      },
      pointAt: setPointing,
    }),
    [update],
  );

  const toolbar = (
    <>
      <div className="dashboard__windows" role="group" aria-label="Time window">
        {WINDOW_CHOICES_MS.map((choice) => (
          <button
            key={choice}
            type="button"
            className="dashboard__window"
            aria-pressed={layout.windowMs === choice}
            onClick={() => update((current) => setWindow(current, choice))}
          >
            {formatAge(choice)}
          </button>
        ))}
      </div>
      {hidden.length > 0 && (
        <div className="dashboard__hidden" role="group" aria-label="Hidden panels">
          <span className="dashboard__hidden-label">Hidden:</span>
          {hidden.map((id) => {
            const title = byId.get(id)?.title ?? id;
            return (
              <button
                key={id}
                type="button"
                className="dashboard__show"
                aria-label={`Show ${title}`}
                onClick={() => update((current) => setHidden(current, id, false))}
              >
                {title} +
              </button>
            );
          })}
        </div>
      )}
    </>
  );

  return (
    <Panel
      title={
        <>
          Dashboard <span className="panel__count">{shown.length === 1 ? '1 panel' : `${shown.length} panels`}</span>
        </>
      }
      actions={toolbar}
      className="dashboard"
    >
      <div ref={contentRef} className="dashboard__content">
        {panels.length === 0 ? (
          <p className="panel__empty">waiting for series</p>
        ) : (
          <div className="dashboard__grid">
            {shown.map((id, index) => (
              <DashboardPanel
                key={id}
                panel={byId.get(id)!}
                windowMs={layout.windowMs}
                staleSince={staleSince}
                wide={wide.has(id)}
                isFirst={index === 0}
                isLast={index === shown.length - 1}
                held={pointing}
                actions={actions}
              />
            ))}
          </div>
        )}
      </div>
    </Panel>
  );
}
