import { useEffect, useMemo } from 'react';
import { ChartPanel } from '../features/charts/chart-panel.tsx';
import { ConnectionBadge } from '../features/connection/connection-badge.tsx';
import { StaleNotice } from '../features/connection/stale-notice.tsx';
import { useStaleSince } from '../features/connection/use-stale-since.ts';
import { EventFeed } from '../features/events/event-feed.tsx';
import { ProgressPanel } from '../features/progress/progress-panel.tsx';
import { TopologyView } from '../features/topology/topology-view.tsx';
import { useWS } from '../lib/useWS.ts';
import { projectFromLocation, resolveWsUrl } from '../realtime/config.ts';
import { Counters } from './counters.tsx';
import { SelectedNodePanel } from './selected-node-panel.tsx';

export function App() {
  const project = useMemo(() => projectFromLocation(window.location), []);
  const url = useMemo(
    () => resolveWsUrl(window.location, project, import.meta.env.VITE_MESHWATCH_WS_URL),
    [project],
  );
  useWS(url, true);
  const staleSince = useStaleSince();

  useEffect(() => {
    document.title = `${project} · meshwatch`;
  }, [project]);

  return (
    <div className="app" data-stale={staleSince !== null || undefined}>
      <header className="app-header">
        <h1 className="app-header__brand">meshwatch</h1>
        <p className="app-header__project">
          project <strong>{project}</strong>
        </p>
        <ConnectionBadge />
        {staleSince !== null && <StaleNotice since={staleSince} />}
        <Counters />
      </header>
      <main className="app-main">
        <section className="app-topology panel" aria-label="Topology">
          <TopologyView />
        </section>
        <aside className="app-side" aria-label="Details and events">
          <SelectedNodePanel />
          <EventFeed />
        </aside>
        <div className="app-bottom">
          <ChartPanel />
          <ProgressPanel />
        </div>
      </main>
    </div>
  );
}
