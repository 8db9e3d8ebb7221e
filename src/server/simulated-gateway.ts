/**
 * A gateway as both servers run it (`npm run dev` through dev-gateway.ts,
 * `npm start` through standalone.ts): a simulated mesh for each project a
 * viewer watches, and the HTTP publish endpoint through which a real mesh
 * takes a project over from its simulator.
 *
 * A project fed over HTTP is a real one: publishing to it stops its
 * simulator, and it gets none again while its room is open (a project first
 * opened by a publish never gets one). Once the gateway drops the room, the
 * project is forgotten and may be simulated again.
 *
 * A room outlives its simulation (a viewer's grace period is 30 s, a room's
 * idle life 10 minutes), so whenever its feed changes hands (a real publisher
 * takes over, or a new simulation starts) the project's stream starts over:
 * nothing simulated earlier stays behind, frozen, next to the new data.
 */
import type { Payload } from '../protocol/messages.ts';
import type { SimulationSettings } from './env.ts';
import { projectSeed } from './env.ts';
import { Gateway, type GatewayHooks, type GatewayOptions } from './gateway.ts';
import { createPublishEndpoint, type PublishEndpoint } from './http/publish-endpoint.ts';
import { SimulationRegistry, type SimulationRegistryOptions } from './simulator/run.ts';

/** Options of `createSimulatedGateway`. */
export interface SimulatedGatewayOptions {
  /** The gateway's options; its hooks are this module's. `allowedOrigins` and `allowedHosts` apply to the publish endpoint too. */
  gateway?: Omit<GatewayOptions, GatewayHooks>;
  /** How simulations are run, beyond `settings` (limits, grace period, tick). */
  simulations?: Pick<SimulationRegistryOptions, 'maxSimulations' | 'graceMs' | 'tickMs' | 'onError'>;
  /** Largest publish body. Default 1 MiB. */
  maxPublishBytes?: number;
}

/** What the servers mount. */
export interface SimulatedGateway {
  readonly gateway: Gateway;
  /** Null when `settings.enabled` is false. */
  readonly simulations: SimulationRegistry | null;
  readonly publishEndpoint: PublishEndpoint;
  /** Stops every simulation, then closes the gateway (1001 to every client). */
  close(): Promise<void>;
}

/** Builds a gateway with per-project simulations (when `settings.enabled`) and its publish endpoint. */
export function createSimulatedGateway(settings: SimulationSettings | undefined, options: SimulatedGatewayOptions = {}): SimulatedGateway {
  let simulations: SimulationRegistry | null = null;
  /** Projects a real publisher feeds; bounded by the open rooms, as an entry goes with its room. */
  const fedOverHttp = new Set<string>();

  const gateway = new Gateway({
    ...options.gateway,
    onProjectWatched: (projectId) => {
      if (!fedOverHttp.has(projectId)) simulations?.watch(projectId);
    },
    onProjectUnwatched: (projectId) => simulations?.unwatch(projectId),
    onProjectClosed: (projectId) => {
      fedOverHttp.delete(projectId);
      // A simulator still publishing would only open the room again.
      simulations?.stop(projectId);
    },
  });
  if (settings?.enabled) {
    simulations = new SimulationRegistry(gateway, {
      scheduler: options.gateway?.scheduler,
      ...options.simulations,
      size: settings.size,
      ratePerSecond: settings.ratePerSecond,
      seedFor: (projectId) => projectSeed(projectId, settings.seed),
      onStart: (projectId) => void gateway.resetProject(projectId),
    });
  }
  // Until a project is fed over HTTP, whatever its room holds came from a simulation: a real publisher's first run replaces it.
  const publishTarget = {
    publishAll: (projectId: string, payloads: readonly Payload[]) =>
      // A shared project is fed by other gateways' publishers too: it never starts over here.
      gateway.isShared
        ? gateway.submit(projectId, payloads)
        : gateway.publishAll(projectId, payloads, { startOver: !fedOverHttp.has(projectId) }),
  };
  const publishEndpoint = createPublishEndpoint(publishTarget, {
    maxBodyBytes: options.maxPublishBytes,
    allowedOrigins: options.gateway?.allowedOrigins,
    allowedHosts: options.gateway?.allowedHosts,
    authorize: gateway.publisherAccess(),
    onPublish: (projectId) => {
      fedOverHttp.add(projectId);
      simulations?.stop(projectId);
    },
  });

  return {
    gateway,
    simulations,
    publishEndpoint,
    close() {
      simulations?.stopAll();
      return gateway.close();
    },
  };
}
