/**
 * The standalone server behind `npm start`: the built app from `dist/`,
 * `GET /healthz`, `GET /metrics` (Prometheus), the gateway on `/ws`, the HTTP publish endpoint, and a
 * simulated mesh for each project a viewer watches (unless disabled); see
 * simulated-gateway.ts for how simulations and real publishers share projects.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { SimulationSettings } from './env.ts';
import { GATEWAY_DEFAULTS, type Gateway } from './gateway.ts';
import { pathnameOf, rejectUpgrade, sendJson } from './http/http-helpers.ts';
import type { PublishEndpoint } from './http/publish-endpoint.ts';
import { createStaticFiles } from './http/static-files.ts';
import { log } from './log.ts';
import { GatewayMetrics, type GatewayMetricsOptions } from './metrics/gateway-metrics.ts';
import { PROMETHEUS_CONTENT_TYPE } from './metrics/prometheus.ts';
import { createSimulatedGateway, type SimulatedGatewayOptions } from './simulated-gateway.ts';
import type { SimulationRegistry } from './simulator/run.ts';

/** Options of `createStandaloneServer`; all optional. */
export interface StandaloneServerOptions {
  /** The built app. Default: `dist/` at the repository root. */
  distDir?: string;
  /** Simulated meshes for viewed projects; `enabled: false` (or omitting it) serves only real data. */
  simulation?: SimulationSettings;
  gateway?: SimulatedGatewayOptions['gateway'];
  /** How simulations run (limit, grace period); defaults as in SimulationRegistryOptions. */
  simulations?: SimulatedGatewayOptions['simulations'];
  /** Largest publish body. Default 1 MiB. */
  maxPublishBytes?: number;
  /** How `/metrics` samples its rates; the scheduler defaults to the gateway's. */
  metrics?: GatewayMetricsOptions;
}

/** The server, its gateway and its parts, for main.ts and tests. */
export interface StandaloneServer {
  readonly server: Server;
  readonly gateway: Gateway;
  readonly simulations: SimulationRegistry | null;
  readonly publishEndpoint: PublishEndpoint;
  /** What `GET /metrics` renders. */
  readonly metrics: GatewayMetrics;
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Stops the simulators, closes the gateway (1001 to every client) and the HTTP server. Idempotent. */
  close(): Promise<void>;
}

/** How long in-flight HTTP requests get to finish on close before their connections are cut. */
const SHUTDOWN_GRACE_MS = 1_000;

/** `dist/` at the repository root, where `npm run build` puts the app. */
export const DEFAULT_DIST_DIR = fileURLToPath(new URL('../../dist', import.meta.url));

/** Builds the standalone server, not yet listening: call `listen`. */
export function createStandaloneServer(options: StandaloneServerOptions = {}): StandaloneServer {
  const startedAt = Date.now();
  const wsPath = options.gateway?.path ?? GATEWAY_DEFAULTS.path;
  const simulated = createSimulatedGateway(options.simulation, {
    gateway: { onError: (error, context) => log.error('gateway error', { context, error }), ...options.gateway },
    simulations: { onError: (error) => log.error('simulation stopped', { error }), ...options.simulations },
    maxPublishBytes: options.maxPublishBytes,
  });
  const { gateway, simulations, publishEndpoint } = simulated;
  const metrics = new GatewayMetrics(
    { gateway, publishEndpoint, simulations },
    { scheduler: options.gateway?.scheduler, ...options.metrics },
  );
  const serveStatic = createStaticFiles(options.distDir ?? DEFAULT_DIST_DIR);
  let closing: Promise<void> | null = null;

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const pathname = pathnameOf(req.url);
    if (pathname === '/healthz') {
      // A load balancer stops sending clients here as soon as the shutdown begins.
      if (closing) return sendJson(res, 503, { status: 'closing' });
      return sendJson(res, 200, {
        status: 'ok',
        uptimeS: Math.round((Date.now() - startedAt) / 1000),
        gateway: gateway.stats(),
        publish: publishEndpoint.stats(),
        simulations: simulations?.size ?? 0,
      });
    }
    if (pathname === '/metrics') return serveMetrics(req, res, metrics);
    if (publishEndpoint.handle(req, res)) return;
    if (await serveStatic(req, res)) return;
    if (pathname === '/' || pathname === '/index.html') {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The app is not built yet: run `npm run build`, then restart. The gateway is up on /ws.\n');
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      log.error('request failed', { method: req.method, path: pathnameOf(req.url), error });
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  gateway.attach(server);
  // The gateway leaves other paths alone; with no one else listening, they would hang.
  server.on('upgrade', (req, socket) => {
    if (pathnameOf(req.url) !== wsPath) rejectUpgrade(socket, 404, 'no WebSocket endpoint here');
  });

  return {
    server,
    gateway,
    simulations,
    publishEndpoint,
    metrics,
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close() {
      closing ??= (async () => {
        await simulated.close();
        metrics.close();
        await new Promise<void>((resolve) => {
          // A keep-alive connection whose last response is still finishing is not idle yet when
          // `close` is called, and would then hold it open until the client drops it (seconds).
          // Sweep idle connections until the server has closed; cut off stragglers after a grace.
          const sweep = setInterval(() => server.closeIdleConnections(), 25);
          const cutoff = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
          server.close(() => {
            clearInterval(sweep);
            clearTimeout(cutoff);
            resolve();
          });
          server.closeIdleConnections();
        });
      })();
      return closing;
    },
  };
}

/** `GET /metrics`: the exposition, never cached. */
function serveMetrics(req: IncomingMessage, res: ServerResponse, metrics: GatewayMetrics): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'use GET' }, { allow: 'GET, HEAD' });
  const body = metrics.render();
  res.writeHead(200, {
    'content-type': PROMETHEUS_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
