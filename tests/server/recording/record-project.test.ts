import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { mintToken } from '../../../src/server/auth.ts';
import { configureLog } from '../../../src/server/log.ts';
import type { GatewayOptions } from '../../../src/server/gateway.ts';
import { projectSocketUrl, recordProject, RecordError } from '../../../src/server/recording/record-project.ts';
import { startGateway, waitFor, type RunningGateway } from '../support.ts';
import { EMPTY_STATE, FakeGateway } from './fake-gateway.ts';
import { HeldClock, tempDir } from './support.ts';

const SECRET = 'meshwatch-test-secret-0123456789-abcdef';

const gateways: RunningGateway[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const running of gateways.splice(0)) await running.close();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function gateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const running = await startGateway({ flushIntervalMs: 10, ...options });
  gateways.push(running);
  return running;
}

async function outFile(): Promise<string> {
  const files = await tempDir();
  cleanups.push(files.remove);
  return files.path('out.ndjson');
}

async function refusal(promise: Promise<unknown>): Promise<RecordError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RecordError);
  return error as RecordError;
}

const event = (message: string) => ({ type: 'event', severity: 'info', message }) as const;

describe('the gateway URL a recorder connects to', () => {
  it.each([
    ['http://localhost:5173', 'ws://localhost:5173/ws?project=demo'],
    ['https://dash.example.com/', 'wss://dash.example.com/ws?project=demo'],
    ['ws://127.0.0.1:8080', 'ws://127.0.0.1:8080/ws?project=demo'],
    ['wss://gw.example.com/custom/ws', 'wss://gw.example.com/custom/ws?project=demo'],
    ['ws://h/ws?project=other', 'ws://h/ws?project=demo'],
  ])('is made from %s', (base, url) => {
    expect(projectSocketUrl(base, 'demo')).toBe(url);
  });

  it('escapes the project id', () => {
    expect(projectSocketUrl('ws://h', 'a b&c')).toBe('ws://h/ws?project=a+b%26c');
  });

  it.each(['localhost:5173', 'ftp://h', ''])('refuses %j', (base) => {
    expect(() => projectSocketUrl(base, 'demo')).toThrow(RecordError);
  });
});

describe('recording a project', () => {
  it('stops at maxMessages, the snapshot counted, and closes the file', async () => {
    const running = await gateway();
    running.gateway.publishAll('p1', [event('one'), event('two'), event('three')]);
    const out = await outFile();
    const result = await recordProject({ url: running.url('p1'), project: 'p1', out, maxMessages: 2 });
    expect(result).toMatchObject({ messages: 2, stoppedBy: 'max-messages', snapshots: 1 });
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).map((line) => JSON.parse(line).data.message)).toEqual(['one', 'two']);
  });

  it('stops after maxDurationMs, on its clock', async () => {
    const running = await gateway();
    const clock = new HeldClock();
    let recorded = -1;
    const out = await outFile();
    const recording = recordProject({ url: running.url('p1'), project: 'p1', out, maxDurationMs: 60_000, clock, progressIntervalMs: 0, onProgress: (p) => (recorded = p.messages) });
    await waitFor(() => recorded === 0, 'the recording started');
    running.gateway.publish('p1', event('during'));
    await waitFor(() => recorded === 1, 'the event recorded');
    clock.release(60_000);
    const result = await recording;
    expect(result).toMatchObject({ messages: 1, stoppedBy: 'max-duration' });
  });

  it('sends the token in the hello, where a gateway with auth wants it', async () => {
    const running = await gateway({ auth: { secret: SECRET } });
    running.gateway.publish('p1', event('secret'));
    const token = await mintToken(SECRET, { sub: 'recorder', projects: ['p1'] });
    const out = await outFile();
    const result = await recordProject({ url: running.url('p1'), project: 'p1', token, out, maxMessages: 1 });
    expect(result.messages).toBe(1);
    expect(result.header.source).not.toContain(token);
    expect(await readFile(out, 'utf8')).not.toContain(token);
  });

  it('writes to a stream the caller owns, and leaves it open', async () => {
    const running = await gateway();
    running.gateway.publish('p1', event('to a stream'));
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const result = await recordProject({ url: running.url('p1'), project: 'p1', out: stream, maxMessages: 1 });
    expect(stream.writableEnded).toBe(false);
    expect(text.split('\n')).toHaveLength(3);
    expect(Buffer.byteLength(text)).toBe(result.bytes);
  });

  it('ends with the close code and reason when the gateway goes away', async () => {
    const running = await gateway();
    let started = false;
    const recording = recordProject({ url: running.url('p1'), project: 'p1', out: await outFile(), onStart: () => (started = true) });
    await waitFor(() => started, 'the recording started');
    await running.close();
    const result = await recording;
    expect(result.stoppedBy).toBe('closed');
    expect(result.close).toEqual({ code: 1001, reason: 'gateway going away: gateway shutting down' });
  });
});

describe('a recorder facing a gap in the stream', () => {
  it('asks for a snapshot and writes only what it had missed', async () => {
    const fake = await FakeGateway.start();
    cleanups.push(() => fake.close());
    const controller = new AbortController();
    let progress = { snapshots: 0, seq: 0 };
    const out = await outFile();
    const recording = recordProject({ url: fake.url, project: 'p1', out, signal: controller.signal, progressIntervalMs: 0, onProgress: (p) => (progress = p) });
    await fake.hello();
    fake.snapshot(0, EMPTY_STATE, 'new');
    fake.batch(1, [event('e1'), event('e2')]);
    // Seqs 3 and 4 never come.
    fake.batch(5, [event('e5')]);
    await waitFor(() => fake.received.some((m) => m.type === 'resync'), 'a resync');
    // Still in flight when the resync was sent: superseded by the snapshot.
    fake.batch(6, [event('e6')]);
    const events = ['e1', 'e2', 'e3', 'e4', 'e5', 'e6'].map((message, i) => ({ ts: 1_001 + i, message, severity: 'info' as const }));
    fake.snapshot(6, { ...EMPTY_STATE, events }, 'client-requested');
    fake.batch(7, [event('e7')]);
    await waitFor(() => progress.seq === 7, 'the stream after the snapshot');
    controller.abort();
    const result = await recording;
    expect(result.snapshots).toBe(2);
    const messages = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => JSON.parse(line).data.message);
    expect(messages).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
  });
});

describe('a recorder writing to a slow file', () => {
  it('stops reading the socket while the file catches up, and still answers the close when stopped', async () => {
    const fake = await FakeGateway.start();
    cleanups.push(() => fake.close());
    // A file that takes nothing until released: the first write fills it.
    const pending: Array<() => void> = [];
    let stuck = true;
    const slow = new Writable({ highWaterMark: 64, write: (_chunk, _encoding, callback) => (stuck ? void pending.push(() => callback()) : callback()) });
    const release = () => {
      stuck = false;
      for (const write of pending.splice(0)) write();
    };
    const clock = new HeldClock();
    const controller = new AbortController();
    let recorded = 0;
    const recording = recordProject({ url: fake.url, project: 'p1', out: slow, clock, signal: controller.signal, progressIntervalMs: 0, onProgress: (p) => (recorded = p.messages) });
    await fake.hello();
    fake.snapshot(0, EMPTY_STATE);
    fake.batch(1, [event('first')]);
    await waitFor(() => recorded === 1, 'the first batch recorded');

    // Sent while the file is stuck: a reading client would record the batch, then answer the ping.
    fake.batch(2, [event('second')]);
    fake.ping();
    // A socket still read would have done both long before this (no assertion on time: a paused one never does).
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(recorded).toBe(1);
    expect(fake.pongs).toBe(0);
    // Once the file has taken the first batch, the socket is read again: the second batch, then the ping.
    release();
    await waitFor(() => recorded === 2 && fake.pongs === 1, 'the second batch read once the file caught up');

    // Stuck again, and stopped while the socket is paused for it.
    stuck = true;
    fake.batch(3, [event('third')]);
    await waitFor(() => recorded === 3, 'the third batch recorded');
    controller.abort();
    // The socket was paused for the file; the gateway's answer to the close is read all the same
    // (the held clock keeps the recorder from simply cutting the connection).
    await waitFor(() => fake.closeCode !== null, 'the close answered');
    expect(fake.closeCode).toBe(1000);
    release();
    const result = await recording;
    expect(result).toMatchObject({ messages: 3, stoppedBy: 'signal' });
  });
});

describe('a recorder with a callback that throws', () => {
  it('keeps recording, and warns once, when onProgress throws inside the socket handler', async () => {
    const warnings: string[] = [];
    configureLog({ level: 'warn', err: (line) => void warnings.push(line) });
    cleanups.push(() => configureLog(null));
    const fake = await FakeGateway.start();
    cleanups.push(() => fake.close());
    let calls = 0;
    const out = new PassThrough();
    out.resume();
    const recording = recordProject({
      url: fake.url,
      project: 'p1',
      out,
      maxMessages: 3,
      progressIntervalMs: 0,
      onProgress: () => {
        calls++;
        throw new Error('progress bar broke');
      },
    });
    await fake.hello();
    fake.snapshot(0, EMPTY_STATE);
    fake.batch(1, [event('one')]);
    fake.batch(2, [event('two'), event('three')]);
    const result = await recording;
    expect(result).toMatchObject({ messages: 3, stoppedBy: 'max-messages' });
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 'warn', project: 'p1', error: { message: 'progress bar broke' } });
  });

  it('keeps recording when onStart throws', async () => {
    configureLog({ level: 'error', err: () => {} });
    cleanups.push(() => configureLog(null));
    const running = await gateway();
    running.gateway.publish('p1', event('one'));
    const out = new PassThrough();
    out.resume();
    const result = await recordProject({
      url: running.url('p1'),
      project: 'p1',
      out,
      maxMessages: 1,
      onStart: () => {
        throw new Error('no terminal');
      },
    });
    expect(result).toMatchObject({ messages: 1, stoppedBy: 'max-messages' });
  });
});

describe('a recording that cannot begin', () => {
  it('fails with 4404 for a project the gateway does not know, and writes no file', async () => {
    const running = await gateway({ projects: ['p1'] });
    const out = await outFile();
    const error = await refusal(recordProject({ url: running.url(), project: 'nope', out }));
    expect(error).toMatchObject({ code: 'closed', closeCode: 4404 });
    expect(error.message).toContain('4404 unknown project');
    expect(existsSync(out)).toBe(false);
  });

  it('fails with 4401 without a token when the gateway wants one', async () => {
    const running = await gateway({ auth: { secret: SECRET } });
    const error = await refusal(recordProject({ url: running.url(), project: 'p1', out: await outFile() }));
    expect(error).toMatchObject({ code: 'closed', closeCode: 4401 });
    expect(error.message).toContain('missing, invalid or expired token');
  });

  it('fails with the HTTP status when the upgrade is refused', async () => {
    const running = await gateway();
    const error = await refusal(recordProject({ url: running.url(), project: '   ', out: await outFile() }));
    expect(error).toMatchObject({ code: 'http-refused', httpStatus: 400 });
    expect(error.message).toContain('HTTP 400');
  });

  it('fails when nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await refusal(recordProject({ url: `ws://127.0.0.1:${port}`, project: 'p1', out: await outFile() }));
    expect(error.code).toBe('connect-failed');
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  it('fails when the server is not a meshwatch gateway', async () => {
    const server = createServer();
    // A plain WebSocket server that speaks no subprotocol.
    const wss = new WebSocketServer({ server, handleProtocols: () => false });
    wss.on('connection', (socket) => socket.send('{"hello":"world"}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => wss.close(() => server.close(() => resolve()))));
    const { port } = server.address() as AddressInfo;
    const error = await refusal(recordProject({ url: `ws://127.0.0.1:${port}`, project: 'p1', out: await outFile() }));
    expect(error.code).toBe('not-meshwatch');
  });

  it('fails with a timeout when no snapshot comes', async () => {
    const server = createServer();
    // Accepts meshwatch.v1, then says nothing.
    const wss = new WebSocketServer({ server, handleProtocols: (protocols) => [...protocols][0] ?? false });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => wss.close(() => server.close(() => resolve()))));
    const { port } = server.address() as AddressInfo;
    const error = await refusal(recordProject({ url: `ws://127.0.0.1:${port}`, project: 'p1', out: await outFile(), connectTimeoutMs: 200 }));
    expect(error.code).toBe('timeout');
  });

  it('rejects at once when aborted before it began', async () => {
    const running = await gateway();
    const controller = new AbortController();
    controller.abort(new Error('user pressed Ctrl-C'));
    await expect(recordProject({ url: running.url(), project: 'p1', out: await outFile(), signal: controller.signal })).rejects.toThrow('Ctrl-C');
  });
});
