import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createServer, type ViteDevServer } from 'vite';
import { afterEach, describe, expect, it } from 'vitest';
import { meshwatchGateway, type MeshwatchGatewayApi, type MeshwatchGatewayOptions } from '../../src/server/vite-plugin.ts';
import { TestClient, waitFor } from './support.ts';

let server: ViteDevServer | null = null;
let root = '';
let api: MeshwatchGatewayApi | null = null;
const clients: TestClient[] = [];
const logged: string[] = [];

async function startVite(options: MeshwatchGatewayOptions): Promise<string> {
  root = await mkdtemp(join(tmpdir(), 'meshwatch-vite-'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>meshwatch</title>');
  const logger = createLogger('info', { allowClearScreen: false });
  logger.info = (message) => void logged.push(message);
  const plugin = meshwatchGateway(options);
  api = plugin.api ?? null;
  server = await createServer({
    configFile: false,
    root,
    customLogger: logger,
    plugins: [plugin],
    server: { port: 0, host: '127.0.0.1', strictPort: true },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  await server.listen();
  return `127.0.0.1:${(server.httpServer!.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = null;
  api = null;
  logged.length = 0;
  if (root) await rm(root, { recursive: true, force: true });
});

describe('vite plugin', () => {
  it('serves the page and a simulated mesh on one port, and leaves the HMR socket to Vite', async () => {
    const host = await startVite({ env: {}, simulation: { ratePerSecond: 100 } });
    const page = await fetch(`http://${host}/`);
    expect(page.status).toBe(200);

    const client = await TestClient.open(`ws://${host}/ws?project=demo`);
    clients.push(client);
    await waitFor(() => client.snapshot !== undefined, 'snapshot');
    expect(client.snapshot!.state.nodes.length).toBeGreaterThanOrEqual(20);
    await waitFor(() => client.envelopes.length > 0, 'live deltas');

    const hmr = new TestClient(`ws://${host}/`, ['vite-hmr']);
    clients.push(hmr);
    await waitFor(() => hmr.raw.length > 0, 'HMR hello');
    expect(JSON.parse(hmr.raw[0]!)).toEqual({ type: 'connected' });
  });

  it('shows the same mesh for the same project every time', async () => {
    const host = await startVite({ env: {} });
    const first = await TestClient.open(`ws://${host}/ws?project=same`);
    const other = await TestClient.open(`ws://${host}/ws?project=other`);
    clients.push(first, other);
    await waitFor(() => first.snapshot !== undefined && other.snapshot !== undefined, 'snapshots');
    const ids = (client: TestClient) => client.snapshot!.state.nodes.map((n) => `${n.id}:${n.status}`);
    await server!.close();
    const host2 = await startVite({ env: {} });
    const again = await TestClient.open(`ws://${host2}/ws?project=same`);
    clients.push(again);
    await waitFor(() => again.snapshot !== undefined, 'snapshot after restart');
    expect(ids(again)).toEqual(ids(first));
    expect(again.snapshot!.epoch).not.toBe(first.snapshot!.epoch);
    expect(JSON.stringify(other.snapshot!.state.edges)).not.toBe(JSON.stringify(first.snapshot!.state.edges));
  });

  it('reads MESHWATCH_SIM* from the environment: off means an empty project', async () => {
    const host = await startVite({ env: { MESHWATCH_SIM: 'off' } });
    const client = await TestClient.open(`ws://${host}/ws?project=demo`);
    clients.push(client);
    await waitFor(() => client.snapshot !== undefined, 'snapshot');
    expect(client.snapshot!.state.nodes).toEqual([]);
  });

  it('prints where the gateway is after Vite prints its URLs', async () => {
    const host = await startVite({ env: { MESHWATCH_SIM_SIZE: '48', MESHWATCH_SIM_RATE: '90' } });
    server!.printUrls();
    const line = logged.find((message) => message.includes('Gateway:'));
    expect(line).toContain(`ws://${host}/ws?project=demo`);
    expect(line).toContain('~48 nodes, ~90 msg/s');
    expect(logged.findIndex((m) => m.includes('Local'))).toBeLessThan(logged.indexOf(line!));
  });

  it('stops and starts only the gateway on demand (g + enter), the page server staying up', async () => {
    const host = await startVite({ env: {}, simulation: { ratePerSecond: 100 } });
    const mounted = api!.mounted()!;
    const publish = () =>
      fetch(`http://${host}/api/projects/real/publish`, {
        method: 'POST',
        body: JSON.stringify({ type: 'event', message: 'from a real mesh', severity: 'info' }),
      });
    const before = await TestClient.open(`ws://${host}/ws?project=demo`);
    clients.push(before);
    await waitFor(() => before.snapshot !== undefined, 'snapshot');

    await mounted.stop();
    expect((await before.closed()).code).toBe(1001);
    expect(mounted.gateway).toBeNull();
    expect((await fetch(`http://${host}/`)).status).toBe(200);
    const refused = new TestClient(`ws://${host}/ws?project=demo`);
    clients.push(refused);
    await waitFor(() => refused.httpStatus !== null, 'HTTP response');
    expect(refused.httpStatus).toBe(503);
    const stopped = await publish();
    expect(stopped.status).toBe(503);
    expect(await stopped.json()).toMatchObject({ code: 'gateway-closed' });

    mounted.start();
    const after = await TestClient.open(`ws://${host}/ws?project=demo`);
    clients.push(after);
    await waitFor(() => after.snapshot !== undefined, 'snapshot from the new gateway');
    expect(after.snapshot!.epoch).not.toBe(before.snapshot!.epoch);
    expect(after.snapshot!.state.nodes.length).toBeGreaterThanOrEqual(20);
    expect((await publish()).status).toBe(202);
  });

  it('closes its sockets when the dev server closes', async () => {
    const host = await startVite({ env: {} });
    const client = await TestClient.open(`ws://${host}/ws?project=demo`);
    clients.push(client);
    await waitFor(() => client.snapshot !== undefined, 'snapshot');
    await server!.close();
    server = null;
    await client.closed();
  });
});
