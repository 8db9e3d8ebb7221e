/**
 * What the timeline's end-to-end test reads from the page: a probe that
 * records the live store exactly as the app's recorder records it, and
 * readers of the shown state, the clock and the drawn panels.
 *
 * The probe listens to the clock: the recorder announces every moment it
 * records by moving `held.to`, synchronously, while the live store still
 * holds the state it just recorded. So the probe's snapshot at `held.to` is
 * what the live view had at that recorded moment, and a scrubbed view must
 * show the newest snapshot at or before its moment, whatever the timing.
 *
 * Functions passed to `page.evaluate` run in the page: they import nothing
 * and reach the app through `window.__meshwatch` (src/app/debug-handle.ts).
 */
import type { Page } from 'playwright-core';

/** What the test compares of a state: everything the recorder rebuilds that the panels draw. */
export interface StateSummary {
  /** Node id → status. */
  statuses: Record<string, string>;
  /** Edge id → [rps, errorRate, p95Ms], or null without stats. */
  edges: Record<string, [number, number, number] | null>;
  /** The newest events, newest first. */
  events: Array<{ id: number; ts: number; message: string }>;
  eventCount: number;
  /** Run id → what its bar shows. */
  progress: Record<string, { label: string; percent: number; status: string }>;
  topologyVersion: number;
}

/** The live state at a recorded moment. */
export interface LiveSnapshot {
  at: number;
  state: StateSummary;
}

export interface HeldSpan {
  from: number;
  to: number;
  stepMs: number;
}

/** A core series, as the shown state has it and as the live store has it. */
export interface SeriesReading {
  /** The shown state's newest point. */
  shown: { t: number; y: number } | null;
  /** The live store's newest point at or before `moment`. */
  liveUpTo: { t: number; y: number } | null;
  /** The live store's newest point. */
  live: { t: number; y: number } | null;
}

/** The newest snapshot at or before `moment`: what a view scrubbed to `moment` must show. */
export function snapshotAt(snapshots: readonly LiveSnapshot[], moment: number): LiveSnapshot | null {
  let found: LiveSnapshot | null = null;
  for (const snapshot of snapshots) if (snapshot.at <= moment) found = snapshot;
  return found;
}

interface ProbeWindow {
  __meshwatch: {
    store: { getState(): AppState };
    shown: { getState(): AppState };
    clock: { getState(): ClockState; subscribe(listener: (state: ClockState) => void): () => void };
  };
  __timelineProbe?: { snapshots: LiveSnapshot[]; summarise: (state: AppState) => StateSummary };
}

interface ClockState {
  moment: number | null;
  held: HeldSpan | null;
}

/** The parts of the app's RealtimeState read here. */
interface AppState {
  nodes: Record<string, { status: string }>;
  edges: Record<string, { stats?: { rps: number; errorRate: number; p95Ms: number } }>;
  events: Array<{ id: number; ts: number; message: string }>;
  progress: Record<string, { label: string; percent: number; status: string }>;
  charts: Record<string, Array<{ t: number; y: number }>>;
  logs: Record<string, Array<{ id: number; ts: number; level: string; text: string }>>;
  topologyVersion: number;
  stream: { received: number };
}

/** Waits for the debug handle, then records a snapshot of the live store at every moment the app records from now on. */
export async function installProbe(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as Partial<ProbeWindow>).__meshwatch?.clock !== undefined, null, { timeout: 30_000 });
  await page.evaluate(() => {
    const w = window as unknown as ProbeWindow;
    const summarise = (state: AppState): StateSummary => ({
      statuses: Object.fromEntries(Object.entries(state.nodes).map(([id, node]) => [id, node.status])),
      edges: Object.fromEntries(
        Object.entries(state.edges).map(([id, edge]) => [id, edge.stats ? [edge.stats.rps, edge.stats.errorRate, edge.stats.p95Ms] : null]),
      ),
      events: state.events.slice(0, 5).map(({ id, ts, message }) => ({ id, ts, message })),
      eventCount: state.events.length,
      progress: Object.fromEntries(Object.entries(state.progress).map(([id, run]) => [id, { label: run.label, percent: run.percent, status: run.status }])),
      topologyVersion: state.topologyVersion,
    });
    const snapshots: LiveSnapshot[] = [];
    const { store, clock } = w.__meshwatch;
    // The moment held when the probe starts was recorded earlier, from a state the probe never saw.
    let lastTo = clock.getState().held?.to ?? null;
    clock.subscribe(({ held }) => {
      if (held === null || held.to === lastTo) return;
      lastTo = held.to;
      snapshots.push({ at: held.to, state: summarise(store.getState()) });
      if (snapshots.length > 600) snapshots.shift();
    });
    w.__timelineProbe = { snapshots, summarise };
  });
}

export const probeSnapshots = (page: Page): Promise<LiveSnapshot[]> =>
  page.evaluate(() => (window as unknown as ProbeWindow).__timelineProbe!.snapshots);

/** How much time the probe's snapshots span, in ms (0 before two). */
export const probeSpan = (page: Page): Promise<number> =>
  page.evaluate(() => {
    const { snapshots } = (window as unknown as ProbeWindow).__timelineProbe!;
    return snapshots.length > 1 ? snapshots.at(-1)!.at - snapshots[0]!.at : 0;
  });

/** The shown state (what the views draw) and the live store, summarised alike. */
export const shownAndLive = (page: Page): Promise<{ shown: StateSummary; live: StateSummary; same: boolean; received: number }> =>
  page.evaluate(() => {
    const w = window as unknown as ProbeWindow;
    const { shown, store } = w.__meshwatch;
    const { summarise } = w.__timelineProbe!;
    return {
      shown: summarise(shown.getState()),
      live: summarise(store.getState()),
      same: shown.getState() === store.getState(),
      received: store.getState().stream.received,
    };
  });

/** Whether the views draw the live store itself (the clock is live), without the probe installed. */
export const showsLiveStore = (page: Page): Promise<boolean> =>
  page.evaluate(() => {
    const { shown, store } = (window as unknown as ProbeWindow).__meshwatch;
    return shown.getState() === store.getState();
  });

export const clockOf = (page: Page): Promise<ClockState> =>
  page.evaluate(() => {
    const { moment, held } = (window as unknown as ProbeWindow).__meshwatch.clock.getState();
    return { moment, held: held && { from: held.from, to: held.to, stepMs: held.stepMs } };
  });

/** `series` in the shown state and in the live store, around `moment` (null: the newest). */
export const readSeries = (page: Page, series: string, moment: number | null): Promise<SeriesReading> =>
  page.evaluate(
    ([name, at]) => {
      const { shown, store } = (window as unknown as ProbeWindow).__meshwatch;
      const point = (p: { t: number; y: number } | undefined) => (p ? { t: p.t, y: p.y } : null);
      const live = store.getState().charts[name] ?? [];
      return {
        shown: point(shown.getState().charts[name]?.at(-1)),
        liveUpTo: point(at === null ? live.at(-1) : live.findLast((p) => p.t <= at)),
        live: point(live.at(-1)),
      };
    },
    [series, moment] as const,
  );

/** The newest time of every shown series, by name. */
export const shownSeriesEnds = (page: Page): Promise<Record<string, number>> =>
  page.evaluate(() => {
    const charts = (window as unknown as ProbeWindow).__meshwatch.shown.getState().charts;
    return Object.fromEntries(Object.entries(charts).flatMap(([name, points]) => (points.length > 0 ? [[name, points.at(-1)!.t]] : [])));
  });

/** A node's log lines, shown and live: counts, times, and the last line's text. */
export const readLogs = (page: Page, nodeId: string) =>
  page.evaluate((id) => {
    const { shown, store } = (window as unknown as ProbeWindow).__meshwatch;
    const summary = (lines: Array<{ ts: number; text: string }> | undefined) => ({
      count: lines?.length ?? 0,
      times: (lines ?? []).map((line) => line.ts),
      last: lines?.at(-1) ? { ts: lines.at(-1)!.ts, text: lines.at(-1)!.text } : null,
    });
    return { shown: summary(shown.getState().logs[id]), live: summary(store.getState().logs[id]) };
  }, nodeId);

/** Every mesh card drawn in the graph: node id → status, from its `title` ("label (kind) · status"). */
export const drawnStatuses = (page: Page): Promise<Record<string, string>> =>
  page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll<HTMLElement>('.react-flow__node-mesh .mesh-node')].map((card) => [
        card.closest<HTMLElement>('.react-flow__node')?.dataset.id ?? '',
        /· (\S+)$/.exec(card.title)?.[1] ?? `unreadable title ${card.title}`,
      ]),
    ),
  );

/** The feed's first row: its message and its time (from `<time dateTime>`, in ms), or null when empty. */
export const feedFirstRow = (page: Page): Promise<{ message: string; ts: number } | null> =>
  page.evaluate(() => {
    const row = document.querySelector('[role="list"][aria-label="Event feed"] [role="listitem"][aria-posinset="1"] .event-row');
    if (!row) return null;
    return {
      message: row.querySelector('.event-row__message')?.textContent ?? '',
      ts: Date.parse(row.querySelector('time')?.getAttribute('dateTime') ?? ''),
    };
  });

/** What the progress bars say: label, value and spoken value. */
export const progressBars = (page: Page): Promise<Array<{ label: string; now: number; text: string }>> =>
  page.evaluate(() =>
    [...document.querySelectorAll('.progress [role="progressbar"]')].map((bar) => ({
      label: bar.getAttribute('aria-label') ?? '',
      now: Number(bar.getAttribute('aria-valuenow')),
      text: bar.getAttribute('aria-valuetext') ?? '',
    })),
  );

/** The Metrics strip's caption for one series ("pages 41/s"). */
export const chartCaption = (page: Page, series: string): Promise<string | null> =>
  page.evaluate((name) => document.querySelector(`.chart .chart__latest[title="${name}"]`)?.textContent ?? null, series);

/**
 * For every chart in view matching `figures`, how far right its lines reach
 * and where its plot ends (the right edge of its clip rectangle), in the
 * chart's own coordinates: a line past the edge draws points after the
 * x axis' end, which is the moment while paused.
 */
export const lineReach = (page: Page, figures: string): Promise<Array<{ chart: string; lines: number; reach: number; edge: number }>> =>
  page.evaluate((selector) => {
    const inView = (element: Element) => {
      const box = element.getBoundingClientRect();
      return box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth && box.height > 0;
    };
    return [...document.querySelectorAll(selector)].filter(inView).flatMap((figure) => {
      const curves = [...figure.querySelectorAll<SVGGraphicsElement>('path.recharts-line-curve')];
      const clip = figure.querySelector('clipPath rect');
      if (curves.length === 0 || !clip) return [];
      const reach = Math.max(...curves.map((curve) => curve.getBBox().x + curve.getBBox().width));
      const edge = Number(clip.getAttribute('x')) + Number(clip.getAttribute('width'));
      return [{ chart: figure.getAttribute('aria-label') ?? '', lines: curves.length, reach, edge }];
    });
  }, figures);

/** The series named in the legends of the dashboard panels in view. */
export const visiblePanelSeries = (page: Page): Promise<Array<{ panel: string; series: string[] }>> =>
  page.evaluate(() =>
    [...document.querySelectorAll('.dash-panel')]
      .filter((panel) => {
        const box = panel.getBoundingClientRect();
        return box.bottom > 0 && box.top < innerHeight && box.height > 0;
      })
      .map((panel) => ({
        panel: panel.getAttribute('aria-label') ?? '',
        series: [...panel.querySelectorAll('.dash-panel__latest')].map((line) => line.getAttribute('title') ?? ''),
      })),
  );

/**
 * The log lines drawn for `nodeId`: their text, and their time as a moment
 * (`.log-line__time` is local `hh:mm:ss.mmm`; read as the nearest such time to `near`).
 */
export const drawnLogLines = (page: Page, nodeId: string, near: number): Promise<Array<{ ts: number; text: string }>> =>
  page.evaluate(
    ([id, reference]) => {
      const list = document.querySelector(`[role="list"][aria-label="Log lines of ${id}"]`);
      if (!list) return [];
      const rows = [...list.querySelectorAll<HTMLElement>('[role="listitem"]')].sort(
        (a, b) => Number(a.getAttribute('aria-posinset')) - Number(b.getAttribute('aria-posinset')),
      );
      return rows.map((row) => {
        const [h, m, s, ms] = (row.querySelector('.log-line__time')?.textContent ?? '').split(/[:.]/).map(Number);
        const day = new Date(reference);
        day.setHours(h!, m!, s!, ms!);
        let ts = day.getTime();
        // Across midnight, the nearest such time is on the neighbouring day.
        if (ts - reference > 12 * 3_600_000) ts -= 24 * 3_600_000;
        if (reference - ts > 12 * 3_600_000) ts += 24 * 3_600_000;
        return { ts, text: row.querySelector('.log-line__text')?.textContent ?? '' };
      });
    },
    [nodeId, near] as const,
  );

/** `formatRate` of the app itself (Vite serves its modules), for comparing a caption with a value. */
export const formatRateInPage = (page: Page, value: number): Promise<string> =>
  // A string, not a function: the test runner would rewrite a dynamic import inside a function.
  page.evaluate(`import('/src/lib/format.ts').then((format) => format.formatRate(${JSON.stringify(value)}))`) as Promise<string>;

/** The `at=` moment of a URL as the app writes it: whole seconds, ISO, UTC. */
export const momentParamFor = (moment: number): string => new Date(Math.floor(moment / 1000) * 1000).toISOString().replace('.000Z', 'Z');
