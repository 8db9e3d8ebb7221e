/**
 * The gateway as the Vite dev and preview servers run it: attached to their
 * HTTP server (so page and socket share one port), with a simulated mesh for
 * each project a viewer opens, and the HTTP publish endpoint as middleware.
 * Everything stops when that HTTP server closes (including on a Vite restart,
 * which builds a new server and calls this again).
 */
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { DEFAULT_PROJECT } from '../protocol/mesh.ts';
import { gatewayAccessFromEnv } from './access-env.ts';
import { simulationSettingsFromEnv, type SimulationSettings } from './env.ts';
import { GATEWAY_DEFAULTS, type Gateway } from './gateway.ts';
import { pathnameOf, rejectUpgrade } from './http/http-helpers.ts';
import { createPublishEndpoint } from './http/publish-endpoint.ts';
import { withoutUndefined } from './options.ts';
import { createSimulatedGateway, type SimulatedGateway, type SimulatedGatewayOptions } from './simulated-gateway.ts';

/** Options of the dev gateway (and of the Vite plugin). */
export interface DevGatewayOptions {
  gateway?: SimulatedGatewayOptions['gateway'];
  /** How simulations run (limit, grace period); defaults as in SimulationRegistryOptions. */
  simulations?: SimulatedGatewayOptions['simulations'];
  /** Overrides; unset fields come from MESHWATCH_SIM* in `env`, then the defaults. */
  simulation?: Partial<SimulationSettings>;
  /** Where MESHWATCH_SIM* are read from. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** Connect-style middleware stack, as Vite's `server.middlewares`. */
export interface MiddlewareStack {
  use(handler: (req: IncomingMessage, res: ServerResponse, next: () => void) => void): unknown;
}

/** A gateway mounted on a dev or preview server. */
export interface MountedGateway {
  /** The running gateway, or null while stopped. */
  readonly gateway: Gateway | null;
  readonly settings: SimulationSettings;
  /** The one start-up line: where to connect, and what is simulated. */
  describe(origin: string): string;
  /**
   * Stops only the gateway (clients get 1001, new ones 503) while the page
   * server stays up: how a developer watches the dashboard ride out an outage
   * without Vite reloading the page, as restarting `npm run dev` would.
   */
  stop(): Promise<void>;
  /** Starts a fresh gateway (a new epoch, fresh simulations) after `stop`. */
  start(): void;
  close(): Promise<void>;
}

/** Attaches a gateway (and simulations, and the publish endpoint) to a dev or preview server. */
export function mountDevGateway(httpServer: EventEmitter, middlewares: MiddlewareStack | null, options: DevGatewayOptions = {}): MountedGateway {
  const settings: SimulationSettings = { ...simulationSettingsFromEnv(options.env), ...withoutUndefined(options.simulation ?? {}) };
  const path = options.gateway?.path ?? GATEWAY_DEFAULTS.path;
  // The same access settings as `npm start` (token auth, origins, projects, limits); explicit options win.
  const gatewayOptions: SimulatedGatewayOptions['gateway'] = {
    ...gatewayAccessFromEnv(options.env),
    ...withoutUndefined(options.gateway ?? {}),
  };

  interface Running {
    simulated: SimulatedGateway;
    detach: () => void;
  }
  let running: Running | null = null;
  let stopping: Promise<void> | null = null;
  let closed = false;

  const startGateway = (): Running => {
    const simulated = createSimulatedGateway(settings, { gateway: gatewayOptions, simulations: options.simulations });
    return { simulated, detach: simulated.gateway.attach(httpServer) };
  };

  // While stopped, nobody would answer upgrades on `path`; say so rather than leave them hanging.
  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    if (!running && pathnameOf(req.url) === path) rejectUpgrade(socket, 503, 'gateway stopped');
  });

  // The endpoint of whichever gateway runs; while stopped, one that says so (503) rather than Vite's 404.
  const stoppedEndpoint = createPublishEndpoint(
    { publishAll: () => ({ ok: false, code: 'gateway-closed', reason: 'gateway stopped' }) },
    { allowedOrigins: gatewayOptions.allowedOrigins, allowedHosts: gatewayOptions.allowedHosts },
  );
  middlewares?.use((req, res, next) => {
    if (!(running?.simulated.publishEndpoint ?? stoppedEndpoint).handle(req, res)) next();
  });

  const stop = () => {
    if (!running) return stopping ?? Promise.resolve();
    const { simulated, detach } = running;
    running = null;
    detach();
    stopping = simulated.close().finally(() => {
      stopping = null;
    });
    return stopping;
  };
  const start = () => {
    if (!running && !closed) running = startGateway();
  };
  const close = () => {
    closed = true;
    return stop();
  };
  httpServer.once('close', () => void close());
  start();

  return {
    get gateway() {
      return running?.simulated.gateway ?? null;
    },
    settings,
    describe(origin) {
      const url = `${origin.replace(/^http/, 'ws').replace(/\/$/, '')}${path}?project=${DEFAULT_PROJECT}`;
      const simulated = settings.enabled
        ? `simulated mesh per project (~${settings.size} nodes, ~${settings.ratePerSecond} msg/s${settings.seed ? `, seed ${settings.seed}` : ''})`
        : 'simulator off (MESHWATCH_SIM=off)';
      return `Gateway: ${url} · ${simulated}`;
    },
    stop,
    start,
    close,
  };
}
