/**
 * `npm start`: the standalone gateway. Serves the built app, the gateway on
 * `/ws`, `GET /healthz` and `POST /api/projects/:id/publish`, with a
 * simulated mesh per viewed project unless MESHWATCH_SIM=off.
 * Settings: PORT, HOST, MESHWATCH_SIM*, MESHWATCH_ALLOWED_ORIGINS,
 * MESHWATCH_PROJECTS, MESHWATCH_MAX_CONNECTIONS_* and MESHWATCH_JWT_* (see env.ts).
 * Without token auth it listens on loopback only, whatever HOST says.
 */
import { gatewayAccessFromEnv, type GatewayAccessOptions } from './access-env.ts';
import { listenSettingsFromEnv, loopbackListenHost, simulationSettingsFromEnv } from './env.ts';
import { createStandaloneServer } from './standalone.ts';

const SHUTDOWN_TIMEOUT_MS = 5_000;
/** Exit status for a configuration that must not be run with (a bad key would otherwise mean no auth). */
const EXIT_BAD_CONFIG = 2;

let access: GatewayAccessOptions;
try {
  access = gatewayAccessFromEnv();
} catch (error) {
  console.error(`meshwatch: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(EXIT_BAD_CONFIG);
}
const listen = listenSettingsFromEnv();
const { host, notice } = loopbackListenHost(listen.host, Boolean(access.auth));
const port = listen.port;
const simulation = simulationSettingsFromEnv();
const app = createStandaloneServer({ simulation, gateway: access });

// Installed before listening: a SIGTERM during start-up must close gracefully too, not kill the process outright.
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing the gateway`);
    // Clients that never acknowledge the close must not keep the process up.
    setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('shutdown failed:', error);
        process.exit(1);
      },
    );
  });
}

if (notice !== null) console.warn(`meshwatch: ${notice}`);
try {
  const address = await app.listen(port, host);
  const origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const simulated = simulation.enabled
    ? `simulated mesh per project: ~${simulation.size} nodes, ~${simulation.ratePerSecond} msg/s`
    : 'simulator off';
  console.log(`meshwatch listening on ${origin} · gateway ${origin.replace('http', 'ws')}/ws?project=<id> · ${simulated}`);
} catch (error) {
  console.error(`meshwatch could not listen on ${host}:${port}:`, error instanceof Error ? error.message : error);
  process.exit(1);
}

