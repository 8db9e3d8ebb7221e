/**
 * The steps of `npm run bench:ui` on one open page: wait for the load to
 * settle, time a frame window (idle or panning), read the JS heap. Each step
 * throws when the page is not working (a page error, no data, no graph).
 */
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { emptyPanePoint, instrumentPage, readPage, startFrames, stopFrames, tasksBetween } from './ui-page.ts';

export type PageReading = Awaited<ReturnType<typeof readPage>>;

/** A page under measurement, with what went wrong in it so far. */
export interface BenchPage {
  page: Page;
  cdp: CDPSession;
  /** Uncaught page errors and crashes; any one fails the bench at its next step. */
  errors: string[];
}

export interface FrameWindow {
  seconds: number;
  fps: number;
  /** 95th percentile of the gaps between frames, ms. */
  p95GapMs: number;
  /** Durations of the long tasks (> 50 ms) that started in the window. */
  tasks: number[];
  /** Publish-to-paint of each batch's oldest and newest message, ms. */
  oldest: number[];
  newest: number[];
  /** Arrival-to-paint of each store update's earliest socket frame, ms: the message leaving the gateway (on loopback) to its paint. */
  arrival: number[];
  /** Messages the store applied during the window. */
  received: number;
}

/** How long a page may take to show a live graph before the bench gives up. */
const LOAD_TIMEOUT_MS = 120_000;
/** The load counts as settled once the store's graph has kept its shape this long. */
const SETTLED_AFTER_MS = 3_000;
/** If the graph keeps changing shape (nodes come and go), settle on what is there after this. */
const SETTLE_AT_MOST_MS = 30_000;
const POLL_MS = 250;
/** The long-task observer reports a task shortly after it ends. */
const TASK_REPORT_DELAY_MS = 300;
/** Each drag: this many mouse moves of this many px, one every MOVE_INTERVAL_MS, then back the other way on the next drag. */
const DRAG_STEPS = 60;
const DRAG_STEP_PX = { x: 4, y: 1.5 };
const MOVE_INTERVAL_MS = 16;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens `url` in a new page of `context`, instrumented before any page script runs. */
export async function openBenchPage(context: BrowserContext, url: string): Promise<BenchPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.stack ?? error.message));
  page.on('crash', () => errors.push('the page crashed'));
  // tsx keeps function names by wrapping inner functions in `__name(...)`, which the page lacks.
  await page.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  await page.addInitScript(instrumentPage);
  const cdp = await context.newCDPSession(page);
  await page.goto(url);
  return { page, cdp, errors };
}

export function assertHealthy(bench: BenchPage): void {
  if (bench.errors.length > 0) throw new Error(`page error: ${bench.errors.join('\n')}`);
}

export async function read(bench: BenchPage): Promise<PageReading> {
  assertHealthy(bench);
  const reading = await bench.page.evaluate(readPage);
  if (!reading.hasStore) throw new Error('the app does not expose window.__meshwatch.store (expected in src/main.tsx)');
  return reading;
}

/**
 * Waits until the gateway's data flows, the graph is drawn and the store's
 * graph has stopped changing shape; returns that reading, its page time
 * marking the end of the load.
 */
export async function waitForSettled(bench: BenchPage): Promise<PageReading> {
  const started = Date.now();
  let shape = '';
  let shapeSince = Date.now();
  for (;;) {
    const reading = await read(bench);
    const live = reading.status === 'open' && reading.received > 0 && reading.nodes > 0 && reading.drawnNodes > 0;
    const nextShape = `${reading.nodes}/${reading.edges}/${reading.topologyVersion}`;
    if (nextShape !== shape) {
      shape = nextShape;
      shapeSince = Date.now();
    }
    if (live && (Date.now() - shapeSince >= SETTLED_AFTER_MS || Date.now() - started >= SETTLE_AT_MOST_MS)) return reading;
    if (Date.now() - started > LOAD_TIMEOUT_MS) {
      throw new Error(
        `the page did not show a live graph within ${LOAD_TIMEOUT_MS / 1000} s: status ${reading.status}, ` +
          `${reading.received} messages received, ${reading.nodes} nodes in the store, ${reading.drawnNodes} drawn`,
      );
    }
    await sleep(POLL_MS);
  }
}

/** Long tasks that started before page time `until`: the load's. */
export async function loadTasks(bench: BenchPage, until: number): Promise<number[]> {
  return bench.page.evaluate(tasksBetween, { from: 0, until });
}

/** Counts frames (and records publish-to-paint) for `seconds`, while `during` runs if given. */
export async function frameWindow(bench: BenchPage, seconds: number, during?: (deadline: number) => Promise<void>): Promise<FrameWindow> {
  const before = await read(bench);
  const from = await bench.page.evaluate(startFrames);
  const deadline = Date.now() + seconds * 1000;
  if (during) await during(deadline);
  else await sleep(seconds * 1000);
  const { end, frames, oldest, newest, arrival } = await bench.page.evaluate(stopFrames);
  const after = await read(bench);
  await sleep(TASK_REPORT_DELAY_MS);
  const tasks = await bench.page.evaluate(tasksBetween, { from, until: end });
  const gaps = frames.slice(1).map((time, i) => time - frames[i]!);
  const windowSeconds = (end - from) / 1000;
  return {
    seconds: windowSeconds,
    fps: frames.length / windowSeconds,
    p95GapMs: gaps.length > 0 ? percentile(gaps, 0.95) : NaN,
    tasks,
    oldest,
    newest,
    arrival,
    received: after.received - before.received,
  };
}

/**
 * Drags the graph pane back and forth until `deadline`, as a user panning
 * around would: each drag starts on empty pane (a press on a node would move
 * the node) and goes 240 px one way over about a second, the next one back.
 * The moves go out every 16 ms without waiting for Chromium to handle the
 * previous one, as a real mouse sends them: a busy page gets them queued and
 * coalesced, rather than the bench slowing down to the page's pace.
 */
export function panUntil(bench: BenchPage, tally: { drags: number; moves: number }): (deadline: number) => Promise<void> {
  const send = (type: 'mouseMoved' | 'mousePressed' | 'mouseReleased', x: number, y: number) =>
    bench.cdp.send('Input.dispatchMouseEvent', {
      type,
      x,
      y,
      button: 'left',
      buttons: type === 'mouseReleased' ? 0 : 1,
      clickCount: type === 'mouseMoved' ? 0 : 1,
    });
  return async (deadline) => {
    let direction = 1;
    for (let drag = 0; Date.now() < deadline; drag++) {
      const start = await bench.page.evaluate(emptyPanePoint, drag);
      if ('missing' in start) throw new Error(`cannot pan: ${start.missing}`);
      const before = drag === 0 ? (await read(bench)).viewport : null;
      await send('mouseMoved', start.x, start.y);
      await send('mousePressed', start.x, start.y);
      const moves: Promise<unknown>[] = [];
      const began = Date.now();
      let at = start;
      for (let step = 1; step <= DRAG_STEPS && Date.now() < deadline; step++) {
        await sleep(began + step * MOVE_INTERVAL_MS - Date.now());
        at = { x: start.x + direction * step * DRAG_STEP_PX.x, y: start.y + direction * step * DRAG_STEP_PX.y };
        moves.push(send('mouseMoved', at.x, at.y));
      }
      await Promise.all(moves);
      await send('mouseReleased', at.x, at.y);
      tally.moves += moves.length;
      tally.drags++;
      if (before !== null && (await read(bench)).viewport === before) {
        throw new Error(`dragging the graph pane did not pan the graph (viewport transform stayed ${JSON.stringify(before)})`);
      }
      direction = -direction;
    }
  };
}

/** The page's used JS heap after a full garbage collection, MiB. */
export async function heapMiB(bench: BenchPage): Promise<number> {
  assertHealthy(bench);
  await bench.cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await bench.cdp.send('Runtime.getHeapUsage');
  return usedSize / 2 ** 20;
}

/** Nearest-rank percentile, `q` in [0, 1]; NaN for no values. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
