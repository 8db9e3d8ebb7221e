/** Starts the app exactly as `npm run dev` does (Vite plus the gateway plugin), on a chosen port. */
import { createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';
import type { MeshwatchGatewayApi } from '../../src/server/vite-plugin.ts';
import type { MountedGateway } from '../../src/server/dev-gateway.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startDevServer(port: number): Promise<ViteDevServer> {
  const server = await createServer({
    root,
    configFile: `${root}/vite.config.ts`,
    logLevel: 'warn',
    server: { port, strictPort: true, host: '127.0.0.1' },
  });
  await server.listen();
  return server;
}

/** The gateway the meshwatch plugin mounted on `server`. */
export function gatewayOf(server: ViteDevServer): MountedGateway {
  const plugin = server.config.plugins.find((candidate) => candidate.name === 'meshwatch-gateway');
  const mounted = (plugin?.api as MeshwatchGatewayApi | undefined)?.mounted();
  if (!mounted) throw new Error('the meshwatch gateway plugin is not mounted on this server');
  return mounted;
}
