/**
 * The one clock in headless Chromium (issue 5): pause, scrub back, resume,
 * and each panel (graph, feed, charts, progress, dashboard panels, a node's
 * log) shows the same moment; a link with `?at=` older than the recording
 * opens live (not paused on the empty page the recording starts with), says
 * so, and drops the moment from the address bar.
 *
 * What a scrubbed view must show is known exactly: a probe in the page
 * records the live store at every moment the app records (see
 * timeline-probe.ts), so the test compares with the live state of that
 * moment rather than with a guess from the wall clock. Each test opens its
 * own project, so its simulator starts with the page.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ViteDevServer } from 'vite';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from './chromium.ts';
import { freePort, startDevServer } from './dev-server.ts';
import {
  chartCaption,
  clockOf,
  drawnLogLines,
  drawnStatuses,
  feedFirstRow,
  formatRateInPage,
  installProbe,
  lineReach,
  momentParamFor,
  probeSnapshots,
  probeSpan,
  progressBars,
  readLogs,
  readSeries,
  shownAndLive,
  shownSeriesEnds,
  showsLiveStore,
  snapshotAt,
  visiblePanelSeries,
  type LiveSnapshot,
  type StateSummary,
} from './timeline-probe.ts';

const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));
const MESH_SIZE = 30;
/** A core series, one point a second (src/server/simulator/core-series.ts). */
const CRAWL_SERIES = 'crawl.pages_per_sec';
const LOG_NODE = 'postgres';
/** A drawn line may end half a pixel past its plot's edge (stroke and rounding), never a second's worth. */
const EDGE_SLACK_PX = 1;

describe.skipIf(!hasChromium)('the timeline in Chromium', () => {
  let server: ViteDevServer | null = null;
  let origin = '';
  let browser: Awaited<ReturnType<typeof launchChromium>> | null = null;
  let context: BrowserContext;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    const previous = process.env.MESHWATCH_SIM_SIZE;
    process.env.MESHWATCH_SIM_SIZE = String(MESH_SIZE);
    try {
      const port = await freePort();
      // The gateway plugin reads the environment while the server is created.
      server = await startDevServer(port);
      // Test what was there at start: an edit saved elsewhere mid-run must not reload the page under test.
      await server.watcher.close();
      origin = `http://127.0.0.1:${port}`;
    } finally {
      if (previous === undefined) delete process.env.MESHWATCH_SIM_SIZE;
      else process.env.MESHWATCH_SIM_SIZE = previous;
    }
    browser = await launchChromium();
    context = browser.context;
    // tsx wraps functions passed to the page in `__name(...)`, which the page does not define.
    await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A fresh page with its uncaught errors and console errors collected, and its full loads counted. */
  async function openPage(path: string): Promise<{ page: Page; errors: string[]; loads: () => number }> {
    const page = await context.newPage();
    const errors: string[] = [];
    let loads = 0;
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.stack ?? String(error)}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console.error: ${message.text()} (${message.location().url}:${message.location().lineNumber})`);
    });
    page.on('load', () => loads++);
    await page.goto(`${origin}${path}`);
    return { page, errors, loads: () => loads };
  }

  async function waitFor(page: Page, errors: string[], selector: string, count: number, name: string): Promise<void> {
    try {
      await page.locator(selector).nth(count - 1).waitFor({ timeout: 30_000 });
    } catch (error) {
      await page.screenshot({ path: `${artifacts}${name}.png` }).catch(() => {});
      throw new Error(`fewer than ${count} of ${selector} after 30 s (screenshot ${name}.png); page errors: ${JSON.stringify(errors)}`, { cause: error });
    }
  }

  const timeline = (page: Page) => page.getByRole('group', { name: 'Timeline' });
  const liveButton = (page: Page) => timeline(page).getByRole('button', { name: 'Live' });
  const pauseButton = (page: Page) => timeline(page).getByRole('button', { name: 'Pause' });
  const atParam = (page: Page) => new URL(page.url()).searchParams.get('at');
  /** Pause is the toggle (pressed while paused); Live is a plain button, never pressed. */
  const pressed = async (page: Page) => ({
    live: await liveButton(page).getAttribute('aria-pressed'),
    pause: await pauseButton(page).getAttribute('aria-pressed'),
  });

  /** The probe's snapshot a view at `moment` must show; fails when the probe saw nothing that old. */
  async function expectedAt(page: Page, moment: number): Promise<LiveSnapshot> {
    const snapshots = await probeSnapshots(page);
    const snapshot = snapshotAt(snapshots, moment);
    if (!snapshot) throw new Error(`no snapshot at or before ${moment}: the probe holds ${snapshots[0]?.at ?? 'none'} … ${snapshots.at(-1)?.at ?? 'none'}`);
    return snapshot;
  }

  /** The first event of `state` a feed at `moment` lists (events newer than the moment are not listed). */
  const firstEventUpTo = (state: StateSummary, moment: number) => state.events.find((event) => event.ts <= moment) ?? null;

  /**
   * Everything drawn on the overview says `expected`, the live state at the
   * recorded moment at or before `moment`: the graph's statuses, the feed's
   * first row, the crawl chart's newest point and caption, the progress bars.
   */
  async function expectOverviewAt(page: Page, moment: number, expected: LiveSnapshot): Promise<void> {
    const { shown } = await shownAndLive(page);
    expect(shown, `the shown state at ${moment} is the live state recorded at ${expected.at}`).toEqual(expected.state);

    await expect.poll(() => drawnStatuses(page), { timeout: 10_000 }).toEqual(expected.state.statuses);

    const first = firstEventUpTo(expected.state, moment);
    expect(first, 'the moment has events').not.toBeNull();
    await expect.poll(() => feedFirstRow(page), { timeout: 10_000 }).toEqual({ message: first!.message, ts: first!.ts });

    const series = await readSeries(page, CRAWL_SERIES, moment);
    expect(series.shown).not.toBeNull();
    expect(series.shown!.t).toBeLessThanOrEqual(moment);
    // Clipped at the moment: the shown series ends with the live series' last point up to it, and the live one has moved on.
    expect(series.shown).toEqual(series.liveUpTo);
    const caption = `pages ${await formatRateInPage(page, series.shown!.y)}`;
    await expect.poll(() => chartCaption(page, CRAWL_SERIES), { timeout: 10_000 }).toBe(caption);
    await expect
      .poll(async () => (await lineReach(page, '.chart')).filter((chart) => chart.reach > chart.edge + EDGE_SLACK_PX), { timeout: 10_000 })
      .toEqual([]);
    expect((await lineReach(page, '.chart')).length, 'charts drawn').toBeGreaterThan(0);

    const bars = Object.values(expected.state.progress).map((run) => ({ label: run.label, now: Math.round(run.percent) }));
    expect(bars.length, 'the moment has a progress run').toBeGreaterThan(0);
    await expect.poll(async () => (await progressBars(page)).map(({ label, now }) => ({ label, now })), { timeout: 10_000 }).toEqual(bars);
  }

  it('pauses, scrubs back and resumes the overview: graph, feed, charts and progress show one moment', { timeout: 75_000 }, async () => {
    const { page, errors, loads } = await openPage('/?project=timeline-overview');
    await waitFor(page, errors, '.react-flow__node-mesh', MESH_SIZE - 5, 'timeline-overview-no-graph');
    await installProbe(page);
    expect(await pressed(page)).toEqual({ live: null, pause: 'false' });
    expect(atParam(page)).toBeNull();

    // 1. Live data for a while: about ten recorded moments, seen by the probe.
    await expect.poll(() => probeSpan(page), { timeout: 40_000, interval: 500 }).toBeGreaterThanOrEqual(9_000);
    await page.locator('[role="list"][aria-label="Event feed"] [role="listitem"]').first().waitFor({ timeout: 10_000 });
    await page.locator('.chart[aria-label="Crawl rate"] path.recharts-line-curve').first().waitFor({ timeout: 10_000 });
    await page.locator('.progress [role="progressbar"]').first().waitFor({ timeout: 10_000 });

    // 2. Pause: the moment stands still while data keeps arriving.
    await pauseButton(page).click();
    await expect.poll(() => pressed(page)).toEqual({ live: null, pause: 'true' });
    const paused = (await clockOf(page)).moment;
    if (paused === null) throw new Error('paused, the clock shows no moment');
    await expect.poll(() => atParam(page), { timeout: 5_000 }).toBe(momentParamFor(paused));
    await expect.poll(() => timeline(page).locator('output time').getAttribute('dateTime')).toBe(new Date(paused).toISOString());
    const atPause = await expectedAt(page, paused);
    const stillAt = async () => ({
      statuses: await drawnStatuses(page),
      feed: await feedFirstRow(page),
      chartEnd: (await readSeries(page, CRAWL_SERIES, paused)).shown,
      caption: await chartCaption(page, CRAWL_SERIES),
      progress: await progressBars(page),
      shown: (await shownAndLive(page)).shown,
    });
    // What is drawn settles on the moment paused at (a deferred chart may still be drawing the last live frame).
    await expectOverviewAt(page, paused, atPause);
    const pausedView = await stillAt();
    const before = await shownAndLive(page);
    const liveCrawlBefore = (await readSeries(page, CRAWL_SERIES, null)).live!;
    for (let i = 0; i < 6; i++) {
      await page.waitForTimeout(500);
      expect(await stillAt(), `the paused view, ${(i + 1) * 0.5} s after pausing`).toEqual(pausedView);
    }
    const after = await shownAndLive(page);
    expect(after.received, 'messages kept arriving while paused').toBeGreaterThan(before.received);
    expect(after.same).toBe(false);
    expect((await readSeries(page, CRAWL_SERIES, null)).live!.t, 'the live store kept its charts moving').toBeGreaterThan(liveCrawlBefore.t);
    expect((await clockOf(page)).held!.to, 'recording went on while paused').toBeGreaterThan(paused);

    // 3. Scrub back about five seconds with the slider's keyboard.
    const slider = timeline(page).getByRole('slider', { name: 'Moment shown' });
    await slider.focus();
    for (let i = 0; i < 5; i++) await slider.press('ArrowLeft');
    await expect.poll(async () => paused - (await clockOf(page)).moment!, { timeout: 5_000 }).toBeGreaterThanOrEqual(4_000);
    const scrubbed = (await clockOf(page)).moment!;
    expect(paused - scrubbed).toBeLessThanOrEqual(6_000);
    expect(await slider.getAttribute('aria-valuetext')).toMatch(/ · \d+ s ago$/);
    await expect.poll(() => atParam(page), { timeout: 5_000 }).toBe(momentParamFor(scrubbed));
    const atScrub = await expectedAt(page, scrubbed);
    expect(atScrub.at).toBeLessThan(atPause.at);
    expect((await readSeries(page, CRAWL_SERIES, null)).live!.t, 'the live store has points after the moment').toBeGreaterThan(scrubbed);
    await expectOverviewAt(page, scrubbed, atScrub);
    // The panels say which moment they show.
    for (const panel of ['.events', '.progress']) {
      expect(await page.locator(`${panel} .panel-note[data-note="moment"] time`).getAttribute('dateTime'), panel).toBe(new Date(scrubbed).toISOString());
    }
    await page.screenshot({ path: `${artifacts}timeline-overview-scrubbed.png` });
    const scrubbedFeed = await feedFirstRow(page);
    const liveStatuses = (await shownAndLive(page)).live.statuses;
    const changedNodes = Object.keys(liveStatuses).filter((id) => liveStatuses[id] !== atScrub.state.statuses[id]);

    // 4. Live again: the URL loses the moment, and graph, feed and charts follow the live store.
    await liveButton(page).click();
    await expect.poll(() => pressed(page)).toEqual({ live: null, pause: 'false' });
    expect((await clockOf(page)).moment).toBeNull();
    await expect.poll(() => atParam(page), { timeout: 5_000 }).toBeNull();
    expect((await shownAndLive(page)).same, 'live, the views draw the live store itself').toBe(true);
    await expect.poll(() => feedFirstRow(page).then((row) => row?.ts !== scrubbedFeed?.ts || row?.message !== scrubbedFeed?.message), { timeout: 15_000 }).toBe(true);
    await expect
      .poll(async () => {
        const [drawn, { live }] = await Promise.all([drawnStatuses(page), shownAndLive(page)]);
        return Object.keys(live.statuses).filter((id) => drawn[id] !== live.statuses[id]);
      }, { timeout: 10_000 })
      .toEqual([]);
    await expect.poll(async () => (await readSeries(page, CRAWL_SERIES, null)).shown!.t, { timeout: 10_000 }).toBeGreaterThan(paused);
    expect(await page.locator('.panel-note[data-note="moment"]').count()).toBe(0);

    console.info(
      `[e2e] timeline overview: paused at ${new Date(paused).toISOString()}, scrubbed ${paused - scrubbed} ms back ` +
        `(recorded moment ${scrubbed - atScrub.at} ms before it); ${changedNodes.length} node(s) differed from live then: ${changedNodes.join(', ') || 'none'}`,
    );
    expect(loads()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('pauses and scrubs the dashboard page: panels and the selected node’s log stop at the moment', { timeout: 60_000 }, async () => {
    const { page, errors, loads } = await openPage(`/?project=timeline-dashboard&page=dashboard&node=${LOG_NODE}`);
    await waitFor(page, errors, '.dash-panel', 3, 'timeline-dashboard-no-panels');
    const logList = page.getByRole('list', { name: `Log lines of ${LOG_NODE}` });
    await logList.getByRole('listitem').first().waitFor({ timeout: 30_000 });
    await installProbe(page);
    // Enough seen by the probe to go ten seconds back from now.
    await expect.poll(() => probeSpan(page), { timeout: 40_000, interval: 500 }).toBeGreaterThanOrEqual(11_000);

    await pauseButton(page).click();
    await expect.poll(() => pressed(page)).toEqual({ live: null, pause: 'true' });
    const paused = (await clockOf(page)).moment!;
    await timeline(page).getByRole('button', { name: 'Back 10 seconds' }).click();
    await expect.poll(async () => (await clockOf(page)).moment).toBe(paused - 10_000);
    const moment = paused - 10_000;
    await expect.poll(() => atParam(page), { timeout: 5_000 }).toBe(momentParamFor(moment));

    // The log: the shown lines are the live lines up to the moment, and so are the lines drawn.
    const logs = await readLogs(page, LOG_NODE);
    expect(logs.shown.count).toBeGreaterThan(0);
    expect(logs.shown.times.filter((ts) => ts > moment)).toEqual([]);
    expect(logs.shown.count).toBe(logs.live.times.filter((ts) => ts <= moment).length);
    expect(logs.live.times.filter((ts) => ts > moment).length, 'lines arrived after the moment').toBeGreaterThan(0);
    await expect
      .poll(async () => {
        const lines = await drawnLogLines(page, LOG_NODE, moment);
        return { after: lines.filter((line) => line.ts > moment), last: lines.at(-1)?.text ?? null };
      }, { timeout: 10_000 })
      .toEqual({ after: [], last: logs.shown.last!.text });
    expect(await page.locator('.logs .panel-note[data-note="moment"] time').getAttribute('dateTime')).toBe(new Date(moment).toISOString());
    expect(await page.locator('.logs').getByRole('button', { name: 'Follow' }).isDisabled()).toBe(true);

    // The dashboard's panels: every series they draw ends at or before the moment, and no line is drawn past it.
    const ends = await shownSeriesEnds(page);
    expect(Object.entries(ends).filter(([, t]) => t > moment)).toEqual([]);
    const panels = await visiblePanelSeries(page);
    expect(panels.length).toBeGreaterThanOrEqual(3);
    const drawnSeries = panels.flatMap((panel) => panel.series);
    expect(drawnSeries.length).toBeGreaterThan(0);
    expect(drawnSeries.filter((series) => ends[series] === undefined)).toEqual([]);
    const core = await readSeries(page, CRAWL_SERIES, moment);
    expect(core.shown).toEqual(core.liveUpTo);
    expect(core.live!.t, 'the live store has points after the moment').toBeGreaterThan(moment);
    await expect
      .poll(async () => (await lineReach(page, '.dash-panel')).filter((panel) => panel.reach > panel.edge + EDGE_SLACK_PX), { timeout: 10_000 })
      .toEqual([]);
    expect((await lineReach(page, '.dash-panel')).length, 'panels drawn').toBeGreaterThan(0);
    // The graph is not on this page, but the feed, progress and node panel draw the recorded state.
    expect((await shownAndLive(page)).shown).toEqual((await expectedAt(page, moment)).state);
    await page.screenshot({ path: `${artifacts}timeline-dashboard-paused.png` });

    // Forward ten seconds: back at the moment paused at, and the log with it.
    await timeline(page).getByRole('button', { name: 'Forward 10 seconds' }).click();
    await expect.poll(async () => (await clockOf(page)).moment).toBe(paused);
    const forward = await readLogs(page, LOG_NODE);
    expect(forward.shown.count).toBe(forward.live.times.filter((ts) => ts <= paused).length);
    expect(forward.shown.count).toBeGreaterThan(logs.shown.count);
    await expect
      .poll(async () => {
        const lines = await drawnLogLines(page, LOG_NODE, paused);
        return { after: lines.filter((line) => line.ts > paused), last: lines.at(-1)?.text ?? null };
      }, { timeout: 10_000 })
      .toEqual({ after: [], last: forward.shown.last!.text });

    // Live again, by pressing Pause a second time: the log grows past the moment paused at, and draws it.
    await pauseButton(page).click();
    await expect.poll(() => pressed(page)).toEqual({ live: null, pause: 'false' });
    await expect.poll(() => atParam(page), { timeout: 5_000 }).toBeNull();
    await expect.poll(async () => (await readLogs(page, LOG_NODE)).shown.last!.ts, { timeout: 15_000 }).toBeGreaterThan(paused);
    await expect
      .poll(async () => {
        const [lines, now] = await Promise.all([drawnLogLines(page, LOG_NODE, Date.now()), readLogs(page, LOG_NODE)]);
        return lines.at(-1)?.text === now.shown.last!.text && lines.at(-1)!.ts > paused;
      }, { timeout: 10_000 })
      .toBe(true);
    expect(await page.locator('.logs').getByRole('button', { name: 'Follow' }).isDisabled()).toBe(false);
    console.info(`[e2e] timeline dashboard: ${panels.length} panels in view, ${logs.shown.count} of ${logs.live.count} ${LOG_NODE} log lines at the moment`);
    expect(loads()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens a link to a moment older than the recording live, says so, and drops the moment from the address bar', { timeout: 40_000 }, async () => {
    const linked = Date.now() - 3_600_000;
    const { page, errors, loads } = await openPage(`/?project=timeline-link&at=${momentParamFor(linked)}`);
    // The moment's output is a status too; the note is the one that explains.
    const note = timeline(page).getByRole('status').filter({ hasText: 'older than' });
    await note.waitFor({ timeout: 30_000 });
    expect(await note.textContent()).toMatch(/^the link's moment \d\d:\d\d:\d\d is older than this page's recording$/);
    // Not paused on the page's first recorded moment (the empty page while connecting): live.
    expect(await pressed(page)).toEqual({ live: null, pause: 'false' });
    const { moment, held } = await clockOf(page);
    expect(moment).toBeNull();
    expect(held).not.toBeNull();
    await expect.poll(() => atParam(page), { timeout: 5_000 }).toBeNull();
    expect(new URL(page.url()).searchParams.get('project')).toBe('timeline-link');
    await waitFor(page, errors, '.react-flow__node-mesh', MESH_SIZE - 5, 'timeline-link-no-graph');
    expect(await showsLiveStore(page), 'live, the views draw the live store itself').toBe(true);
    expect(await page.locator('.panel-note[data-note="moment"]').count()).toBe(0);
    // It stays live as recording goes on: the link's moment is not placed later.
    await expect.poll(async () => (await clockOf(page)).held!.to, { timeout: 10_000 }).toBeGreaterThan(held!.to);
    expect((await clockOf(page)).moment).toBeNull();
    expect(atParam(page)).toBeNull();

    // The note stays until the clock moves: Pause clears it, and pressing Pause again goes live.
    await pauseButton(page).click();
    await expect.poll(() => note.count()).toBe(0);
    await expect.poll(() => pressed(page)).toEqual({ live: null, pause: 'true' });
    const paused = (await clockOf(page)).moment!;
    await expect.poll(() => atParam(page), { timeout: 5_000 }).toBe(momentParamFor(paused));
    await pauseButton(page).click();
    await expect.poll(() => pressed(page)).toEqual({ live: null, pause: 'false' });
    await expect.poll(() => atParam(page), { timeout: 5_000 }).toBeNull();
    expect(loads()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
