import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient, waitFor } from './support.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
let child: ChildProcess | null = null;

function startMain(env: Record<string, string>): { output: () => string; exit: Promise<number | null> } {
  let output = '';
  child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exit = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  return { output: () => output, exit };
}

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = null;
});

describe('npm start (src/server/main.ts)', () => {
  it('listens where PORT and HOST say, serves health and the gateway, and closes clients with 1001 on SIGTERM', async () => {
    const main = startMain({ MESHWATCH_SIM: 'off' });
    await waitFor(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(main.output()), 'listening line', 15_000);
    expect(main.output()).toContain('simulator off');
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(main.output())![1]);

    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const client = await TestClient.open(`ws://127.0.0.1:${port}/ws?project=demo`);
    await waitFor(() => client.snapshot !== undefined, 'snapshot');
    expect(client.snapshot!.state.nodes).toEqual([]); // simulator off

    child!.kill('SIGTERM');
    expect((await client.closed()).code).toBe(1001);
    expect(await main.exit).toBe(0);
  });

  it('simulates the mesh by default, sized by MESHWATCH_SIM_SIZE', async () => {
    const main = startMain({ MESHWATCH_SIM_SIZE: '60' });
    await waitFor(() => /listening on/.test(main.output()), 'listening line', 15_000);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(main.output())![1]);
    const client = await TestClient.open(`ws://127.0.0.1:${port}/ws?project=demo`);
    await waitFor(() => client.snapshot !== undefined, 'snapshot');
    expect(client.snapshot!.state.nodes).toHaveLength(60);
    client.close();
    child!.kill('SIGINT');
    expect(await main.exit).toBe(0);
  });
});
