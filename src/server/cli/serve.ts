/**
 * `meshwatch serve` (and `npm start`): the built app, the gateway on `/ws`,
 * `POST /api/projects/:id/publish`, `GET /healthz` and `GET /metrics` on one
 * port, as seed 000's deployment has it. By itself it simulates a mesh for
 * each project someone watches (until a real publisher feeds it); with
 * `--redis` it shares its projects with every other gateway on that Redis.
 *
 * Access settings (token auth, allowed origins, known projects, connection
 * limits) come from the environment only (MESHWATCH_JWT_*,
 * MESHWATCH_ALLOWED_ORIGINS, MESHWATCH_PROJECTS, MESHWATCH_MAX_CONNECTIONS_*:
 * see env.ts): a secret has no business on a command line. Without token auth
 * it listens on loopback only, whatever --host says.
 */
import { gatewayAccessFromEnv, type GatewayAccessOptions } from '../access-env.ts';
import { loopbackListenHost, type SimulationSettings } from '../env.ts';
import { configureLog, log, logSettingsFromEnv } from '../log.ts';
import { connectRedisStreams, type RedisStreams } from '../scale/redis-streams.ts';
import { SIMULATOR_DEFAULTS } from '../simulator/simulator.ts';
import { DEFAULT_DIST_DIR, createStandaloneServer } from '../standalone.ts';
import { CliError, EXIT, type ExitCode } from './exit-codes.ts';
import type { CommandSpec, FlagValues } from './flags.ts';

export const SERVE: CommandSpec = {
  name: 'serve',
  summary: 'Run the gateway and the built app on one port (a simulated mesh per watched project unless --no-sim).',
  usage: 'meshwatch serve [flags]',
  description:
    'Serves dist/ (run `npm run build` first), the gateway on /ws?project=<id>, the publish endpoint\n' +
    'POST /api/projects/<id>/publish, /healthz and /metrics. Token auth, allowed origins, known projects and\n' +
    'connection limits are set by environment variables only (MESHWATCH_JWT_SECRET or MESHWATCH_JWT_PUBLIC_KEY,\n' +
    'MESHWATCH_ALLOWED_ORIGINS, MESHWATCH_PROJECTS, MESHWATCH_MAX_CONNECTIONS_PER_USER/_PER_PROJECT; see README).\n' +
    'Without token auth it listens on loopback only. Logs: MESHWATCH_LOG_LEVEL, MESHWATCH_LOG_FORMAT (json|text).',
  flags: [
    { name: 'port', short: 'P', kind: 'integer', env: 'PORT', default: 8080, min: 0, max: 65_535, description: 'port to listen on (0: any free one)' },
    { name: 'host', kind: 'string', env: 'HOST', default: '127.0.0.1', valueName: 'HOST', description: 'address to listen on (loopback only without token auth)' },
    { name: 'redis', kind: 'string', env: 'MESHWATCH_REDIS_URL', valueName: 'URL', description: 'share projects with other gateways through this Redis, e.g. redis://127.0.0.1:6379 (turns the simulator off)' },
    { name: 'redis-prefix', kind: 'string', env: 'MESHWATCH_REDIS_PREFIX', default: 'meshwatch', valueName: 'TEXT', description: 'prefix of every Redis key, to keep several deployments apart on one Redis' },
    { name: 'sim', kind: 'boolean', env: 'MESHWATCH_SIM', default: true, description: 'simulate a mesh for each watched project nobody publishes to (--no-sim: off)' },
    { name: 'sim-size', kind: 'integer', env: 'MESHWATCH_SIM_SIZE', default: SIMULATOR_DEFAULTS.size, min: 16, max: 20_000, description: 'approximate node count of each simulated mesh' },
    { name: 'sim-rate', kind: 'number', env: 'MESHWATCH_SIM_RATE', default: SIMULATOR_DEFAULTS.ratePerSecond, min: 0, max: 1_000_000, description: 'messages per second of each simulated mesh' },
    { name: 'sim-seed', kind: 'string', env: 'MESHWATCH_SIM_SEED', valueName: 'TEXT', description: "mixed into each project's seed, to see a different mesh" },
    { name: 'dist', kind: 'string', env: 'MESHWATCH_DIST', default: 'dist/', valueName: 'DIR', description: 'the built app to serve' },
  ],
  examples: [
    'npm run build && meshwatch serve',
    'MESHWATCH_JWT_SECRET=… meshwatch serve --host 0.0.0.0 --port 80 --redis redis://redis:6379 --no-sim',
  ],
};

/** Clients that never acknowledge the close must not keep the process up. */
const SHUTDOWN_TIMEOUT_MS = 5_000;

/** Runs until SIGINT/SIGTERM; resolves with the exit code once everything is closed. */
export async function serve(values: FlagValues): Promise<ExitCode> {
  const logWarnings: string[] = [];
  configureLog(logSettingsFromEnv(process.env, Boolean(process.stdout.isTTY), (message) => logWarnings.push(message)));
  for (const warning of logWarnings) log.warn(warning);

  let access: GatewayAccessOptions;
  try {
    access = gatewayAccessFromEnv();
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), EXIT.badConfig);
  }
  const redisUrl = (values.redis as string | undefined)?.trim() || undefined;
  let shared: RedisStreams | null = null;
  if (redisUrl) {
    try {
      shared = await connectRedisStreams({
        url: redisUrl,
        keyPrefix: values['redis-prefix'] as string,
        onError: (error, context) => log.warn(`redis: ${context}`, { error }),
      });
    } catch (error) {
      throw new CliError(`cannot connect to Redis at ${redactUrl(redisUrl)}: ${error instanceof Error ? error.message : String(error)}`, EXIT.unavailable);
    }
  }
  const simulationWanted = values.sim as boolean;
  // Every gateway would run its own simulator into the same shared project: `meshwatch simulate` feeds a shared one instead.
  if (shared && simulationWanted) log.info('projects are shared through Redis: the built-in simulator is off (use `meshwatch simulate` to feed one)');
  const simulation: SimulationSettings = {
    enabled: simulationWanted && !shared,
    size: values['sim-size'] as number,
    ratePerSecond: values['sim-rate'] as number,
  };
  const seed = (values['sim-seed'] as string | undefined)?.trim();
  if (seed) simulation.seed = seed.slice(0, 128);

  const { host, notice } = loopbackListenHost(values.host as string, Boolean(access.auth));
  const distFlag = values.dist as string;
  const app = createStandaloneServer({
    simulation,
    gateway: { ...access, shared, onError: (error, context) => log.error(`gateway: ${context}`, { error }) },
    distDir: distFlag === 'dist/' ? DEFAULT_DIST_DIR : distFlag,
  });

  const closeAll = async () => {
    await app.close();
    await shared?.close();
  };
  let stopping: Promise<ExitCode> | null = null;
  const stop = (signal: NodeJS.Signals) =>
    (stopping ??= (async () => {
      log.info(`${signal}: closing the gateway`, { signal });
      const timeout = new Promise<ExitCode>((resolve) =>
        setTimeout(() => {
          log.error(`shutdown did not finish within ${SHUTDOWN_TIMEOUT_MS / 1000} s: exiting anyway`);
          resolve(EXIT.failure);
        }, SHUTDOWN_TIMEOUT_MS).unref(),
      );
      const closed = closeAll().then(
        () => EXIT.ok as ExitCode,
        (error: unknown) => {
          log.error('shutdown failed', { error });
          return EXIT.failure as ExitCode;
        },
      );
      return Promise.race([closed, timeout]);
    })());
  // Installed before listening: a SIGTERM during start-up must close gracefully too.
  const stopped = new Promise<ExitCode>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop(signal).then(resolve));
  });

  if (notice !== null) log.warn(`meshwatch: ${notice}`);
  try {
    const address = await app.listen(values.port as number, host);
    const origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    const feeding = shared
      ? `projects shared through Redis ${redactUrl(redisUrl!)}`
      : simulation.enabled
        ? `simulated mesh per project: ~${simulation.size} nodes, ~${simulation.ratePerSecond} msg/s`
        : 'simulator off';
    log.info(`meshwatch listening on ${origin} · gateway ${origin.replace('http', 'ws')}/ws?project=<id> · ${feeding}`, {
      origin,
      simulation: simulation.enabled,
      redis: Boolean(shared),
    });
  } catch (error) {
    await closeAll().catch(() => {});
    throw new CliError(`could not listen on ${host}:${String(values.port)}: ${error instanceof Error ? error.message : String(error)}`, EXIT.unavailable);
  }
  return stopped;
}

/** A Redis URL without its password, for logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return '(unparseable URL)';
  }
}
