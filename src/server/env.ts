/**
 * Server settings read from the environment, in one place, each validated:
 * a bad value is reported and replaced by the default rather than crashing
 * the dev server or the gateway.
 *
 *   PORT                 standalone server port (default 8080)
 *   HOST                 standalone server host (default 127.0.0.1)
 *   MESHWATCH_SIM        `off` disables the simulator (default on)
 *   MESHWATCH_SIM_SIZE   approximate node count of each simulated mesh (default 30)
 *   MESHWATCH_SIM_RATE   messages per second per simulated project (default 150)
 *   MESHWATCH_SIM_SEED   mixed into every project's seed, to see a different mesh (default none)
 */
import { SIMULATOR_DEFAULTS } from './simulator/simulator.ts';

/** What to simulate, from MESHWATCH_SIM*. */
export interface SimulationSettings {
  enabled: boolean;
  size: number;
  ratePerSecond: number;
  /** Mixed into each project's seed when set. */
  seed?: string;
}

type Env = Record<string, string | undefined>;
type Warn = (message: string) => void;

/** MESHWATCH_SIM, MESHWATCH_SIM_SIZE, MESHWATCH_SIM_RATE and MESHWATCH_SIM_SEED, validated. */
export function simulationSettingsFromEnv(env: Env = process.env, warn: Warn = console.warn): SimulationSettings {
  const settings: SimulationSettings = {
    enabled: !/^(off|0|false|no)$/i.test(env.MESHWATCH_SIM?.trim() ?? ''),
    size: numberFrom(env, 'MESHWATCH_SIM_SIZE', SIMULATOR_DEFAULTS.size, { min: 16, max: 20_000, integer: true }, warn),
    ratePerSecond: numberFrom(env, 'MESHWATCH_SIM_RATE', SIMULATOR_DEFAULTS.ratePerSecond, { min: 0, max: 1_000_000 }, warn),
  };
  const seed = env.MESHWATCH_SIM_SEED?.trim();
  if (seed) settings.seed = seed.slice(0, 128);
  return settings;
}

/** The seed of a project's mesh: the project id, salted by MESHWATCH_SIM_SEED when set. */
export function projectSeed(projectId: string, salt?: string): string {
  return salt ? `${salt}:${projectId}` : projectId;
}

/** PORT and HOST for the standalone server. */
export function listenSettingsFromEnv(env: Env = process.env, warn: Warn = console.warn): { port: number; host: string } {
  return {
    port: numberFrom(env, 'PORT', 8080, { min: 0, max: 65_535, integer: true }, warn),
    host: env.HOST?.trim() || '127.0.0.1',
  };
}

function numberFrom(
  env: Env,
  name: string,
  fallback: number,
  range: { min: number; max: number; integer?: boolean },
  warn: Warn,
): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  const ok = Number.isFinite(value) && value >= range.min && value <= range.max && (!range.integer || Number.isInteger(value));
  if (ok) return value;
  warn(`[meshwatch] ignoring ${name}=${JSON.stringify(raw)}: expected ${range.integer ? 'an integer' : 'a number'} from ${range.min} to ${range.max}; using ${fallback}`);
  return fallback;
}
