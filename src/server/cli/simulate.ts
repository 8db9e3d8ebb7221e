/**
 * `meshwatch simulate`: the simulated crawler mesh, published into a running
 * gateway's project over HTTP, exactly as a real publisher would feed it (so
 * it works against any gateway: one with Redis, one started with --no-sim,
 * one on another machine). Runs until stopped or for --duration.
 */
import { startSimulation } from '../simulator/run.ts';
import { SIMULATOR_DEFAULTS } from '../simulator/simulator.ts';
import { GATEWAY_URL_FLAG, PROJECT_FLAG, TOKEN_FLAG } from './common-flags.ts';
import { CliError, EXIT, type ExitCode } from './exit-codes.ts';
import { checkGateway, firstOf, openFeed, untilSignal } from './feed.ts';
import type { CommandSpec, FlagValues } from './flags.ts';
import { clock, count, progressLine } from './progress.ts';

export const SIMULATE: CommandSpec = {
  name: 'simulate',
  summary: 'Publish a simulated crawler mesh into a running gateway, over HTTP.',
  usage: 'meshwatch simulate [flags]',
  description:
    'The same deterministic mesh the gateway simulates by itself (same seed, same mesh), sent through the publish\n' +
    'endpoint. Runs until Ctrl-C, or for --duration seconds; then flushes what is queued and exits.',
  flags: [
    GATEWAY_URL_FLAG,
    PROJECT_FLAG,
    TOKEN_FLAG,
    { name: 'size', short: 'n', kind: 'integer', env: 'MESHWATCH_SIM_SIZE', default: SIMULATOR_DEFAULTS.size, min: 16, max: 20_000, description: 'approximate node count' },
    { name: 'rate', short: 'r', kind: 'number', env: 'MESHWATCH_SIM_RATE', default: SIMULATOR_DEFAULTS.ratePerSecond, min: 0, max: 1_000_000, description: 'messages per second' },
    { name: 'seed', kind: 'string', env: 'MESHWATCH_SIM_SEED', valueName: 'TEXT', description: 'which mesh: the same seed gives the same mesh and traffic (default: the project id)' },
    { name: 'chaos', kind: 'number', env: 'MESHWATCH_SIM_CHAOS', default: 1, min: 0, max: 100, description: 'how often incidents come: 1 as designed, 3 three times as often, 0 never' },
    { name: 'duration', short: 'd', kind: 'number', default: 0, min: 0, valueName: 'SECONDS', description: 'stop after this long (0: until Ctrl-C)' },
  ],
  examples: [
    'meshwatch simulate --project demo --size 200 --rate 2000',
    'MESHWATCH_URL=https://mesh.example.com MESHWATCH_TOKEN=… meshwatch simulate --chaos 3 --duration 600',
  ],
};

export async function simulate(values: FlagValues): Promise<ExitCode> {
  const url = values.url as string;
  const project = values.project as string;
  await checkGateway(url);
  const feed = openFeed({ url, project, token: values.token as string | undefined });
  const signal = untilSignal();
  let failed: unknown = null;
  const stop = startSimulation({ publish: (_project, payload) => feed.publisher.publish(payload) }, project, {
    seed: (values.seed as string | undefined) ?? project,
    size: values.size as number,
    ratePerSecond: values.rate as number,
    chaos: values.chaos as number,
    onError: (error) => (failed = error),
  });
  const progress = progressLine();
  const started = Date.now();
  const durationMs = (values.duration as number) * 1000;
  const line = () => {
    const { accepted, refused, queued, retries, lastError } = feed.publisher.stats();
    const trouble = lastError && queued > 0 ? ` · retrying: ${lastError.message}` : '';
    return `simulate ${project}: ${clock(Date.now() - started)} · ${count(accepted)} published · ${count(refused)} refused · ${count(queued)} queued · ${count(retries)} retries${trouble}`;
  };
  const ticker = setInterval(() => progress.update(line()), 250);
  let reason: string;
  try {
    reason = await firstOf(signal.promise, () => {
      if (feed.fatal()) return 'refused';
      if (failed) return 'failed';
      if (durationMs > 0 && Date.now() - started >= durationMs) return 'done';
      return null;
    });
  } finally {
    stop();
    clearInterval(ticker);
    signal.dispose();
  }
  await feed.publisher.close({ timeoutMs: 5_000 });
  progress.done(`${line()} · ${reason}`);
  const fatal = feed.fatal();
  if (fatal) throw fatal;
  if (failed) throw new CliError(`the simulation failed: ${failed instanceof Error ? failed.message : String(failed)}`, EXIT.failure);
  return feed.publisher.stats().dropped > 0 ? EXIT.failure : EXIT.ok;
}
