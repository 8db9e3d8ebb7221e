/**
 * One page of `npm run bench:dashboard`, measured in a fresh server and a
 * fresh Chromium profile: wait for live data (and, on the dashboard, its
 * panels, feed and log view), time a window after the load, soak, time a
 * window at the end of the soak, read the heap after load and after the soak.
 * Throws when the page does not work: a page error, no data, fewer panels
 * than asked, no log lines arriving. Slow figures are never an error.
 */
import { launchChromium } from '../e2e/chromium.ts';
import { readDashboard, type DashboardReading, type DashboardSelectors } from './dashboard-page.ts';
import { traceMainThread, type MainThreadTasks } from './dashboard-trace.ts';
import { frameWindow, heapMiB, loadTasks, openBenchPage, read, sleep, type BenchPage, type FrameWindow, type PageReading } from './ui-measure.ts';
import { startBenchServer } from './ui-server.ts';

export interface PageSpec {
  label: string;
  /** Path and query on the bench server, e.g. `/floor.html?project=…`. */
  path: string;
  /** The dashboard's checks, or null for the floor (the store alone). */
  dashboard: { selectors: DashboardSelectors; minPanels: number } | null;
}

export interface RunSettings {
  size: number;
  rate: number;
  windowS: number;
  soakS: number;
  progress: (message: string) => void;
}

/** A frame window, with every main-thread task the trace saw in it. */
export interface TimedWindow {
  frames: FrameWindow;
  mainThread: MainThreadTasks;
}

export interface PageResult {
  label: string;
  userAgent: string;
  loadS: number;
  /** Long tasks (> 50 ms) of the load. */
  loadTasks: number[];
  afterLoad: TimedWindow;
  endOfSoak: TimedWindow;
  /** Messages per second the page's store applied over the soak, and the gateway sent it. */
  applied: number;
  sent: number;
  heapAfterLoad: number;
  heapAfterSoak: number;
  soakS: number;
  nodes: number;
  /** The dashboard's counts once loaded; null for the floor. */
  dashboard: DashboardReading | null;
}

/** How long a page may take to show live data before the bench gives up. */
const LOAD_TIMEOUT_MS = 120_000;
/** The load counts as settled once the mesh (and the panel count) has kept its shape this long... */
const SETTLED_AFTER_MS = 3_000;
/** ...or after this, if it keeps changing. */
const SETTLE_AT_MOST_MS = 30_000;
const POLL_MS = 250;

export async function measurePage(spec: PageSpec, settings: RunSettings): Promise<PageResult> {
  const { progress } = settings;
  const server = await startBenchServer(settings.size, settings.rate);
  const browser = await launchChromium().catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  try {
    const url = `${server.origin}${spec.path}`;
    progress(`${spec.label}: opening ${url}`);
    const loadStarted = Date.now();
    const bench = await openBenchPage(browser.context, url);
    const { reading: settled, dashboard } = await waitForData(bench, spec);
    const loadS = (Date.now() - loadStarted) / 1000;
    const dashboardNote = dashboard
      ? `, ${dashboard.panels} panels (${dashboard.panelsInView} in view, ${dashboard.panelsPlotted} plotted), ${dashboard.feedRows} feed rows, ${dashboard.logLines} log rows drawn`
      : '';
    progress(`${spec.label}: live after ${loadS.toFixed(1)} s, ${settled.nodes} nodes${dashboardNote}`);
    const tasks = await loadTasks(bench, settled.now);
    const heapAfterLoad = await heapMiB(bench);
    // Both counts start from here, so the soak's rates compare what was sent with what was applied.
    const soakStarted = Date.now();
    const sentBefore = await server.published();
    const appliedBefore = (await read(bench)).received;

    progress(`${spec.label}: window after the load, ${settings.windowS} s`);
    const afterLoad = await timedWindow(bench, spec, settings.windowS);
    const soakLeft = settings.soakS * 1000 - (Date.now() - soakStarted) - settings.windowS * 1000;
    if (soakLeft > 0) {
      progress(`${spec.label}: soaking, ${Math.round(soakLeft / 1000)} s more before the last window`);
      await sleep(soakLeft);
    }
    progress(`${spec.label}: window at the end of the soak, ${settings.windowS} s`);
    const endOfSoak = await timedWindow(bench, spec, settings.windowS);
    const soaked = await read(bench);
    const soakS = (Date.now() - soakStarted) / 1000;
    const sent = ((await server.published()) - sentBefore) / soakS;
    const applied = (soaked.received - appliedBefore) / soakS;
    const heapAfterSoak = await heapMiB(bench);
    if (applied === 0) throw new Error(`${spec.label}: no data arrived during the soak`);
    const userAgent = await bench.page.evaluate(() => navigator.userAgent);
    await bench.page.close();
    return {
      label: spec.label,
      userAgent,
      loadS,
      loadTasks: tasks,
      afterLoad,
      endOfSoak,
      applied,
      sent,
      heapAfterLoad,
      heapAfterSoak,
      soakS,
      nodes: settled.nodes,
      dashboard,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

/**
 * Waits until the stream is open and applied, the mesh has kept its shape
 * for a moment and, on the dashboard, the panels, the feed and the log view
 * show data. Times out with what was missing.
 */
async function waitForData(bench: BenchPage, spec: PageSpec): Promise<{ reading: PageReading; dashboard: DashboardReading | null }> {
  const started = Date.now();
  let liveSince: number | null = null;
  let shape = '';
  let shapeSince = Date.now();
  for (;;) {
    const reading = await read(bench);
    const dashboard = spec.dashboard ? await bench.page.evaluate(readDashboard, spec.dashboard.selectors) : null;
    const missing = whatIsMissing(reading, dashboard, spec);
    if (missing === null) liveSince ??= Date.now();
    const nextShape = `${reading.nodes}/${reading.edges}/${reading.topologyVersion}/${dashboard?.panels ?? 0}`;
    if (nextShape !== shape) {
      shape = nextShape;
      shapeSince = Date.now();
    }
    if (missing === null && liveSince !== null) {
      if (Date.now() - shapeSince >= SETTLED_AFTER_MS || Date.now() - liveSince >= SETTLE_AT_MOST_MS) return { reading, dashboard };
    }
    if (Date.now() - started > LOAD_TIMEOUT_MS) {
      throw new Error(`${spec.label}: not ready within ${LOAD_TIMEOUT_MS / 1000} s: ${missing ?? 'the mesh kept changing shape'}`);
    }
    await sleep(POLL_MS);
  }
}

function whatIsMissing(reading: PageReading, dashboard: DashboardReading | null, spec: PageSpec): string | null {
  if (reading.status !== 'open') return `the connection is ${reading.status}`;
  if (reading.received === 0 || reading.nodes === 0) return `${reading.received} messages applied, ${reading.nodes} nodes in the store`;
  if (!spec.dashboard || !dashboard) return null;
  const { selectors, minPanels } = spec.dashboard;
  if (dashboard.panelsDrawn < minPanels) {
    return `${dashboard.panelsDrawn} dashboard panels drawn (${dashboard.panels} in the page, selector ${JSON.stringify(selectors.panel)}); expected at least ${minPanels}`;
  }
  if (dashboard.panelsPlotted === 0) return `no dashboard panel has drawn its chart (${JSON.stringify(selectors.plot)})`;
  if (dashboard.feedRows === 0) return `no event feed rows (${JSON.stringify(selectors.feedRow)})`;
  if (dashboard.logLines === 0) return `no log lines of ${selectors.nodeId} in the log view (${JSON.stringify(selectors.logLine)})`;
  return null;
}

/**
 * A frame window under a trace; on the dashboard, also checks that log lines
 * kept arriving in the log view and the panels are still there.
 */
async function timedWindow(bench: BenchPage, spec: PageSpec, seconds: number): Promise<TimedWindow> {
  const before = spec.dashboard ? await bench.page.evaluate(readDashboard, spec.dashboard.selectors) : null;
  const { result: frames, mainThread } = await traceMainThread(bench.cdp, () => frameWindow(bench, seconds));
  if (frames.received === 0) throw new Error(`${spec.label}: no data arrived during a ${seconds} s window`);
  if (spec.dashboard && before) {
    const after = await bench.page.evaluate(readDashboard, spec.dashboard.selectors);
    const missing = whatIsMissing(await read(bench), after, spec);
    if (missing !== null) throw new Error(`${spec.label}: after a window, ${missing}`);
    if (after.newestLogId === before.newestLogId) throw new Error(`${spec.label}: no log line of ${spec.dashboard.selectors.nodeId} reached the store during the window`);
    if (after.lastLogLine === before.lastLogLine) throw new Error(`${spec.label}: the log view showed no new line during the window (it should follow the stream)`);
  }
  if (mainThread.tasks.length === 0) throw new Error(`${spec.label}: the trace found no task on the page's main thread`);
  return { frames, mainThread };
}
