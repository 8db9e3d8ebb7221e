/**
 * `npm run dev` serves the page and the gateway on one port: this plugin
 * mounts the gateway (with its simulated meshes) on Vite's own HTTP server,
 * for both `vite` and `vite preview`. Importing it does nothing; the gateway
 * starts only when Vite configures a server.
 *
 * Environment: MESHWATCH_SIM=off, MESHWATCH_SIM_SIZE, MESHWATCH_SIM_RATE,
 * MESHWATCH_SIM_SEED (see src/server/env.ts).
 */
import type { Logger, Plugin } from 'vite';
import { mountDevGateway, type DevGatewayOptions, type MiddlewareStack, type MountedGateway } from './dev-gateway.ts';

/** Options of `meshwatchGateway()`: gateway options, simulation overrides, and the env to read. */
export type MeshwatchGatewayOptions = DevGatewayOptions;

interface ServerLike {
  httpServer: import('node:events').EventEmitter | null;
  middlewares: MiddlewareStack;
  config: { logger: Logger };
  resolvedUrls: { local: string[]; network: string[] } | null;
  printUrls(): void;
}

/** What the plugin exposes to other plugins and to tests (`plugin.api`). */
export interface MeshwatchGatewayApi {
  /** The gateway mounted on the most recent dev or preview server, if any. */
  mounted(): MountedGateway | null;
}

interface ShortcutServer {
  httpServer: import('node:events').EventEmitter | null;
  bindCLIShortcuts(options: { customShortcuts: Array<{ key: string; description: string; action(): Promise<void> }> }): void;
}

/** Mounts the meshwatch gateway on `/ws` of the dev and preview servers. */
export function meshwatchGateway(options: MeshwatchGatewayOptions = {}): Plugin<MeshwatchGatewayApi> {
  let current: MountedGateway | null = null;
  const mount = (server: ServerLike & ShortcutServer): MountedGateway | null => {
    if (!server.httpServer) {
      server.config.logger.warn('meshwatch: no HTTP server (middleware mode), so no gateway; run it with `npm start`.');
      return null;
    }
    const mounted = mountDevGateway(server.httpServer, server.middlewares, options);
    current = mounted;
    const { logger } = server.config;
    // Vite clears the screen just before printing its URLs, so the gateway's line goes after them.
    const printUrls = server.printUrls.bind(server);
    server.printUrls = () => {
      printUrls();
      const origin = server.resolvedUrls?.local[0] ?? server.resolvedUrls?.network[0];
      if (origin) logger.info(`  ➜  ${mounted.describe(origin)}`);
    };
    // `g + enter` in the terminal: an outage on demand, with the page server still up.
    // Vite merges shortcuts bound by plugins with its own (and binds none outside a TTY).
    server.httpServer.once('listening', () =>
      server.bindCLIShortcuts({
        customShortcuts: [
          {
            key: 'g',
            description: 'stop or start the meshwatch gateway (the page stays up)',
            async action() {
              if (mounted.gateway) {
                await mounted.stop();
                logger.info('  meshwatch gateway stopped: the dashboard should say reconnecting (g + enter starts it)', { timestamp: true });
              } else {
                mounted.start();
                logger.info('  meshwatch gateway started with a new epoch: the dashboard takes a fresh snapshot', { timestamp: true });
              }
            },
          },
        ],
      }),
    );
    return mounted;
  };
  return {
    name: 'meshwatch-gateway',
    api: { mounted: () => current },
    configureServer(server) {
      mount(server);
    },
    configurePreviewServer(server) {
      mount(server);
    },
  };
}
