/**
 * What `npm run bench:dashboard` reads inside the dashboard page. Playwright
 * serialises the function to the page, so it may use nothing outside its own
 * body (tsx's `__name` wrapper is stubbed by openBenchPage's init script).
 */

/** Where the bench looks on the dashboard page. */
export interface DashboardSelectors {
  /** One element per chart panel of the dashboard. */
  panel: string;
  /** Inside a panel: its drawn chart (panels draw only while in view). */
  plot: string;
  /** The selected node's log view, and one of its rows. */
  logLine: string;
  /** A row of the event feed. */
  feedRow: string;
  /** The node whose log streams; its lines in the store are `logs[nodeId]`. */
  nodeId: string;
}

export interface DashboardReading {
  /** Chart panels in the page, those with a size, those at least partly in the viewport, and those with a chart drawn. */
  panels: number;
  panelsDrawn: number;
  panelsInView: number;
  panelsPlotted: number;
  /** Log rows drawn, and the text of the last (the newest, while the view follows). */
  logLines: number;
  lastLogLine: string | null;
  /** The id of the newest line of the node's log in the store, or null for none. */
  newestLogId: number | null;
  feedRows: number;
}

type LogStoreWindow = Window & { __meshwatch?: { store?: { getState(): { logs?: Record<string, Array<{ id: number }> | undefined> } } } };

export function readDashboard(selectors: DashboardSelectors): DashboardReading {
  const elements = Array.from(document.querySelectorAll(selectors.panel));
  const panels = elements.map((panel) => panel.getBoundingClientRect());
  const drawn = panels.filter((box) => box.width > 0 && box.height > 0);
  const inView = drawn.filter((box) => box.bottom > 0 && box.right > 0 && box.top < window.innerHeight && box.left < window.innerWidth);
  const lines = document.querySelectorAll(selectors.logLine);
  const log = (window as LogStoreWindow).__meshwatch?.store?.getState().logs?.[selectors.nodeId];
  return {
    panels: panels.length,
    panelsDrawn: drawn.length,
    panelsInView: inView.length,
    panelsPlotted: elements.filter((panel) => panel.querySelector(selectors.plot) !== null).length,
    logLines: lines.length,
    lastLogLine: lines.length > 0 ? (lines[lines.length - 1]!.textContent ?? '') : null,
    newestLogId: log && log.length > 0 ? log[log.length - 1]!.id : null,
    feedRows: document.querySelectorAll(selectors.feedRow).length,
  };
}
