/**
 * `npm run bench:dashboard`: what the dashboard page costs in headless
 * Chromium (1440×900, software rendering) with the simulator publishing
 * 10,000 messages per second, next to the floor: a page that only applies
 * the stream to the store (floor.html, src/floor/main.ts).
 *
 * The dashboard page is `/?page=dashboard&node=<id>`: the chart panels (at
 * least 12), the event feed and the node's panel with its live log view.
 * Both pages stream the same channels (the base ones and that node's log).
 * Each runs in a fresh server (`npm start` in a child process) and a fresh
 * Chromium profile, one after the other, and gets:
 *
 *  - a window right after the load and one at the end of the soak (idle:
 *    data streaming, no input): frame rate, p95 frame gap, and every task of
 *    the main thread from a trace (longest, how many over 50 ms, how busy);
 *  - messages per second the store applied, and the gateway sent;
 *  - the JS heap after the load and after the soak (counted from the end of
 *    the load, the windows included).
 *
 * Environment: BENCH_DASH_SIZE (mesh size, default 200), BENCH_DASH_WINDOW_S
 * (default 10), BENCH_DASH_SOAK_S (default 300; at least the two windows), BENCH_DASH_NODE (the node
 * whose log is open, default `postgres`, a core service of the simulated mesh).
 * Figures are printed, never asserted: the process fails only when something
 * does not work (a page error, no data, fewer than 12 panels, no log lines
 * arriving, no Chromium in CI).
 *
 * Needs Chromium (see tests/e2e/chromium.ts) and a build (`npm run build`).
 */
import { existsSync } from 'node:fs';
import { arch, availableParallelism, cpus, loadavg, platform, totalmem } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DIST_DIR } from '../../src/server/standalone.ts';
import { hasChromium } from '../e2e/chromium.ts';
import { measurePage, type PageResult, type PageSpec, type RunSettings, type TimedWindow } from './dashboard-run.ts';

const RATE = 10_000;
const MIN_PANELS = 12;
const LONG_TASK_MS = 50;
const SIZE = positiveFromEnv('BENCH_DASH_SIZE', 200);
const WINDOW_S = positiveFromEnv('BENCH_DASH_WINDOW_S', 10);
const SOAK_S = positiveFromEnv('BENCH_DASH_SOAK_S', 300);
const NODE = process.env.BENCH_DASH_NODE?.trim() || 'postgres';
const PROJECT = `bench-dashboard-${SIZE}`;

/** What the bench counts on the dashboard page. */
const SELECTORS = {
  panel: '.dashboard .dash-panel',
  plot: '.dash-panel__plot svg',
  logLine: '.logs .log-line',
  feedRow: '.events .event-row',
  nodeId: NODE,
};

function positiveFromEnv(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`${name}=${JSON.stringify(raw)}: expected a positive number`);
  return value;
}

const progress = (message: string) => console.error(`[bench:dashboard] ${message}`);
const count = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (value: number) => (Number.isFinite(value) ? `${value < 10 ? value.toFixed(1) : count(value)} ms` : 'n/a');
const longest = (w: TimedWindow) => Math.max(...w.mainThread.tasks);
const busy = (w: TimedWindow) => w.mainThread.tasks.reduce((sum, task) => sum + task, 0) / w.mainThread.spanMs;
const ratio = (a: number, b: number) => (Number.isFinite(a / b) && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

function pages(): PageSpec[] {
  const query = `project=${encodeURIComponent(PROJECT)}&node=${encodeURIComponent(NODE)}`;
  return [
    { label: 'floor', path: `/floor.html?${query}`, dashboard: null },
    { label: 'dashboard', path: `/?${query}&page=dashboard`, dashboard: { selectors: SELECTORS, minPanels: MIN_PANELS } },
  ];
}

function windowRow(label: string, w: TimedWindow, heap: string): string[] {
  const { frames } = w;
  return [
    label,
    frames.fps.toFixed(1),
    ms(frames.p95GapMs),
    ms(longest(w)),
    String(w.mainThread.tasks.filter((task) => task > LONG_TASK_MS).length),
    `${(busy(w) * 100).toFixed(0)} %`,
    count(frames.received / frames.seconds),
    heap,
  ];
}

function printTable(results: PageResult[]): void {
  const header = ['page', 'fps', 'p95 frame gap', 'longest task', `tasks > ${LONG_TASK_MS} ms`, 'main thread busy', 'msg/s applied', 'heap: load → soak'];
  const table = results.flatMap((r) => [
    windowRow(r.label, r.afterLoad, `${r.heapAfterLoad.toFixed(1)} → ${r.heapAfterSoak.toFixed(1)} MiB`),
    windowRow(`${r.label}, end of soak`, r.endOfSoak, ''),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
}

function printRatios(floor: PageResult, dashboard: PageResult): void {
  console.log('');
  console.log('dashboard / floor:');
  for (const [label, key] of [['after the load', 'afterLoad'], ['end of the soak', 'endOfSoak']] as const) {
    const d = dashboard[key];
    const f = floor[key];
    console.log(
      `  ${label}: fps ${ratio(d.frames.fps, f.frames.fps)}, longest task ${ratio(longest(d), longest(f))}, ` +
        `main thread busy ${ratio(busy(d), busy(f))}, p95 frame gap ${ratio(d.frames.p95GapMs, f.frames.p95GapMs)}`,
    );
  }
  console.log(`  heap: after the load ${ratio(dashboard.heapAfterLoad, floor.heapAfterLoad)}, after the soak ${ratio(dashboard.heapAfterSoak, floor.heapAfterSoak)}`);
}

function printReport(results: PageResult[], loadBefore: number): void {
  const cpu = cpus();
  const chromium = /(?:HeadlessChrome|Chrome)\/([\d.]+)/.exec(results[0]?.userAgent ?? '')?.[1] ?? 'unknown';
  console.log(
    `meshwatch bench:dashboard — node ${process.version}, ${platform()} ${arch()}, ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ` +
      `${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${loadBefore.toFixed(1)} before and ${loadavg()[0]!.toFixed(1)} after; ` +
      `headless Chromium ${chromium} 1440×900, no GPU`,
  );
  console.log(
    `simulator: ${count(SIZE)} nodes publishing ${count(RATE)} messages/s; windows of ${WINDOW_S} s after the load and at the end of a soak of ${SOAK_S} s ` +
      `(from the end of the load); both pages stream the base channels and the log of ${NODE}`,
  );
  console.log('');
  printTable(results);
  for (const r of results) {
    const d = r.dashboard;
    const drawn = d
      ? `; ${d.panels} panels (${d.panelsInView} in view, ${d.panelsPlotted} with a chart drawn), ${d.feedRows} feed rows and ${d.logLines} log rows drawn`
      : '';
    const loadLongest = r.loadTasks.length === 0 ? `none over ${LONG_TASK_MS} ms` : `${r.loadTasks.length} over ${LONG_TASK_MS} ms, longest ${ms(Math.max(...r.loadTasks))}`;
    console.log(
      `  ${r.label}: live in ${r.loadS.toFixed(1)} s (long tasks: ${loadLongest}), ${count(r.nodes)} nodes${drawn}; ` +
        `over the soak (${Math.round(r.soakS)} s) the gateway sent ${count(r.sent)} msg/s and the store applied ${count(r.applied)}/s`,
    );
  }
  const floor = results.find((r) => r.label === 'floor');
  const dashboard = results.find((r) => r.label === 'dashboard');
  if (floor && dashboard) printRatios(floor, dashboard);
  console.log('');
  console.log('fps: animation frames per second (requestAnimationFrame) in the window; p95 frame gap: between consecutive frames;');
  console.log('longest task, tasks > 50 ms, main thread busy: every task of the renderer\'s main thread in a trace of the window (short ones too,');
  console.log('  which the long-task observer cannot see), and the share of the window they filled;');
  console.log('msg/s applied: stream.received of the page\'s store over the window; the pages stream one node\'s log, not every node\'s, so');
  console.log('  the gateway sends them less than the simulator publishes; heap: used JS heap after a forced garbage collection.');
}

async function main(): Promise<void> {
  if (!hasChromium) {
    // chromium.ts has said why; in CI it has thrown instead.
    console.log('bench:dashboard skipped: no Chromium');
    return;
  }
  for (const page of ['index.html', 'floor.html']) {
    if (!existsSync(join(DEFAULT_DIST_DIR, page))) throw new Error(`bench:dashboard needs the built app (dist/${page}): run \`npm run build\` first`);
  }
  if (!Number.isInteger(SIZE) || SIZE < 16) throw new Error(`BENCH_DASH_SIZE: ${SIZE} is not a mesh size (an integer of at least 16)`);
  const settings: RunSettings = { size: SIZE, rate: RATE, windowS: WINDOW_S, soakS: SOAK_S, progress };
  // Other work on the machine moves every figure here; the load average says how much there was.
  const loadBefore = loadavg()[0]!;
  const results: PageResult[] = [];
  try {
    for (const page of pages()) results.push(await measurePage(page, settings));
  } finally {
    // A failure on the dashboard still shows what the floor measured.
    if (results.length > 0) printReport(results, loadBefore);
  }
}

main().then(
  // Exit explicitly: a server or browser left behind must not hang CI.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
