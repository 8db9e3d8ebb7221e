/**
 * Server settings read from the environment, in one place, each validated:
 * a bad value is reported and replaced by the default rather than crashing
 * the dev server or the gateway. (Token auth is the exception: auth-env.ts
 * refuses to start on a bad key, since falling back would mean no auth.)
 *
 *   PORT                                  standalone server port (default 8080)
 *   HOST                                  standalone server host (default 127.0.0.1; loopback only without token auth)
 *   MESHWATCH_SIM                         `off` disables the simulator (default on)
 *   MESHWATCH_SIM_SIZE                    approximate node count of each simulated mesh (default 30)
 *   MESHWATCH_SIM_RATE                    messages per second per simulated project (default 150)
 *   MESHWATCH_SIM_SEED                    mixed into every project's seed, to see a different mesh (default none)
 *   MESHWATCH_ALLOWED_ORIGINS             comma-separated http(s) origins whose pages may connect besides loopback
 *                                         ones and same-host ones reached by IP, e.g. https://dash.example.com;
 *                                         list the server's own origin to serve the app under a DNS name (default none)
 *   MESHWATCH_PROJECTS                    comma-separated project ids; others are unknown, closed with 4404 (default: any)
 *   MESHWATCH_MAX_CONNECTIONS_PER_USER    sockets one user may hold (default 50)
 *   MESHWATCH_MAX_CONNECTIONS_PER_PROJECT sockets watching one project (default 1000)
 *   MESHWATCH_JWT_SECRET                  HS256/384/512 shared secret of at least 32 bytes, for token auth
 *   MESHWATCH_JWT_PUBLIC_KEY              or a PEM public key (the text, or a path to its file) for RS256, ES256, EdDSA...
 *   MESHWATCH_JWT_ALG                     the one algorithm to accept (default: inferred)
 *   MESHWATCH_JWT_ISSUER                  required `iss` claim (default: not checked)
 *   MESHWATCH_JWT_AUDIENCE                required `aud` claim (default: not checked)
 *   MESHWATCH_LOG_LEVEL                   debug, info, warn or error: entries below it are dropped (default info);
 *                                         debug adds every connection's open and close
 *   MESHWATCH_LOG_FORMAT                  json (one JSON object a line: time, level, msg, fields) or text (one
 *                                         line for people) (default text when stdout is a terminal, json otherwise)
 *
 * The MESHWATCH_JWT_* are read by auth-env.ts, the MESHWATCH_LOG_* by log.ts
 * (`logSettingsFromEnv`). With neither a secret nor a key there is no token
 * auth, and `npm start` listens on loopback only.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ProjectId } from '../protocol/mesh.ts';
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

/** Who may connect, and how many at once, from MESHWATCH_ALLOWED_ORIGINS, MESHWATCH_PROJECTS and the connection limits. */
export interface AccessSettings {
  /** MESHWATCH_ALLOWED_ORIGINS: comma-separated origins (e.g. https://dash.example.com), each validated as an http(s) origin; bad entries warned about and skipped. */
  allowedOrigins: string[];
  /** MESHWATCH_PROJECTS: comma-separated project ids (1..128 chars, trimmed); when set, other projects are unknown (the gateway closes with 4404). undefined when unset/empty. */
  projects?: string[];
  /** MESHWATCH_MAX_CONNECTIONS_PER_USER (default 50, 1..100000) */
  maxConnectionsPerUser: number;
  /** MESHWATCH_MAX_CONNECTIONS_PER_PROJECT (default 1000, 1..1000000) */
  maxConnectionsPerProject: number;
}

/** MESHWATCH_ALLOWED_ORIGINS, MESHWATCH_PROJECTS and MESHWATCH_MAX_CONNECTIONS_PER_*, validated. */
export function accessSettingsFromEnv(env: Env = process.env, warn: Warn = console.warn): AccessSettings {
  const settings: AccessSettings = {
    allowedOrigins: listFrom(env, 'MESHWATCH_ALLOWED_ORIGINS', originOf, 'an http(s) origin such as https://dash.example.com', warn),
    maxConnectionsPerUser: numberFrom(env, 'MESHWATCH_MAX_CONNECTIONS_PER_USER', 50, { min: 1, max: 100_000, integer: true }, warn),
    maxConnectionsPerProject: numberFrom(env, 'MESHWATCH_MAX_CONNECTIONS_PER_PROJECT', 1_000, { min: 1, max: 1_000_000, integer: true }, warn),
  };
  const projects = listFrom(env, 'MESHWATCH_PROJECTS', (id) => (ProjectId.safeParse(id).success ? id : null), 'a project id of 1 to 128 characters', warn);
  // Set but with every entry refused stays an (empty) list: failing closed, not open to every project.
  if (entriesOf(env.MESHWATCH_PROJECTS).length > 0) settings.projects = projects;
  return settings;
}

/**
 * Where the standalone server may listen. Without token auth anyone who can
 * reach the port can watch every project, so a HOST that is not loopback
 * (127.0.0.0/8, ::1, localhost) is replaced by 127.0.0.1; `notice` says so,
 * in one line for the start-up output. With auth, HOST is kept.
 */
export function loopbackListenHost(host: string, authConfigured: boolean): { host: string; notice: string | null } {
  if (authConfigured) return { host, notice: null };
  if (isLoopbackHost(host)) return { host, notice: `no token auth configured: loopback only (${host}); anyone on this machine can watch` };
  return {
    host: '127.0.0.1',
    notice: `no token auth configured (set MESHWATCH_JWT_SECRET or MESHWATCH_JWT_PUBLIC_KEY): listening on 127.0.0.1 only, not ${host}`,
  };
}

function isLoopbackHost(host: string): boolean {
  const name = host.trim().toLowerCase();
  if (name === 'localhost') return true;
  if (isIPv4(name)) return name.startsWith('127.');
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  // Spelled out or not (`0:0:0:0:0:0:0:1`), URL serialises an IPv6 address canonically.
  return isIPv6(bare) && new URL(`http://[${bare}]`).hostname === '[::1]';
}

/** An http(s) origin as a browser sends it, or null when `entry` is anything more or less. */
function originOf(entry: string): string | null {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // A path, query or credentials mean this is a URL, not an origin; no browser would send it.
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') return null;
  return url.origin;
}

/** A comma-separated list: entries trimmed, empty ones dropped, each parsed; bad ones warned about and skipped, duplicates once. */
function listFrom(env: Env, name: string, parse: (entry: string) => string | null, expected: string, warn: Warn): string[] {
  const values = new Set<string>();
  for (const entry of entriesOf(env[name])) {
    const value = parse(entry);
    if (value === null) warn(`[meshwatch] ignoring ${JSON.stringify(entry)} in ${name}: expected ${expected}`);
    else values.add(value);
  }
  return [...values];
}

function entriesOf(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
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
