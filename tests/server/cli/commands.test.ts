/**
 * The `meshwatch` command as a user runs it (bin/meshwatch.js in a child
 * process) against a gateway in this process: help, exit codes that mean
 * something, and simulate → record → replay feeding and reading real projects.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { mintToken } from '../../../src/server/auth.ts';
import { EXIT } from '../../../src/server/cli/exit-codes.ts';
import { createStandaloneServer, type StandaloneServer } from '../../../src/server/standalone.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const SECRET = 'cli-test-secret-of-at-least-thirty-two-bytes';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `meshwatch <args>`; the environment is the test runner's without meshwatch's own settings. */
function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, ['bin/meshwatch.js', ...args], {
    cwd: root,
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MESHWATCH_'))), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<Run>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

/** Runs `meshwatch <args>` to its end. */
function meshwatch(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return start(args, env).done;
}

let open: StandaloneServer;
let secured: StandaloneServer;
let url: string;
let securedUrl: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshwatch-cli-'));
  open = createStandaloneServer({ simulation: { enabled: false, size: 30, ratePerSecond: 0 } });
  url = `http://127.0.0.1:${(await open.listen(0)).port}`;
  secured = createStandaloneServer({ gateway: { auth: { secret: SECRET } } });
  securedUrl = `http://127.0.0.1:${(await secured.listen(0)).port}`;
});
afterAll(async () => {
  await open.close();
  await secured.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('meshwatch help and usage', () => {
  it('lists its commands and exit codes; each command has --help', async () => {
    const overview = await meshwatch(['--help']);
    expect(overview.code).toBe(EXIT.ok);
    for (const command of ['serve', 'simulate', 'record', 'replay']) expect(overview.stdout).toContain(`  ${command} `);
    expect(overview.stdout).toContain('77 refused');
    for (const command of ['serve', 'simulate', 'record', 'replay']) {
      const help = await meshwatch([command, '--help']);
      expect(help.code).toBe(EXIT.ok);
      expect(help.stdout).toContain(`Usage: meshwatch ${command}`);
      expect(help.stdout).toContain('--help');
    }
    expect((await meshwatch([])).code).toBe(EXIT.usage);
    expect((await meshwatch(['--version'])).stdout).toMatch(/^meshwatch \d+\.\d+\.\d+/);
  });

  it('exits 64 on a bad command line, saying what is wrong', async () => {
    const unknown = await meshwatch(['serv']);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toContain('unknown command "serv"');
    const range = await meshwatch(['simulate', '--size', '3']);
    expect(range.code).toBe(EXIT.usage);
    expect(range.stderr).toContain('--size: expected an integer from 16 to 20000');
    const env = await meshwatch(['simulate'], { MESHWATCH_SIM_RATE: 'lots' });
    expect(env.code).toBe(EXIT.usage);
    expect(env.stderr).toContain('MESHWATCH_SIM_RATE');
    expect((await meshwatch(['replay'])).code).toBe(EXIT.usage);
    expect((await meshwatch(['replay', 'a', '--speed', '0'])).code).toBe(EXIT.usage);
  });

  it('exits 69 when the gateway cannot be reached, 66 for a missing file, 65 for a file that is not a recording', async () => {
    const down = await meshwatch(['simulate', '--url', 'http://127.0.0.1:1', '--duration', '1']);
    expect(down.code).toBe(EXIT.unavailable);
    expect(down.stderr).toContain('cannot reach the gateway');
    expect((await meshwatch(['record', '--url', 'http://127.0.0.1:1', '--duration', '1', '-o', join(dir, 'x.ndjson')])).code).toBe(EXIT.unavailable);
    expect((await meshwatch(['replay', join(dir, 'missing.ndjson'), '--url', url])).code).toBe(EXIT.noInput);
    const notRecording = join(dir, 'not.ndjson');
    writeFileSync(notRecording, '{"hello":"world"}\n');
    const bad = await meshwatch(['replay', notRecording, '--url', url]);
    expect(bad.code).toBe(EXIT.dataError);
    expect(bad.stderr).toContain('not a meshwatch recording');
  });
});

describe('stopping', () => {
  it('exits 0 on Ctrl-C while record waits for a gateway that never sends its snapshot, writing nothing', async () => {
    const silent = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    const connected = new Promise<void>((resolve) => silent.once('connection', () => resolve()));
    await new Promise<void>((resolve) => silent.once('listening', () => resolve()));
    try {
      const port = (silent.address() as AddressInfo).port;
      const { child, done } = start(['record', '--url', `ws://127.0.0.1:${port}`, '-o', join(dir, 'never.ndjson')]);
      // The recorder is connected and waiting for its snapshot: interrupt it as a user would.
      await connected;
      child.kill('SIGINT');
      const result = await done;
      expect(result.code, result.stderr).toBe(EXIT.ok);
      expect(result.stderr).toContain('stopped before the recording began');
      expect(result.stderr).not.toContain('AbortError');
    } finally {
      silent.close();
    }
  });

  it('answers --help even when an environment variable it would parse is bad', async () => {
    const help = await meshwatch(['simulate', '--help'], { MESHWATCH_SIM_RATE: 'lots' });
    expect(help.code).toBe(EXIT.ok);
    expect(help.stdout).toContain('Usage: meshwatch simulate');
  });
});

describe('simulate, record and replay against a running gateway', () => {
  it('simulates into a project, records it, and replays the recording into another with the same topology', { timeout: 60_000 }, async () => {
    const simulated = await meshwatch(['simulate', '--url', url, '--project', 'sim', '--size', '24', '--rate', '300', '--duration', '2']);
    expect(simulated.code, simulated.stderr).toBe(EXIT.ok);
    expect(simulated.stderr).toMatch(/simulate sim: .* published · 0 refused .* done/);
    const source = open.gateway.room('sim')!.state.snapshot();
    expect(source.nodes.length).toBeGreaterThanOrEqual(24);

    const file = join(dir, 'sim.ndjson');
    const recorded = await meshwatch(['record', '--url', url, '--project', 'sim', '--duration', '1', '-o', file]);
    expect(recorded.code, recorded.stderr).toBe(EXIT.ok);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ meshwatch: 'recording', version: 1, project: 'sim' });
    expect(lines.length).toBeGreaterThan(source.nodes.length + source.edges.length);

    const replayed = await meshwatch(['replay', file, '--url', url, '--project', 'copy', '--speed', 'max']);
    expect(replayed.code, replayed.stderr).toBe(EXIT.ok);
    const copy = open.gateway.room('copy')!.state.snapshot();
    const ids = (items: { id: string }[]) => items.map((item) => item.id).sort();
    expect(ids(copy.nodes)).toEqual(ids(source.nodes));
    expect(ids(copy.edges)).toEqual(ids(source.edges));
    expect(copy.nodes.map((n) => `${n.id}:${n.status}`).sort()).toEqual(source.nodes.map((n) => `${n.id}:${n.status}`).sort());
  });

  it('exits 77 when the gateway refuses the token, for publishing and for recording', async () => {
    const file = join(dir, 'sim.ndjson');
    const viewer = await mintToken(SECRET, { sub: 'viewer', projects: '*' });
    const replay = await meshwatch(['replay', file, '--url', securedUrl, '--speed', 'max'], { MESHWATCH_TOKEN: viewer });
    expect(replay.code).toBe(EXIT.noPermission);
    expect(replay.stderr).toContain('403');
    const record = await meshwatch(['record', '--url', securedUrl, '--duration', '1', '-o', join(dir, 'refused.ndjson')], { MESHWATCH_TOKEN: 'garbage' });
    expect(record.code).toBe(EXIT.noPermission);
    const publisher = await mintToken(SECRET, { sub: 'ci', projects: '*', publish: true });
    const allowed = await meshwatch(['replay', file, '--url', securedUrl, '--project', 'ok', '--speed', 'max'], { MESHWATCH_TOKEN: publisher });
    expect(allowed.code, allowed.stderr).toBe(EXIT.ok);
    expect(secured.gateway.room('ok')!.seq).toBeGreaterThan(0);
  });
});

