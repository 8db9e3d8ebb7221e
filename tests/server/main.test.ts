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
    env: { ...inheritedEnv(), HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exit = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  return { output: () => output, exit };
}

/** The test runner's environment without meshwatch's own settings, which would change what start-up prints. */
function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MESHWATCH_')));
}

const SECRET = 'a shared secret of at least thirty-two bytes';

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = null;
});

describe('npm start (src/server/main.ts)', () => {
  it('listens where PORT and HOST say, serves health and the gateway, and closes clients with 1001 on SIGTERM', async () => {
    const main = startMain({ MESHWATCH_SIM: 'off' });
    await waitFor(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(main.output()), 'listening line', 15_000);
    expect(main.output()).toContain('simulator off');
    expect(main.output()).toContain('meshwatch: no token auth configured: loopback only (127.0.0.1); anyone on this machine can watch');
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
    await waitFor(() => /listening on http/.test(main.output()), 'listening line', 15_000);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(main.output())![1]);
    const client = await TestClient.open(`ws://127.0.0.1:${port}/ws?project=demo`);
    await waitFor(() => client.snapshot !== undefined, 'snapshot');
    expect(client.snapshot!.state.nodes).toHaveLength(60);
    client.close();
    child!.kill('SIGINT');
    expect(await main.exit).toBe(0);
  });

  it('listens on 127.0.0.1 instead of HOST=0.0.0.0 without token auth, and says why', async () => {
    const main = startMain({ MESHWATCH_SIM: 'off', HOST: '0.0.0.0' });
    // The notice goes to stderr, the listening line to stdout: two pipes, either may be read first.
    await waitFor(() => /listening on http/.test(main.output()) && /no token auth/.test(main.output()), 'listening line and notice', 15_000);
    expect(main.output()).toContain(
      'meshwatch: no token auth configured (set MESHWATCH_JWT_SECRET or MESHWATCH_JWT_PUBLIC_KEY): listening on 127.0.0.1 only, not 0.0.0.0',
    );
    expect(main.output()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    child!.kill('SIGTERM');
    expect(await main.exit).toBe(0);
  });

  it('keeps HOST and prints no notice with token auth configured', async () => {
    const main = startMain({ MESHWATCH_SIM: 'off', HOST: '0.0.0.0', MESHWATCH_JWT_SECRET: SECRET });
    await waitFor(() => /listening on http/.test(main.output()), 'listening line', 15_000);
    expect(main.output()).toMatch(/listening on http:\/\/0\.0\.0\.0:\d+/);
    expect(main.output()).not.toContain('no token auth');
    child!.kill('SIGTERM');
    expect(await main.exit).toBe(0);
  });

  it('refuses to start with exit status 2 on bad token auth settings, saying what is wrong', async () => {
    const main = startMain({ MESHWATCH_JWT_SECRET: 'too short' });
    expect(await main.exit).toBe(2);
    expect(main.output()).toMatch(/^meshwatch serve: MESHWATCH_JWT_SECRET is 9 bytes/m);
    expect(main.output()).not.toContain('listening on http');
  });

  it('closes a viewer of a project not in MESHWATCH_PROJECTS with 4404', async () => {
    const main = startMain({ MESHWATCH_SIM: 'off', MESHWATCH_PROJECTS: 'prod,staging' });
    await waitFor(() => /listening on http/.test(main.output()), 'listening line', 15_000);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(main.output())![1]);
    const known = await TestClient.open(`ws://127.0.0.1:${port}/ws?project=prod`);
    await waitFor(() => known.snapshot !== undefined, 'snapshot');
    const unknown = new TestClient(`ws://127.0.0.1:${port}/ws?project=demo`);
    expect((await unknown.closed()).code).toBe(4404);
    known.close();
    child!.kill('SIGTERM');
    expect(await main.exit).toBe(0);
  });
});
