import { useCallback, useEffect, useMemo, useState } from 'react';
import { ChartPanel } from '../features/charts/chart-panel.tsx';
import { Dashboard } from '../features/dashboard/dashboard.tsx';
import { ConnectionBadge } from '../features/connection/connection-badge.tsx';
import { Presence } from '../features/connection/presence.tsx';
import { SignInPrompt } from '../features/connection/sign-in.tsx';
import { StaleNotice } from '../features/connection/stale-notice.tsx';
import { useStaleSince } from '../store/use-stale-since.ts';
import { EventFeed } from '../features/events/event-feed.tsx';
import { ProgressPanel } from '../features/progress/progress-panel.tsx';
import { TimelineBar } from '../features/timeline/timeline-bar.tsx';
import { TopologyView } from '../features/topology/topology-view.tsx';
import { readViewParams } from '../features/topology/view-params.ts';
import { useWS, type UseWSOptions } from '../lib/useWS.ts';
import { BASE_CHANNELS } from '../protocol/frames.ts';
import { projectFromLocation, resolveWsUrl } from '../realtime/config.ts';
import { RealtimeLinkContext } from '../realtime/link-context.ts';
import { createTokenSource, sessionStorageOrNull } from '../realtime/token-source.ts';
import { useSelection } from '../store/selection.ts';
import { Counters } from './counters.tsx';
import { PageNav } from './page-nav.tsx';
import { readPage, writePage, type Page } from './page-param.ts';
import { SelectedNodePanel } from './selected-node-panel.tsx';

export function App() {
  const project = useMemo(() => projectFromLocation(window.location), []);
  const url = useMemo(
    () => resolveWsUrl(window.location, project, import.meta.env.VITE_MESHWATCH_WS_URL),
    [project],
  );
  // Stable: the connection reads its options when it starts. No logs here:
  // the selected node's panel streams its own while it is open.
  const options = useMemo<UseWSOptions>(
    () => ({
      channels: BASE_CHANNELS,
      getToken: createTokenSource({ url: import.meta.env.VITE_MESHWATCH_TOKEN_URL, storage: sessionStorageOrNull() }),
    }),
    [],
  );
  // A sign-in restarts the connection: one render with it disabled stops the failed one, the next starts afresh.
  const [restarting, setRestarting] = useState(false);
  useEffect(() => {
    if (restarting) setRestarting(false);
  }, [restarting]);
  const restart = useCallback(() => setRestarting(true), []);
  const link = useWS(url, !restarting, options);
  const staleSince = useStaleSince();

  useEffect(() => {
    document.title = `${project} · meshwatch`;
  }, [project]);

  const [page, setPage] = useState<Page>(() => readPage(window.location.search));
  const changePage = useCallback((next: Page) => {
    setPage(next);
    window.history.replaceState(window.history.state, '', writePage(window.location.href, next));
  }, []);
  // The overview's graph reads `?node=` itself; the dashboard page opens the node's panel from it too.
  useEffect(() => {
    const { node } = readViewParams(window.location.search);
    if (node !== null && useSelection.getState().selectedId === null) useSelection.getState().select(node);
  }, []);

  return (
    <RealtimeLinkContext value={link}>
      <div className="app" data-stale={staleSince !== null || undefined}>
        <header className="app-header">
          <h1 className="app-header__brand">meshwatch</h1>
          <PageNav page={page} onChange={changePage} />
          <p className="app-header__project">
            project <strong>{project}</strong>
          </p>
          <ConnectionBadge />
          <SignInPrompt onSignIn={restart} />
          {staleSince !== null && <StaleNotice since={staleSince} />}
          <Presence />
          <Counters />
        </header>
        <TimelineBar />
        {page === 'overview' ? (
          <main className="app-main">
            <section className="app-topology panel" aria-label="Topology">
              <TopologyView project={project} />
            </section>
            <aside className="app-side" aria-label="Details and events">
              <SelectedNodePanel />
              <EventFeed />
            </aside>
            <div className="app-bottom">
              <ChartPanel onShowDashboard={() => changePage('dashboard')} />
              <ProgressPanel />
            </div>
          </main>
        ) : (
          <main className="app-main app-main--dashboard">
            <section className="app-dashboard" aria-label="Dashboard">
              <Dashboard project={project} />
            </section>
            <aside className="app-side" aria-label="Details and events">
              <SelectedNodePanel />
              <ProgressPanel />
              <EventFeed />
            </aside>
          </main>
        )}
      </div>
    </RealtimeLinkContext>
  );
}
