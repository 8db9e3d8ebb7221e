/**
 * The topology view in headless Chromium (issue 4): find and its modes, a
 * focused node's panel with its live log, keyboard navigation, folded groups
 * on a large mesh, the view kept in the URL, and the JSON export.
 *
 * One dev server with the default mesh (30 nodes) for most tests, and a
 * second one with a 600-node mesh for the groups: the simulator's size is
 * read from MESHWATCH_SIM_SIZE when a server starts.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ViteDevServer } from 'vite';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from './chromium.ts';
import { freePort, startDevServer } from './dev-server.ts';

const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));
const FIND = 'kind=fetcher and status=healthy';
const LARGE_MESH = 600;
/** Past BULK_NODES_ABOVE (1,000) unfolded nodes, zoomed out, nodes are drawn in bulk. */
const HUGE_MESH = 1_300;

/** A card's `title` is `label (kind) · status`. */
interface Card {
  id: string;
  label: string;
  kind: string;
  status: string;
  find: string | null;
}

/** Starts a dev server whose simulated meshes have about `size` nodes. */
async function startServerWithMesh(size: number): Promise<{ server: ViteDevServer; origin: string }> {
  const previous = process.env.MESHWATCH_SIM_SIZE;
  process.env.MESHWATCH_SIM_SIZE = String(size);
  try {
    const port = await freePort();
    // The gateway plugin reads the environment while the server is created.
    const server = await startDevServer(port);
    // Test what was there at start: an edit saved elsewhere mid-run must not reload the page under test.
    await server.watcher.close();
    return { server, origin: `http://127.0.0.1:${port}` };
  } finally {
    if (previous === undefined) delete process.env.MESHWATCH_SIM_SIZE;
    else process.env.MESHWATCH_SIM_SIZE = previous;
  }
}

describe.skipIf(!hasChromium)('the topology view in Chromium', () => {
  let small: { server: ViteDevServer; origin: string } | null = null;
  let large: { server: ViteDevServer; origin: string } | null = null;
  let huge: { server: ViteDevServer; origin: string } | null = null;
  let browser: Awaited<ReturnType<typeof launchChromium>> | null = null;
  let context: BrowserContext;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    small = await startServerWithMesh(30);
    browser = await launchChromium();
    context = browser.context;
    // tsx wraps functions passed to the page in `__name(...)`, which the page does not define.
    await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await large?.server.close();
    await huge?.server.close();
    await small?.server.close();
  });

  /**
   * A fresh page with its uncaught errors and console errors collected, and
   * its full loads counted (a reload nobody asked for loses the view under test).
   */
  async function openPage(url: string): Promise<{ page: Page; errors: string[]; loads: () => number }> {
    const page = await context.newPage();
    const errors: string[] = [];
    let loads = 0;
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.stack ?? String(error)}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console.error: ${message.text()} (${message.location().url}:${message.location().lineNumber})`);
    });
    page.on('load', () => loads++);
    await page.goto(url);
    return { page, errors, loads: () => loads };
  }

  /**
   * Waits until at least `count` graph nodes are drawn; on a timeout, says
   * what the page showed and logged, with a screenshot, rather than only "timed out".
   */
  async function waitForGraph(page: Page, errors: string[], count: number, name: string): Promise<void> {
    try {
      await page.locator('.react-flow__node').nth(count - 1).waitFor({ timeout: 30_000 });
    } catch (error) {
      await page.screenshot({ path: `${artifacts}${name}-no-graph.png` }).catch(() => {});
      const shown = await page.locator('.topology').textContent().catch(() => null);
      throw new Error(`fewer than ${count} graph nodes after 30 s (screenshot ${name}-no-graph.png); the graph said ${JSON.stringify(shown?.slice(0, 200))}; page errors: ${JSON.stringify(errors)}`, { cause: error });
    }
  }

  /** Every mesh card drawn (not ghosts, not folded groups), as its title and find mark say. */
  function cardsOf(page: Page): Promise<Card[]> {
    return page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.react-flow__node-mesh .mesh-node')].map((card) => {
        const [, label = '', kind = '', status = ''] = /^(.*) \(([^()]*)\) · (\S+)$/.exec(card.title) ?? [];
        return {
          id: card.closest<HTMLElement>('.react-flow__node')?.dataset.id ?? '',
          label,
          kind,
          status,
          find: card.getAttribute('data-find'),
        };
      }),
    );
  }

  const storeNodeCount = (page: Page) =>
    page.evaluate(() => Object.keys((window as unknown as { __meshwatch: { store: { getState(): { nodes: object } } } }).__meshwatch.store.getState().nodes).length);

  /** The panel of the selected node and the name in its heading. */
  const selectedPanel = (page: Page) => page.getByRole('region', { name: 'Selected node' });
  const selectedName = (page: Page) => selectedPanel(page).locator('.node-details__name');

  /** The focused element, if it is a card: its node id and spoken label. */
  const focusedCard = (page: Page) =>
    page.evaluate(() => {
      const active = document.activeElement as HTMLElement | null;
      if (!active?.classList.contains('mesh-node')) return null;
      return { id: active.closest<HTMLElement>('.react-flow__node')?.dataset.id ?? '', label: active.getAttribute('aria-label') ?? '' };
    });

  it('finds nodes by expression, hides the rest, and keeps the find in a shareable URL', { timeout: 60_000 }, async () => {
    const { page, errors, loads } = await openPage(`${small!.origin}/?project=demo`);
    await waitForGraph(page, errors, 20, 'topology-find');
    const allDrawn = await page.locator('.react-flow__node').count();

    const findBox = page.getByRole('searchbox', { name: 'Find nodes by expression' });
    await findBox.fill(FIND);
    const status = page.locator('.find-box__status');
    await expect.poll(() => status.textContent(), { timeout: 5_000 }).toMatch(/^\d+ of \d+ match$/);
    const [, matched, total] = /^(\d+) of (\d+) match$/.exec((await status.textContent()) ?? '')!.map(Number);
    expect(total).toBe(30);
    expect(total).toBe(await storeNodeCount(page));
    expect(matched).toBeGreaterThanOrEqual(1);
    expect(matched).toBeLessThan(total!);

    // Every card is marked as the expression says of its kind and status (polled: statuses change live).
    await expect
      .poll(async () => {
        const cards = await cardsOf(page);
        const wrong = cards.filter((c) => c.find !== (c.kind === 'fetcher' && c.status === 'healthy' ? 'match' : 'miss'));
        return { cards: cards.length, wrong: wrong.map((c) => `${c.id}: ${c.kind}/${c.status} marked ${c.find}`) };
      }, { timeout: 5_000 })
      .toEqual({ cards: total, wrong: [] });
    expect(await page.locator('.mesh-node[data-find="miss"]').count()).toBeGreaterThan(0);

    await page.getByRole('radio', { name: 'hide' }).check();
    await expect
      .poll(async () => {
        const cards = await cardsOf(page);
        return {
          fewer: (await page.locator('.react-flow__node').count()) < allDrawn,
          allMatch: cards.length > 0 && cards.every((c) => c.find === 'match' && c.kind === 'fetcher' && c.status === 'healthy'),
        };
      }, { timeout: 5_000 })
      .toEqual({ fewer: true, allMatch: true });
    const shown = await page.locator('.react-flow__node').count();

    await expect.poll(() => new URL(page.url()).searchParams.get('find')).toBe(FIND);
    expect(page.url()).toContain('find=');
    expect(new URL(page.url()).searchParams.get('mode')).toBe('hide');
    expect(new URL(page.url()).searchParams.get('project')).toBe('demo');

    // The URL is the shared view: a reload (or someone opening the link) shows the same.
    await page.reload();
    await waitForGraph(page, errors, 1, 'topology-find-reload');
    await expect.poll(() => findBox.inputValue()).toBe(FIND);
    expect(await page.getByRole('radio', { name: 'hide' }).isChecked()).toBe(true);
    await expect.poll(() => status.textContent(), { timeout: 5_000 }).toMatch(/^\d+ of 30 match$/);
    await expect
      .poll(async () => {
        const cards = await cardsOf(page);
        return cards.length > 0 && cards.length < allDrawn && cards.every((c) => c.find === 'match');
      }, { timeout: 5_000 })
      .toBe(true);
    console.info(`[e2e] find "${FIND}": ${matched} of ${total} match; hide mode draws ${shown} of ${allDrawn} nodes`);
    await page.screenshot({ path: `${artifacts}topology-find-hide.png` });
    expect(loads()).toBe(2); // the first load, and the reload asked for above
    expect(errors).toEqual([]);
    await page.close();
  });

  it('focuses a double-clicked node and opens its panel, whose log streams', { timeout: 60_000 }, async () => {
    // Start from a shared find, then clear it from the box.
    const { page, errors, loads } = await openPage(`${small!.origin}/?project=demo&find=kind%3Dfetcher&mode=hide`);
    const findBox = page.getByRole('searchbox', { name: 'Find nodes by expression' });
    await waitForGraph(page, errors, 1, 'topology-panel');
    await expect.poll(() => findBox.inputValue()).toBe('kind=fetcher');
    await findBox.press('Escape');
    await expect.poll(() => findBox.inputValue()).toBe('');
    await expect.poll(() => new URL(page.url()).searchParams.has('find')).toBe(false);
    await expect.poll(() => page.locator('.react-flow__node-mesh').count(), { timeout: 5_000 }).toBe(30);
    expect(await page.locator('.mesh-node[data-find]').count()).toBe(0);

    const fetcher = page.locator('.react-flow__node-mesh[data-id^="fetcher-"]').nth(1);
    const id = (await fetcher.getAttribute('data-id'))!;
    const title = (await fetcher.locator('.mesh-node').getAttribute('title'))!;
    const label = title.slice(0, title.indexOf(' ('));
    expect(label).toMatch(/^Fetcher \d+$/);
    await fetcher.dblclick();

    await expect.poll(() => selectedName(page).textContent(), { timeout: 10_000 }).toBe(label);
    await expect.poll(() => new URL(page.url()).searchParams.get('node')).toBe(id);
    await expect.poll(() => fetcher.locator('.mesh-node').getAttribute('aria-pressed')).toBe('true');

    // Both sections are there and, scrolled to within the details (height is scarce), seen: nothing covers them.
    const panel = selectedPanel(page);
    for (const name of [/^Status history/, /^Recent events/]) {
      const heading = panel.getByRole('heading', { name });
      await expect.poll(() => heading.count()).toBe(1);
      await heading.scrollIntoViewIfNeeded();
      const seen = await heading.evaluate((element) => {
        const box = element.getBoundingClientRect();
        const hit = document.elementFromPoint(box.left + Math.min(20, box.width / 2), box.top + box.height / 2);
        return hit !== null && element.contains(hit);
      });
      expect(seen, `the ${String(name)} heading is on screen`).toBe(true);
    }

    // The log: at least one line soon, then more lines as they stream.
    const lines = panel.getByRole('list', { name: `Log lines of ${id}` }).getByRole('listitem');
    const lineCount = async () => ((await lines.count()) === 0 ? 0 : Number(await lines.first().getAttribute('aria-setsize')));
    await expect.poll(lineCount, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect(await lines.first().locator('.log-line').count()).toBe(1);
    const before = await lineCount();
    const lastBefore = await lines.last().textContent();
    await page.waitForTimeout(3_000);
    const after = await lineCount();
    const lastAfter = await lines.last().textContent();
    console.info(`[e2e] log of ${id}: ${before} lines, ${after} three seconds later`);
    expect(after > before || lastAfter !== lastBefore).toBe(true);

    await page.screenshot({ path: `${artifacts}topology-node-panel.png` });
    expect(loads()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('moves between nodes with the keyboard and opens one with Enter', { timeout: 60_000 }, async () => {
    const { page, errors, loads } = await openPage(`${small!.origin}/?project=demo`);
    await waitForGraph(page, errors, 20, 'topology-keyboard');
    expect(await selectedPanel(page).count()).toBe(0);

    await page.locator('.topology__canvas').focus();
    await expect.poll(() => focusedCard(page), { timeout: 5_000 }).not.toBeNull();
    const first = (await focusedCard(page))!;
    // Roving tabindex: the focused card is the graph's one tab stop.
    expect(await page.locator('.react-flow__node .mesh-node[tabindex="0"]').count()).toBe(1);

    await page.keyboard.press('Enter');
    const firstName = first.label.split(', ')[0]!;
    await expect.poll(() => selectedName(page).textContent(), { timeout: 5_000 }).toBe(firstName);
    await expect.poll(() => new URL(page.url()).searchParams.get('node')).toBe(first.id);

    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await focusedCard(page))?.id, { timeout: 5_000 }).not.toBe(first.id);
    const second = (await focusedCard(page))!;
    expect(second.id).not.toBe('');
    const secondName = second.label.split(', ')[0]!;
    expect(secondName).not.toBe(firstName);
    expect(await page.locator('.react-flow__node .mesh-node[tabindex="0"]').count()).toBe(1);
    expect(await page.locator(`.react-flow__node[data-id="${second.id}"] .mesh-node`).getAttribute('tabindex')).toBe('0');

    await page.keyboard.press('Enter');
    await expect.poll(() => selectedName(page).textContent(), { timeout: 5_000 }).toBe(secondName);
    await expect.poll(() => new URL(page.url()).searchParams.get('node')).toBe(second.id);
    console.info(`[e2e] keyboard: ${first.id} → ArrowRight → ${second.id}`);
    expect(loads()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('folds a large mesh into groups and unfolds one on demand', { timeout: 90_000 }, async () => {
    large = await startServerWithMesh(LARGE_MESH);
    const { page, errors, loads } = await openPage(`${large.origin}/?project=demo`);
    await waitForGraph(page, errors, 50, 'topology-folded');
    const group = page.locator('.react-flow__node .mesh-group', { hasText: 'fetchers' });
    await group.waitFor({ timeout: 10_000 });
    await expect.poll(() => group.locator('.mesh-group__count').textContent(), { timeout: 5_000 }).toMatch(/^× \d+$/);
    const members = Number((await group.locator('.mesh-group__count').textContent())!.replace(/\D/g, ''));
    expect(members).toBeGreaterThan(100);
    expect(await group.getAttribute('aria-label')).toMatch(new RegExp(`^fetchers, group of ${members} nodes`));
    expect(await storeNodeCount(page)).toBeGreaterThanOrEqual(LARGE_MESH - 10);
    const folded = await page.locator('.react-flow__node').count();
    expect(folded).toBeLessThan(300);
    expect(await page.locator('.groups-menu > summary').textContent()).toMatch(/^groups · \d+ folded$/);
    await page.screenshot({ path: `${artifacts}topology-folded.png` });

    // Zoomed out this far the cards are compact; a double click unfolds a group at any zoom.
    expect(await group.getAttribute('data-compact')).toBe('true');
    await group.dblclick();
    await expect.poll(() => page.locator('.react-flow__node .mesh-group', { hasText: 'fetchers' }).count(), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => new URL(page.url()).searchParams.get('expand')).toBe('fetchers');
    // Past 150 nodes only what is in the viewport is mounted: fit the whole graph to see them all.
    await expect.poll(() => page.locator('.react-flow__node-mesh[data-id^="fetcher-"]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    // Nothing folded any more: every node of the mesh is drawn.
    const meshSize = await storeNodeCount(page);
    await expect.poll(() => page.locator('.react-flow__node').count(), { timeout: 20_000 }).toBe(meshSize);
    const expanded = await page.locator('.react-flow__node').count();
    expect(expanded).toBeGreaterThan(folded + members / 2);
    expect(await page.locator('.groups-menu > summary').textContent()).toBe('groups');
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${artifacts}topology-expanded.png` });
    console.info(`[e2e] ${LARGE_MESH}-node mesh: ${folded} drawn with fetchers folded (× ${members}), ${expanded} unfolded`);
    expect(loads()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws a large unfolded mesh in bulk when zoomed out; a click selects a node; zoomed in, nodes are cards again', { timeout: 120_000 }, async () => {
    huge = await startServerWithMesh(HUGE_MESH);
    const { page, errors, loads } = await openPage(`${huge.origin}/?project=demo&expand=*`);
    const bulk = page.locator('.bulk-nodes');
    await bulk.waitFor({ state: 'attached', timeout: 60_000 });
    await expect.poll(async () => Number(await bulk.getAttribute('data-count')), { timeout: 30_000 }).toBeGreaterThan(1_000);
    // React Flow holds only what bulk drawing cannot: nothing is selected, nothing folded.
    expect(await page.locator('.react-flow__node').count()).toBeLessThanOrEqual(2);
    await page.screenshot({ path: `${artifacts}topology-bulk.png` });

    // The first box drawn in bulk, on screen: a click there selects that node.
    const point = await page.evaluate(() => {
      const d = document.querySelector('.bulk-nodes__box')!.getAttribute('d')!;
      const [, x, y] = /^M(-?[\d.]+) (-?[\d.]+)/.exec(d)!;
      const viewport = new DOMMatrixReadOnly(getComputedStyle(document.querySelector('.react-flow__viewport')!).transform);
      const pane = document.querySelector('.react-flow__pane')!.getBoundingClientRect();
      return { x: pane.left + viewport.e + (Number(x) + 90) * viewport.a, y: pane.top + viewport.f + (Number(y) + 28) * viewport.a };
    });
    await page.mouse.click(point.x, point.y);
    await expect.poll(() => new URL(page.url()).searchParams.get('node'), { timeout: 10_000 }).not.toBeNull();
    const selected = new URL(page.url()).searchParams.get('node')!;
    await selectedPanel(page).waitFor({ timeout: 10_000 });
    // The selected node is a React Flow node again, drawn on top.
    expect(await page.locator(`.react-flow__node[data-id="${selected}"]`).count()).toBe(1);

    // Zoomed in far enough to read, every node on screen is a card.
    for (let i = 0; i < 20 && (await bulk.count()) > 0; i++) {
      await page.locator('.react-flow__controls-zoomin').click();
      await page.waitForTimeout(100);
    }
    await expect.poll(() => bulk.count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => page.locator('.react-flow__node-mesh .mesh-node:not([data-compact])').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    console.info(`[e2e] ${HUGE_MESH}-node mesh, unfolded: drawn in bulk when zoomed out; ${selected} selected by a click on its box`);
    expect(loads()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('exports the topology as JSON', { timeout: 60_000 }, async () => {
    const { page, errors, loads } = await openPage(`${small!.origin}/?project=demo`);
    await waitForGraph(page, errors, 20, 'topology-export');
    const toolbar = page.getByRole('toolbar', { name: 'Graph controls' });

    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), toolbar.getByRole('button', { name: 'JSON', exact: true }).click()]);
    const state = await page.evaluate(() => {
      const { nodes, edges } = (window as unknown as { __meshwatch: { store: { getState(): { nodes: object; edges: object } } } }).__meshwatch.store.getState();
      return { nodes: Object.keys(nodes).length, edges: Object.keys(edges).length };
    });
    expect(download.suggestedFilename()).toMatch(/^meshwatch-demo-\d{8}-\d{4}\.json$/);
    const file = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
      format: string;
      version: number;
      project: string;
      layout: string;
      nodes: Array<{ id: string; kind: string; position: { x: number; y: number } | null }>;
      edges: Array<{ source: string; target: string }>;
    };
    expect(file.format).toBe('meshwatch.topology');
    expect(file.version).toBe(1);
    expect(file.project).toBe('demo');
    expect(file.layout).toBe('layered');
    expect(file.nodes.length).toBe(state.nodes);
    expect(file.edges.length).toBe(state.edges);
    expect(file.nodes.filter((n) => n.kind === 'fetcher').length).toBeGreaterThan(0);
    // Laid out before the export: every node has the position it was drawn at.
    expect(file.nodes.filter((n) => n.position === null).map((n) => n.id)).toEqual([]);
    const ids = new Set(file.nodes.map((n) => n.id));
    expect(file.edges.filter((e) => !ids.has(e.source) || !ids.has(e.target))).toEqual([]);
    expect(loads()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
