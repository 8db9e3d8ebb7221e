/**
 * `npm start`: the standalone gateway. Serves the built app, the gateway on
 * `/ws`, `GET /healthz` and `POST /api/projects/:id/publish`, with a
 * simulated mesh per viewed project unless MESHWATCH_SIM=off.
 * Settings: PORT, HOST and MESHWATCH_SIM* (see env.ts).
 */
import { listenSettingsFromEnv, simulationSettingsFromEnv } from './env.ts';
import { createStandaloneServer } from './standalone.ts';

const SHUTDOWN_TIMEOUT_MS = 5_000;

const { port, host } = listenSettingsFromEnv();
const simulation = simulationSettingsFromEnv();
const app = createStandaloneServer({ simulation });

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
