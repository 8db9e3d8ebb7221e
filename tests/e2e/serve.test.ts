/**
 * `meshwatch serve` as a user runs it: the app built (into a temporary
 * directory, so `npm test` needs no build first), the command started as a
 * process, Chromium opening the page it serves. One project is simulated by
 * the server; another is fed by the publisher library over HTTP, and the
 * page shows what was published. SIGTERM ends it with exit code 0.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublisher } from '../../src/publisher/publisher.ts';
import { waitFor } from '../server/support.ts';
import { hasChromium, launchChromium } from './chromium.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));

describe.skipIf(!hasChromium)('meshwatch serve in Chromium', () => {
  let dist = '';
  let child: ChildProcess | null = null;
  let output = '';
  let exit: Promise<number | null>;
  let origin = '';
  let browser: Awaited<ReturnType<typeof launchChromium>> | null = null;
  let context: BrowserContext;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    dist = mkdtempSync(join(tmpdir(), 'meshwatch-dist-'));
    const build = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', dist, '--emptyOutDir'], {
      cwd: root,
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`vite build failed: ${build.stderr}`);
    child = spawn(process.execPath, ['bin/meshwatch.js', 'serve', '--port', '0', '--dist', dist, '--sim-size', '30'], {
      cwd: root,
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MESHWATCH_'))), MESHWATCH_LOG_FORMAT: 'text' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    exit = new Promise((resolve) => child!.once('exit', (code) => resolve(code)));
    await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.test(output), `the listening line (output so far: ${output})`, 20_000);
    origin = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
    browser = await launchChromium();
    context = browser.context;
    await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dist, { recursive: true, force: true });
  });

  async function open(url: string): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.stack ?? String(error)}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
    });
    await page.goto(url);
    return { page, errors };
  }

  it('serves the built app, whose page goes live on the simulated mesh of the same origin', { timeout: 60_000 }, async () => {
    const { page, errors } = await open(`${origin}/?project=demo`);
    try {
      await page.locator('.connection-badge[data-tone="live"]').waitFor({ timeout: 20_000 });
      await page.locator('.react-flow__node').nth(19).waitFor({ timeout: 30_000 });
    } catch (error) {
      await page.screenshot({ path: `${artifacts}serve-demo.png` }).catch(() => {});
      throw new Error(`the served page did not go live with a graph (screenshot serve-demo.png); errors: ${JSON.stringify(errors)}`, { cause: error });
    }
    await page.screenshot({ path: `${artifacts}serve-demo.png` });
    // The assets the page loaded came from this server's dist, not a dev server.
    const scripts = await page.evaluate(() => [...document.scripts].map((script) => script.src).filter(Boolean));
    expect(scripts.some((src) => src.startsWith(`${origin}/assets/`))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a project fed by the publisher library over HTTP, as it is published', { timeout: 60_000 }, async () => {
    const publisher = createPublisher({ url: origin, project: 'shop' });
    publisher.upsertNode({ id: 'checkout', label: 'Checkout', kind: 'api', status: 'healthy' });
    publisher.upsertNode({ id: 'payments', label: 'Payments', kind: 'api', status: 'healthy' });
    publisher.upsertEdge({ id: 'checkout->payments', source: 'checkout', target: 'payments' });
    publisher.event('checkout deployed', 'info', 'checkout');
    publisher.point('shop.orders_per_min', 118);
    await publisher.flush();
    expect(publisher.stats()).toMatchObject({ accepted: 5, refused: 0 });

    const { page, errors } = await open(`${origin}/?project=shop`);
    await page.locator('.react-flow__node').nth(1).waitFor({ timeout: 30_000 });
    const labels = () => page.locator('.react-flow__node').allTextContents();
    expect((await labels()).join(' ')).toMatch(/Checkout[\s\S]*Payments|Payments[\s\S]*Checkout/);
    await expect.poll(() => page.getByText('checkout deployed').count(), { timeout: 10_000 }).toBeGreaterThan(0);

    // Live: a status published now reaches the open page.
    publisher.setStatus('payments', 'down');
    await publisher.close();
    await expect
      .poll(() => page.locator('.react-flow__node .mesh-node[title^="Payments"]').getAttribute('title'), { timeout: 10_000 })
      .toMatch(/· down$/);
    await page.screenshot({ path: `${artifacts}serve-published.png` });

    // Its own series, not the crawler's: the overview points to the dashboard, which draws them.
    await page.getByRole('button', { name: 'Show it on the Dashboard' }).click();
    await page.getByRole('figure', { name: 'shop' }).waitFor({ timeout: 10_000 });
    expect(new URL(page.url()).searchParams.get('page')).toBe('dashboard');
    await page.screenshot({ path: `${artifacts}serve-published-dashboard.png` });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('ends with exit code 0 on SIGTERM', async () => {
    child!.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
