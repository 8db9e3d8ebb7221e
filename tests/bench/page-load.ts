/**
 * `npm run bench:load`: how soon a user opening `/?project=demo` sees the live
 * mesh, in headless Chromium, for `npm run dev` (Vite, development React) and
 * for the built app (`npm start`). Each page load is timed inside the page:
 * the first gateway frame, the graph's nodes and the feed's first row in the
 * DOM, every chart line drawn, and the longest main-thread task on the way.
 * The first load of the dev server (Vite compiling on demand) is printed on
 * its own; the medians are over `LOAD_RUNS` warm loads (default 7).
 *
 * Needs Chromium (see tests/e2e/chromium.ts) and a build (`npm run build`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { simulationSettingsFromEnv } from '../../src/server/env.ts';
import { DEFAULT_DIST_DIR, createStandaloneServer } from '../../src/server/standalone.ts';
import { hasChromium, launchChromium } from '../e2e/chromium.ts';
import { freePort, startDevServer } from '../e2e/dev-server.ts';

const RUNS = Number(process.env.LOAD_RUNS ?? 7);
/** The default mesh has about 30 nodes; the graph counts as shown at 20. */
const GRAPH_NODES = 20;
/** The default chart panel draws six lines. */
const CHART_LINES = 6;

interface LoadTiming {
  firstFrame: number;
  graph: number;
  feed: number;
  charts: number;
  longestTask: number;
}

/** Installed before any page script: records when each part first appears. */
function instrument(marks: { graphNodes: number; chartLines: number }): void {
  const timing: Record<string, number> = {};
  const tasks: number[] = [];
  (window as unknown as { __loadTiming: unknown }).__loadTiming = { timing, tasks };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) tasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: true });
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', () => (timing.firstFrame ??= performance.now()), { once: true });
    }
  };
  const seen = (name: string, present: boolean) => {
    if (present && timing[name] === undefined) timing[name] = performance.now();
  };
  new MutationObserver(() => {
    seen('graph', document.querySelectorAll('.react-flow__node').length >= marks.graphNodes);
    seen('feed', document.querySelector('.virtual-list__content [role=listitem]') !== null);
    seen('charts', document.querySelectorAll('.recharts-line-curve').length >= marks.chartLines);
  }).observe(document, { subtree: true, childList: true });
}

async function loadOnce(page: Page, url: string): Promise<LoadTiming> {
  await page.goto(url);
  await page.waitForFunction(
    () => {
      const { timing } = (window as unknown as { __loadTiming: { timing: Record<string, number> } }).__loadTiming;
      return timing.graph !== undefined && timing.feed !== undefined && timing.charts !== undefined;
    },
    null,
    { timeout: 60_000 },
  );
  // Let the last task finish so the longtask observer has reported it.
  await page.waitForTimeout(300);
  return page.evaluate(() => {
    const { timing, tasks } = (window as unknown as { __loadTiming: { timing: Record<string, number>; tasks: number[] } }).__loadTiming;
    return {
      firstFrame: timing.firstFrame ?? NaN,
      graph: timing.graph!,
      feed: timing.feed!,
      charts: timing.charts!,
      longestTask: Math.max(0, ...tasks),
    };
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function row(name: string, timings: LoadTiming[]): string[] {
  const pick = (key: keyof LoadTiming) => `${Math.round(median(timings.map((t) => t[key])))} ms`;
  return [name, pick('firstFrame'), pick('graph'), pick('feed'), pick('charts'), pick('longestTask')];
}

async function measure(url: string, coldLoad: boolean): Promise<{ cold?: LoadTiming; warm: LoadTiming[] }> {
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    // tsx keeps function names by wrapping inner functions in `__name(...)`, which the page lacks.
    await page.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
    await page.addInitScript(instrument, { graphNodes: GRAPH_NODES, chartLines: CHART_LINES });
    const cold = await loadOnce(page, url);
    const warm: LoadTiming[] = [];
    for (let i = 0; i < RUNS; i++) warm.push(await loadOnce(page, url));
    return coldLoad ? { cold, warm } : { warm };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  if (!hasChromium) throw new Error('bench:load needs Chromium');
  if (!existsSync(join(DEFAULT_DIST_DIR, 'index.html'))) throw new Error('bench:load needs the built app: run `npm run build` first');
  const rows: string[][] = [];

  const devPort = await freePort();
  const dev = await startDevServer(devPort);
  try {
    // As a user would: the page is opened a moment after `npm run dev` says it is ready.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const { cold, warm } = await measure(`http://127.0.0.1:${devPort}/?project=demo`, true);
    rows.push(row('npm run dev, first load (Vite compiles)', [cold!]));
    rows.push(row(`npm run dev, median of ${RUNS} loads`, warm));
  } finally {
    await dev.close();
  }

  const prodPort = await freePort();
  const prod = createStandaloneServer({ simulation: simulationSettingsFromEnv({}) }); // as `npm start` with no settings
  await prod.listen(prodPort, '127.0.0.1');
  try {
    const { warm } = await measure(`http://127.0.0.1:${prodPort}/?project=demo`, false);
    rows.push(row(`built app (npm start), median of ${RUNS} loads`, warm));
  } finally {
    await prod.close();
  }

  const header = ['page load, from navigation', 'first frame', 'graph', 'feed', 'charts', 'longest task'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
