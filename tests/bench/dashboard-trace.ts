/**
 * Every task of the page's main thread over a window, short ones included,
 * from a Chromium trace of the `toplevel` category (one event per task the
 * thread runs: a socket message, a timer, a frame's rendering...).
 *
 * Why a trace: the page's long-task observer reports only tasks over 50 ms,
 * so a page with none (the floor, most likely) would have no longest task to
 * compare the dashboard's with. The category is light, one event per task,
 * and both pages pay it alike.
 */
import type { CDPSession } from 'playwright-core';

/** What the trace says about the renderer's main thread. */
export interface MainThreadTasks {
  /** Durations of the tasks that ran, ms. */
  tasks: number[];
  /** Time the trace covered, ms. */
  spanMs: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string };
}

/**
 * One event per task a message loop runs (Chromium 120 onwards; `RunTask`
 * in some older builds). Not DoWork, which wraps several tasks.
 */
const TASK_EVENTS = new Set(['ThreadControllerImpl::RunTask', 'RunTask']);
const RENDERER_MAIN_THREAD = 'CrRendererMain';

/** Runs `during` with a trace recording; returns its result and the main-thread tasks of the busiest renderer. */
export async function traceMainThread<T>(cdp: CDPSession, during: () => Promise<T>): Promise<{ result: T; mainThread: MainThreadTasks }> {
  const events: TraceEvent[] = [];
  const collect = (data: { value: object[] }) => {
    for (const event of data.value) events.push(event as TraceEvent);
  };
  cdp.on('Tracing.dataCollected', collect);
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { recordMode: 'recordAsMuchAsPossible', includedCategories: ['toplevel', '__metadata'] },
  });
  let result: T;
  try {
    result = await during();
  } finally {
    await cdp.send('Tracing.end');
    await complete;
    cdp.off('Tracing.dataCollected', collect);
  }
  return { result, mainThread: mainThreadTasks(events) };
}

/**
 * The renderer main threads are named by metadata events; the page measured
 * is the one that worked most (the browser's first, blank tab does next to nothing).
 */
function mainThreadTasks(events: readonly TraceEvent[]): MainThreadTasks {
  const mainThreads = new Set(
    events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === RENDERER_MAIN_THREAD).map((e) => `${e.pid}:${e.tid}`),
  );
  const byThread = new Map<string, number[]>();
  let first = Infinity;
  let last = -Infinity;
  for (const event of events) {
    if (event.ph === 'M') continue;
    first = Math.min(first, event.ts);
    last = Math.max(last, event.ts + (event.dur ?? 0));
    if (event.ph !== 'X' || event.dur === undefined || !TASK_EVENTS.has(event.name)) continue;
    const thread = `${event.pid}:${event.tid}`;
    if (!mainThreads.has(thread)) continue;
    const tasks = byThread.get(thread) ?? [];
    tasks.push(event.dur / 1000);
    byThread.set(thread, tasks);
  }
  let busiest: number[] = [];
  let busiestTotal = -1;
  for (const tasks of byThread.values()) {
    const total = tasks.reduce((sum, duration) => sum + duration, 0);
    if (total > busiestTotal) {
      busiest = tasks;
      busiestTotal = total;
    }
  }
  return { tasks: busiest, spanMs: Number.isFinite(first) ? (last - first) / 1000 : 0 };
}
