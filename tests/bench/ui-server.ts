/**
 * The server `npm run bench:ui` measures against: `npm start` (the standalone
 * server with the built app) in a child process of its own, so the simulator
 * and gateway at 10,000 messages per second do not share an event loop with
 * the Playwright driver that sends the mouse moves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GatewayStats } from '../../src/server/gateway.ts';
import { freePort } from '../e2e/dev-server.ts';
import { sleep } from './ui-measure.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

export interface BenchServer {
  origin: string;
  /** Envelopes the gateway sent plus those it coalesced away for slow readers: with one viewer, what it published on that viewer's channels. */
  published(): Promise<number>;
  close(): Promise<void>;
}

/** Starts `src/server/main.ts` simulating `size` nodes at `rate` messages/s per project, and waits for /healthz. */
export async function startBenchServer(size: number, rate: number): Promise<BenchServer> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // Only the settings chosen here: a token secret or project list from the caller's shell would lock the page out.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MESHWATCH_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', MESHWATCH_SIM_SIZE: String(size), MESHWATCH_SIM_RATE: String(rate) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const health = async (): Promise<GatewayStats> => {
    const response = await fetch(`${origin}/healthz`);
    if (!response.ok) throw new Error(`/healthz answered ${response.status}`);
    return ((await response.json()) as { gateway: GatewayStats }).gateway;
  };
  const close = () => stop(child, exited);

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} on start:\n${stderr}`);
    try {
      await health();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await close();
        throw new Error(`the server did not answer /healthz within ${START_TIMEOUT_MS / 1000} s (${String(error)}):\n${stderr}`);
      }
      await sleep(100);
    }
  }
  return {
    origin,
    async published() {
      const stats = await health();
      return stats.messagesSent + stats.messagesCoalesced;
    },
    close,
  };
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
