/**
 * `npm run bench:ui`: the dashboard's topology view in headless Chromium
 * (1440×900, software rendering), fed by `npm start` (the built app's server, in a child process)
 * simulating meshes of 200, 500 and 2,000 nodes at 10,000 messages per second.
 * For each size, in a fresh Chromium profile and a fresh server:
 *
 *  - frame rate while idle (data streaming, no input) and while panning
 *    (mouse drags across `.react-flow__pane`), with the p95 frame gap;
 *  - the main thread's longest task in the load and in those two windows;
 *  - latency over both windows (the method is in ui-page.ts, installLatencyProbe):
 *    arrive-to-paint, from the socket frame reaching the page (the message
 *    leaving the gateway, on loopback) to the paint that shows it, and
 *    publish-to-paint, which adds the gateway's batching window (up to 100 ms);
 *  - the same windows again with the feed and chart panels hidden ("graph
 *    alone"), to tell the topology's own cost from the rest of the dashboard's;
 *  - the JS heap after load and after a soak (counted from the end of the
 *    load; the windows are part of it).
 *
 * At 2,000 nodes the windows are timed again with `?expand=*` (every group of
 * nodes expanded), or "n/a" if the page then draws no more than 300 nodes.
 *
 * Environment: BENCH_UI_WINDOW_S (default 10) per window; BENCH_UI_SOAK_S
 * (default 300) at 2,000 nodes; BENCH_UI_SHORT_SOAK_S (default 60) at the
 * smaller sizes; BENCH_UI_SIZES (default 200,500,2000).
 * Figures are printed with the targets, never asserted: the process fails
 * only when something does not work (a page error, no data, no Chromium in CI).
 *
 * Needs Chromium (see tests/e2e/chromium.ts) and a build (`npm run build`).
 */
import { existsSync } from 'node:fs';
import { arch, availableParallelism, cpus, loadavg, platform, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { DEFAULT_DIST_DIR } from '../../src/server/standalone.ts';
import { hasChromium, launchChromium } from '../e2e/chromium.ts';
import {
  frameWindow,
  heapMiB,
  loadTasks,
  openBenchPage,
  panUntil,
  percentile,
  read,
  sleep,
  waitForSettled,
  type BenchPage,
  type FrameWindow,
} from './ui-measure.ts';
import { installLatencyProbe } from './ui-page.ts';
import { startBenchServer } from './ui-server.ts';

const RATE = 10_000;
const LARGE_MESH = 2_000;
const WINDOW_S = positiveFromEnv('BENCH_UI_WINDOW_S', 10);
const SOAK_S = positiveFromEnv('BENCH_UI_SOAK_S', 300);
const SHORT_SOAK_S = positiveFromEnv('BENCH_UI_SHORT_SOAK_S', 60);
const SIZES = (process.env.BENCH_UI_SIZES ?? `200,500,${LARGE_MESH}`).split(',').map((size) => Number(size.trim()));
/** With `?expand=*` honoured, a 2,000-node mesh draws far more than this many nodes. */
const EXPANDED_MIN_DRAWN = 300;
const TARGET_P99_MS = 100;
const TARGET_TASK_MS = 50;

interface SizeResult {
  size: number;
  nodes: number;
  edges: number;
  drawn: number;
  /** Messages per second the store applied over the soak. */
  rate: number;
  /** Messages per second the gateway sent this page (or coalesced away) over the soak: what the simulator published on its channels. */
  published: number;
  loadTasks: number[];
  idle: FrameWindow;
  pan: FrameWindow;
  heapAfterLoad: number;
  heapAfterSoak: number;
  soakS: number;
  expanded?: { drawn: number; loadTasks: number[]; idle: FrameWindow; pan: FrameWindow } | 'n/a';
  /** The windows again with the side and bottom panels (feed, node panel, charts, progress) hidden. */
  graphOnly: { idle: FrameWindow; pan: FrameWindow };
}

function positiveFromEnv(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`${name}=${JSON.stringify(raw)}: expected a positive number of seconds`);
  return value;
}

const progress = (message: string) => console.error(`[bench:ui] ${message}`);
const count = (value: number) => Math.round(value).toLocaleString('en-US');

/** Loads a page, waits for it to settle, times the idle and panning windows. */
async function loadAndTime(bench: BenchPage, label: string) {
  const loadStarted = Date.now();
  const settled = await waitForSettled(bench);
  const tasks = await loadTasks(bench, settled.now);
  progress(`${label}: settled after ${((Date.now() - loadStarted) / 1000).toFixed(1)} s, ${count(settled.nodes)} nodes, ${count(settled.drawnNodes)} drawn`);
  return { settled, tasks };
}

async function startLatencyProbe(bench: BenchPage): Promise<void> {
  const probe = await bench.page.evaluate(installLatencyProbe);
  if (probe === 'no-store') throw new Error('the app does not expose window.__meshwatch.store');
  if (probe === 'no-last-batch') {
    throw new Error('the app does not expose window.__meshwatch.store.getState().stream.lastBatch (publish times of the last batch applied)');
  }
}

async function timeWindows(bench: BenchPage, label: string): Promise<{ idle: FrameWindow; pan: FrameWindow }> {
  progress(`${label}: idle window, ${WINDOW_S} s`);
  const idle = await frameWindow(bench, WINDOW_S);
  progress(`${label}: panning window, ${WINDOW_S} s`);
  const tally = { drags: 0, moves: 0 };
  const pan = await frameWindow(bench, WINDOW_S, panUntil(bench, tally));
  progress(`${label}: panned with ${tally.drags} drags, ${(tally.moves / pan.seconds).toFixed(0)} mouse moves/s`);
  if (idle.received === 0 && pan.received === 0) throw new Error(`${label}: no data arrived during the windows`);
  return { idle, pan };
}

async function measureSize(size: number): Promise<SizeResult> {
  const label = `${count(size)} nodes`;
  const soakS = size >= LARGE_MESH ? SOAK_S : SHORT_SOAK_S;
  const server = await startBenchServer(size, RATE);
  const browser = await launchChromium().catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  try {
    const url = `${server.origin}/?project=bench-${size}`;
    progress(`${label}: opening ${url}`);
    const bench = await openBenchPage(browser.context, url);
    const { settled, tasks } = await loadAndTime(bench, label);
    const soakStarted = Date.now();
    const publishedBefore = await server.published();
    const heapAfterLoad = await heapMiB(bench);

    await startLatencyProbe(bench);
    const { idle, pan } = await timeWindows(bench, label);

    // Hidden panels stop drawing (charts watch their visibility); the store and the graph go on as before.
    await bench.page.addStyleTag({ content: '.app-side, .app-bottom { display: none !important; }' });
    const graphOnly = await timeWindows(bench, `${label}, graph alone`);
    await bench.page.addStyleTag({ content: '.app-side, .app-bottom { display: revert !important; }' });

    const soakLeft = soakS * 1000 - (Date.now() - soakStarted);
    if (soakLeft > 0) {
      progress(`${label}: soaking, ${Math.round(soakLeft / 1000)} s more`);
      await sleep(soakLeft);
    }
    const soaked = await read(bench);
    const soakSeconds = (Date.now() - soakStarted) / 1000;
    const published = ((await server.published()) - publishedBefore) / soakSeconds;
    const heapAfterSoak = await heapMiB(bench);
    const rate = (soaked.received - settled.received) / soakSeconds;
    if (rate === 0) throw new Error(`${label}: no data arrived during the soak`);
    await bench.page.close();

    const result: SizeResult = {
      size,
      nodes: settled.nodes,
      edges: settled.edges,
      drawn: settled.drawnNodes,
      rate,
      published,
      loadTasks: tasks,
      idle,
      pan,
      heapAfterLoad,
      heapAfterSoak,
      soakS: soakSeconds,
      graphOnly,
    };
    if (size >= LARGE_MESH) result.expanded = await measureExpanded(browser.context, `${url}&expand=*`, `${label}, expanded`);
    return result;
  } finally {
    await browser.close();
    await server.close();
  }
}

async function measureExpanded(context: BrowserContext, url: string, label: string): Promise<SizeResult['expanded']> {
  progress(`${label}: opening ${url}`);
  const bench = await openBenchPage(context, url);
  try {
    const { settled, tasks } = await loadAndTime(bench, label);
    if (settled.drawnNodes <= EXPANDED_MIN_DRAWN) {
      progress(`${label}: n/a, the page draws ${settled.drawnNodes} nodes with ?expand=*`);
      return 'n/a';
    }
    await startLatencyProbe(bench);
    const { idle, pan } = await timeWindows(bench, label);
    return { drawn: settled.drawnNodes, loadTasks: tasks, idle, pan };
  } finally {
    await bench.page.close();
  }
}

const ms = (value: number) => (Number.isFinite(value) ? `${count(value)} ms` : 'n/a');
const fps = (w: FrameWindow) => `${w.fps.toFixed(1)} (${ms(w.p95GapMs)})`;
const longest = (tasks: number[]) => (tasks.length === 0 ? `<${TARGET_TASK_MS} ms` : ms(Math.max(...tasks)));
const windowTasks = (r: { idle: FrameWindow; pan: FrameWindow }) => {
  const tasks = [...r.idle.tasks, ...r.pan.tasks];
  return `${longest(tasks)} (${tasks.length})`;
};
const latencies = (r: { idle: FrameWindow; pan: FrameWindow }) => ({
  oldest: [...r.idle.oldest, ...r.pan.oldest],
  newest: [...r.idle.newest, ...r.pan.newest],
  arrival: [...r.idle.arrival, ...r.pan.arrival],
});

function rows(results: SizeResult[]): string[][] {
  const table: string[][] = [];
  const latencyCell = (r: { idle: FrameWindow; pan: FrameWindow }) => {
    const { oldest } = latencies(r);
    return `${ms(percentile(oldest, 0.5))} / ${ms(percentile(oldest, 0.99))}`;
  };
  const arrivalCell = (r: { idle: FrameWindow; pan: FrameWindow }) => {
    const { arrival } = latencies(r);
    return `${ms(percentile(arrival, 0.5))} / ${ms(percentile(arrival, 0.99))}`;
  };
  for (const r of results) {
    table.push([
      `${count(r.size)} nodes`,
      `${count(r.nodes)} / ${count(r.edges)}`,
      count(r.drawn),
      `${count(r.published)} → ${count(r.rate)}/s`,
      fps(r.idle),
      fps(r.pan),
      longest(r.loadTasks),
      windowTasks(r),
      arrivalCell(r),
      latencyCell(r),
      `${r.heapAfterLoad.toFixed(1)} → ${r.heapAfterSoak.toFixed(1)} MiB (${Math.round(r.soakS)} s)`,
    ]);
    const g = r.graphOnly;
    table.push([`${count(r.size)} nodes, graph alone`, '', '', '', fps(g.idle), fps(g.pan), '', windowTasks(g), arrivalCell(g), latencyCell(g), '']);
    if (r.expanded === 'n/a') {
      table.push([`${count(r.size)} nodes, ?expand=*`, '', 'n/a', '', 'n/a', 'n/a', 'n/a', 'n/a', '', '', '']);
    } else if (r.expanded) {
      const e = r.expanded;
      table.push([`${count(r.size)} nodes, ?expand=*`, '', count(e.drawn), '', fps(e.idle), fps(e.pan), longest(e.loadTasks), windowTasks(e), arrivalCell(e), latencyCell(e), '']);
    }
  }
  return table;
}

function printTable(table: string[][]): void {
  const header = [
    'mesh',
    'nodes / edges',
    'drawn',
    'sent → received',
    'idle fps (p95 gap)',
    'panning fps (p95 gap)',
    'load: longest task',
    'windows: longest task (>50 ms)',
    'arrive→paint p50 / p99',
    'publish→paint p50 / p99',
    'heap: load → soak',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of table) console.log(line(r));
}

function printTargets(results: SizeResult[]): void {
  const large = results.find((r) => r.size === LARGE_MESH);
  if (!large) return;
  const mark = (ok: boolean) => (ok ? 'pass' : 'MISS');
  console.log('');
  console.log(`targets at ${count(LARGE_MESH)} nodes (default view, after load):`);
  for (const [label, windows] of [['whole dashboard', large], ['graph alone', large.graphOnly]] as const) {
    const arrive = percentile(latencies(windows).arrival, 0.99);
    const publish = percentile(latencies(windows).oldest, 0.99);
    const tasks = [...windows.idle.tasks, ...windows.pan.tasks];
    console.log(
      `  ${label}: leaving the gateway → paint p99 < ${TARGET_P99_MS} ms: ${ms(arrive)} ${Number.isFinite(arrive) ? mark(arrive < TARGET_P99_MS) : 'n/a'}` +
        ` (from publish: ${ms(publish)}); no task > ${TARGET_TASK_MS} ms: ` +
        `${tasks.length === 0 ? 'none' : `${tasks.length}, longest ${ms(Math.max(...tasks))}`} ${mark(tasks.length === 0)}`,
    );
  }
}

async function main(): Promise<void> {
  if (!hasChromium) {
    // chromium.ts has said why; in CI it has thrown instead.
    console.log('bench:ui skipped: no Chromium');
    return;
  }
  if (!existsSync(join(DEFAULT_DIST_DIR, 'index.html'))) throw new Error('bench:ui needs the built app: run `npm run build` first');
  for (const size of SIZES) {
    if (!Number.isInteger(size) || size < 16) throw new Error(`BENCH_UI_SIZES: ${size} is not a mesh size (an integer of at least 16)`);
  }

  // Other work on the machine moves every figure here; the load average says how much there was.
  const loadBefore = loadavg()[0]!;
  const results: SizeResult[] = [];
  try {
    for (const size of SIZES) results.push(await measureSize(size));
  } finally {
    // A failure at one size still shows what the sizes before it measured.
    if (results.length > 0) printReport(results, loadBefore);
  }
}

function printReport(results: SizeResult[], loadBefore: number): void {
  const cpu = cpus();
  console.log(
    `meshwatch bench:ui — node ${process.version}, ${platform()} ${arch()}, ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ` +
      `${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${loadBefore.toFixed(1)} before and ${loadavg()[0]!.toFixed(1)} after; headless Chromium 1440×900, no GPU`,
  );
  console.log(
    `simulator publishing ${count(RATE)} messages/s; windows of ${WINDOW_S} s; heap after a soak of ${SHORT_SOAK_S} s ` +
      `below ${count(LARGE_MESH)} nodes and ${SOAK_S} s at ${count(LARGE_MESH)} (from the end of the load, the windows included)`,
  );
  console.log('');
  printTable(rows(results));
  console.log('');
  console.log('nodes / edges: in the store once loaded; drawn: nodes on the graph (React Flow\'s, and those drawn in bulk when zoomed out);');
  console.log('sent → received: messages/s the gateway sent the page (or coalesced away) and its store applied, over the soak; the page does not');
  console.log('  subscribe to log lines, about a third of what the simulator publishes;');
  console.log('longest task: main-thread tasks over 50 ms (longtask), in the load and in the idle and panning windows (how many);');
  console.log('arrive→paint: the earliest socket frame of each store update reaching the page (the message leaving the gateway; loopback) to the paint that showed it;');
  console.log('publish→paint: the gateway\'s publish time of each batch\'s oldest message to that paint: adds the gateway\'s batching window (up to 100 ms, DESIGN.md);');
  console.log('graph alone: the same windows with the feed, node panel, charts and progress hidden.');
  printTargets(results);
}

main().then(
  // Exit explicitly: a server or browser left behind must not hang CI.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
