import { connect as tcpConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../src/protocol/close-codes.ts';
import { SUBPROTOCOL } from '../../src/protocol/frames.ts';
import { mulberry32 } from '../../src/lib/prng.ts';
import type { GatewayOptions, GatewayStats } from '../../src/server/gateway.ts';
import { batchRanges, expectContiguous, expectContiguousRanges, startGateway, TestClient, waitFor, type RunningGateway } from './support.ts';

/** One hostile frame and what a correct gateway answers to it on a welcomed connection. */
interface Fuzz {
  data: string | Buffer;
  binary?: boolean;
  reply: 'error' | 'pong';
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));

/** Random text that is valid UTF-8 (surrogates excluded), with JSON's punctuation over-represented. */
function randomText(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const r = rng();
    if (r < 0.3) out += pick(rng, ['{', '}', '[', ']', '"', ':', ',', '\\', 'true', 'null', '-', '1e9']);
    else if (r < 0.8) out += String.fromCharCode(int(rng, 0x20, 0x7e));
    else out += String.fromCodePoint(pick(rng, [int(rng, 0x80, 0xd7ff), int(rng, 0xe000, 0xfffd), int(rng, 0x10000, 0x10ffff)]));
  }
  return out;
}

const nested = (depth: number, open: string, middle: string, close: string) => open.repeat(depth) + middle + close.repeat(depth);

/** Valid JSON that is no client message: wrong types, wrong shapes, unknown and hostile types. */
const MALFORMED: readonly unknown[] = [
  null,
  true,
  42,
  'hello',
  [],
  [{ type: 'ping' }],
  {},
  { type: 123 },
  { type: null },
  { type: ['ping'] },
  { type: 'ping', id: '7' },
  { type: 'ping', id: 1.5 },
  { type: 'ping', id: 1e300 },
  { type: 'subscribe', channels: 'events' },
  { type: 'subscribe', channels: [{}] },
  { type: 'subscribe', channels: ['nope'] },
  { type: 'subscribe', channels: ['logs:'] },
  { type: 'subscribe', channels: [`logs:${'x'.repeat(5_000)}`] },
  { type: 'subscribe', channels: Array.from({ length: 306 }, (_, i) => `logs:n${i}`) },
  { type: 'unsubscribe', channels: null },
  { type: 'logs', nodeId: 1, action: 'pause' },
  { type: 'logs', nodeId: 'a', action: 'explode' },
  { type: 'logs', nodeId: 'a', action: 'filter', minLevel: 'fatal' },
  { type: 'logs', nodeId: 'a', action: 'filter', text: 'x'.repeat(201) },
  // Valid in shape, but this connection streams no log of that node.
  { type: 'logs', nodeId: '__proto__', action: 'pause' },
  { type: 'logs', nodeId: 'constructor', action: 'filter', minLevel: 'warn' },
  { type: 'auth' },
  { type: 'auth', token: '' },
  { type: 'auth', token: 'x'.repeat(8_193) },
  { type: '__proto__' },
  { type: 'constructor' },
  { type: 'toString' },
  { type: 'hasOwnProperty' },
  { type: 'batch', from: 1, to: 2, messages: [] },
  { type: 'snapshot' },
  { type: 'welcome' },
  { type: 'error', code: 'x', message: 'y' },
  { type: 'HELLO', version: 1 },
  { type: 'hello ', version: 1 },
  { constructor: { prototype: { polluted: true } } },
  { prototype: { polluted: true } },
];

/** Hellos no gateway should take, whatever the phase. */
const BAD_HELLOS: readonly unknown[] = [
  { type: 'hello' },
  { type: 'hello', version: '1' },
  { type: 'hello', version: 1.5 },
  { type: 'hello', version: 1, channels: ['__proto__'] },
  { type: 'hello', version: 1, channels: ['constructor', 'prototype'] },
  { type: 'hello', version: 1, channels: [`logs:${'x'.repeat(5_000)}`] },
  { type: 'hello', version: 1, channels: 'events' },
  { type: 'hello', version: 1, channels: Array.from({ length: 306 }, (_, i) => `logs:n${i}`) },
  { type: 'hello', version: 1, resume: { epoch: 'e', seq: -1 } },
  { type: 'hello', version: 1, resume: { epoch: 'e', seq: null } },
  { type: 'hello', version: 1, resume: { epoch: 'e', seq: 1.5 } },
  { type: 'hello', version: 1, resume: { epoch: 'e', seq: '10' } },
  { type: 'hello', version: 1, resume: { epoch: 'e', seq: 2 ** 53 + 2 } },
  { type: 'hello', version: 1, resume: { epoch: 'e', seq: 1e300 } },
  { type: 'hello', version: 1, resume: { epoch: '', seq: 1 } },
  { type: 'hello', version: 1, resume: { epoch: 'x'.repeat(65), seq: 1 } },
  { type: 'hello', version: 1, resume: { epoch: { toString: 'x' }, seq: 1 } },
  { type: 'hello', version: 1, resume: [] },
  { type: 'hello', version: 1, logs: [{ nodeId: '__proto__', minLevel: 'loud' }] },
  { type: 'hello', version: 1, logs: Array.from({ length: 257 }, (_, i) => ({ nodeId: `n${i}` })) },
  { type: 'hello', version: 1, token: '' },
  { type: 'hello', version: 1, token: 'x'.repeat(8_193) },
];
/** Text that JSON.parse would take as numbers out of range (Infinity) or NaN-like: not JSON we accept. */
const BAD_HELLO_TEXTS: readonly string[] = [
  '{"type":"hello","version":1,"resume":{"epoch":"e","seq":1e400}}',
  '{"type":"hello","version":1,"resume":{"epoch":"e","seq":-1e400}}',
  '{"type":"hello","version":1,"resume":{"epoch":"e","seq":NaN}}',
  '{"type":"hello","version":1,"resume":{"epoch":"e","seq":Infinity}}',
  '{"type":"hello","version":1,"__proto__":{"polluted":true},"channels":["__proto__"]}',
];
/** Well-formed hellos with hostile content: taken in the hello phase, out of turn once welcomed. */
const HOSTILE_VALID_HELLOS: readonly unknown[] = [
  { type: 'hello', version: 1, channels: ['logs:__proto__', 'logs:constructor', 'logs:prototype'] },
  { type: 'hello', version: 1, resume: { epoch: 'x'.repeat(64), seq: Number.MAX_SAFE_INTEGER } },
  { type: 'hello', version: 1, channels: ['events'], logs: [{ nodeId: '__proto__', paused: true }] },
];
/** Pings dressed up with pollution keys: the gateway must answer them and keep the keys to itself. */
const POLLUTING_PINGS: readonly string[] = [
  '{"type":"ping","__proto__":{"polluted":true}}',
  '{"type":"ping","id":3,"constructor":{"prototype":{"polluted":true}}}',
  '{"__proto__":{"polluted":true},"type":"ping","id":4}',
  '{"type":"ping","id":5,"prototype":{"polluted":true},"__proto__":{"__proto__":{"polluted":true}}}',
];

interface FuzzOptions {
  /** Include megabyte-scale frames (kept rare: they cost time). */
  huge: boolean;
  /** Include well-formed hellos (only out of turn once welcomed). */
  validHellos: boolean;
  /** Share of plain and polluting pings among the frames. */
  pingShare: number;
}

function fuzzFrame(rng: Rng, { huge, validHellos, pingShare }: FuzzOptions): Fuzz {
  if (rng() < pingShare) {
    return rng() < 0.5 ? { data: pick(rng, POLLUTING_PINGS), reply: 'pong' } : { data: JSON.stringify({ type: 'ping', id: int(rng, 0, 1e6) }), reply: 'pong' };
  }
  const roll = rng();
  if (huge && roll < 0.004) {
    // Just under the frame limit: parsed, then refused.
    const size = int(rng, 300_000, 1024 * 1024 - 64);
    return { data: pick(rng, [`{"type":"ping","id":"${'x'.repeat(size)}"}`, `{"type":"hello","version":1,"token":"${'y'.repeat(size)}"}`, 'z'.repeat(size)]), reply: 'error' };
  }
  if (roll < 0.15) return { data: randomText(rng, int(rng, 1, 300)), reply: 'error' };
  if (roll < 0.25) {
    const bytes = Buffer.alloc(int(rng, 1, 600));
    for (let i = 0; i < bytes.length; i++) bytes[i] = int(rng, 0, 255);
    return { data: bytes, binary: true, reply: 'error' };
  }
  if (roll < 0.3) {
    const depth = int(rng, 100, 20_000);
    return {
      data: pick(rng, [
        nested(depth, '[', '', ']'),
        nested(depth, '{"a":', '1', '}'),
        `{"type":"hello","version":1,"channels":${nested(depth, '[', '"events"', ']')}}`,
        `{"type":"logs","nodeId":"a","action":"filter","text":${nested(depth, '{"t":', '"x"', '}')}}`,
        nested(depth, '[', '', ''), // never closed
      ]),
      reply: 'error',
    };
  }
  if (roll < 0.55) {
    return { data: JSON.stringify(pick(rng, MALFORMED)), reply: 'error' };
  }
  if (roll < 0.75) return { data: JSON.stringify(pick(rng, BAD_HELLOS)), reply: 'error' };
  if (roll < 0.85) return { data: pick(rng, BAD_HELLO_TEXTS), reply: 'error' };
  if (validHellos && roll < 0.9) return { data: JSON.stringify(pick(rng, HOSTILE_VALID_HELLOS)), reply: 'error' };
  // Truncated and doubled JSON.
  const valid = JSON.stringify({ type: 'ping', id: int(rng, 0, 100) });
  return { data: pick(rng, [valid.slice(0, int(rng, 1, valid.length - 1)), valid + valid, `${valid},`, `\u0000${valid}`, `${valid}\u0000`]), reply: 'error' };
}

function send(client: TestClient, fuzz: Fuzz): void {
  client.socket.send(fuzz.data, { binary: fuzz.binary === true });
}

/** A raw WebSocket frame from client to server; `mask: false` breaks the protocol on purpose. */
function rawFrame(first: number, payload: Buffer, mask = true): Buffer {
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const header = payload.length < 126 ? Buffer.from([first, (mask ? 0x80 : 0) | payload.length]) : Buffer.from([first, (mask ? 0x80 : 0) | 126, payload.length >> 8, payload.length & 0xff]);
  const body = mask ? Buffer.from(payload.map((byte, i) => byte ^ key[i % 4]!)) : payload;
  return Buffer.concat([header, mask ? key : Buffer.alloc(0), body]);
}

/** The close code among the server's frames after its HTTP response (unmasked frames, any length); null until it has arrived. */
function closeCodeIn(received: Buffer): number | null {
  const start = received.indexOf('\r\n\r\n');
  if (start < 0) return null;
  const bytes = received.subarray(start + 4);
  for (let at = 0; at + 2 <= bytes.length; ) {
    const opcode = bytes[at]! & 0x0f;
    let length = bytes[at + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      if (at + 4 > bytes.length) return null;
      length = bytes.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      if (at + 10 > bytes.length) return null;
      length = Number(bytes.readBigUInt64BE(at + 2));
      header = 10;
    }
    if (at + header + length > bytes.length) return null;
    if (opcode === 0x8) return bytes.readUInt16BE(at + header);
    at += header + length;
  }
  return null;
}

/** Completes a (floor) handshake by hand, then writes `frame`; resolves with the close code the gateway sends, or -1 if it just hangs up. */
async function rawProtocolError(running: RunningGateway, frame: Buffer): Promise<number> {
  const socket = tcpConnect(running.port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => {});
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.write(
    'GET /ws?project=p1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  await waitFor(() => Buffer.concat(chunks).includes('\r\n\r\n'), 'handshake');
  socket.write(frame);
  let ended = false;
  socket.on('close', () => (ended = true));
  await waitFor(() => closeCodeIn(Buffer.concat(chunks)) !== null || ended, 'close frame');
  return closeCodeIn(Buffer.concat(chunks)) ?? -1;
}

const gateways: RunningGateway[] = [];
const clients: TestClient[] = [];
const sockets: Socket[] = [];
const publishers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const timer of publishers.splice(0)) clearInterval(timer);
  for (const client of clients.splice(0)) client.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

interface Target {
  running: RunningGateway;
  internalErrors: unknown[];
  healthy: TestClient;
}

/** A gateway with a healthy v1 client that receives a steady stream the whole time. */
async function target(options: GatewayOptions): Promise<Target> {
  const internalErrors: unknown[] = [];
  const running = await startGateway({ flushIntervalMs: 10, onError: (error) => internalErrors.push(error), ...options });
  gateways.push(running);
  const healthy = await open(running);
  let i = 0;
  publishers.push(setInterval(() => {
    for (let k = 0; k < 3; k++) running.gateway.publish('p1', { type: 'event', message: `tick ${i++}`, severity: 'info' });
  }, 2));
  await waitFor(() => healthy.envelopes.length > 10, 'healthy client receiving');
  return { running, internalErrors, healthy };
}

async function open(running: RunningGateway, options: { protocols?: string[]; hello?: Record<string, unknown> | false } = {}): Promise<TestClient> {
  const client = new TestClient(running.url('p1'), options.protocols ?? [SUBPROTOCOL], { hello: options.hello ?? {} });
  clients.push(client);
  const floor = options.protocols?.length === 0;
  await waitFor(
    () => client.closeEvent !== null || (floor || options.hello === false ? client.socket.readyState === client.socket.OPEN : client.welcome !== undefined),
    'connection ready',
  );
  return client;
}

const count = (client: TestClient, kind: 'error' | 'pong') => client.frames.filter((f) => f.kind === kind).length;

async function expectHealthy({ running, healthy, internalErrors }: Target): Promise<void> {
  const last = running.gateway.room('p1')!.seq;
  await waitFor(() => (batchRanges(healthy).at(-1)?.to ?? 0) >= last, 'healthy client caught up', 10_000);
  expect(healthy.closeEvent).toBeNull();
  expectContiguous(healthy.envelopes.map((e) => e.seq), healthy.snapshot!.seq + 1);
  expectContiguousRanges(batchRanges(healthy), healthy.snapshot!.seq + 1);
  expect(internalErrors).toEqual([]);
  // Still taking new viewers.
  const fresh = await open(running);
  expect(fresh.welcome).toBeDefined();
  await waitFor(() => fresh.snapshot !== undefined, 'fresh snapshot');
}

describe('gateway under hostile input', () => {
  it('counts and refuses thousands of malformed, oversized and hostile frames while a healthy client misses nothing', { timeout: 40_000 }, async () => {
    const seed = Date.now() >>> 0;
    const rng = mulberry32(seed);
    let thrown = 0;

    // A gateway that lets a bad client go on (so every frame is answered) ...
    const lenient = await target({ maxMessagesPerSecond: 1_000_000, maxBadMessages: 1_000_000 });
    // ... and one with the defaults (20 messages/s, bursts of 40; 20 bad messages).
    const strict = await target({});
    const protocolCloses = new Map<RunningGateway, number>([
      [lenient.running, 0],
      [strict.running, 0],
    ]);

    // 1. Welcomed v1 and floor connections, each answered frame by frame.
    const expected: Array<{ client: TestClient; errors: number; pongs: number }> = [];
    const answered = [
      ...(await Promise.all(Array.from({ length: 8 }, () => open(lenient.running, { hello: { channels: ['events'] } })))),
      ...(await Promise.all(Array.from({ length: 2 }, () => open(lenient.running, { protocols: [] })))),
    ];
    for (const client of answered) {
      let errors = 0;
      let pongs = 0;
      const frames = client.socket.protocol === SUBPROTOCOL ? 600 : 200;
      for (let i = 0; i < frames; i++) {
        const fuzz = fuzzFrame(rng, { huge: true, validHellos: true, pingShare: 0.1 });
        send(client, fuzz);
        thrown++;
        if (fuzz.reply === 'error') errors++;
        else pongs++;
      }
      expected.push({ client, errors, pongs });
    }

    // 2. v1 connections that have not said hello: bad hellos and everything else refused, then a hostile but valid hello.
    const unwelcomed = await Promise.all(Array.from({ length: 6 }, () => open(lenient.running, { hello: false })));
    const hostileHellos: unknown[] = [];
    for (const [n, client] of unwelcomed.entries()) {
      let errors = 0;
      let pongs = 0;
      for (let i = 0; i < 40; i++) {
        const fuzz = fuzzFrame(rng, { huge: false, validHellos: false, pingShare: 0.1 });
        send(client, fuzz);
        thrown++;
        if (fuzz.reply === 'error') errors++;
        else pongs++;
      }
      for (const hello of BAD_HELLOS) {
        client.send(JSON.stringify(hello));
        thrown++;
        errors++;
      }
      const hello = HOSTILE_VALID_HELLOS[n % HOSTILE_VALID_HELLOS.length]!;
      hostileHellos.push(hello);
      client.send(JSON.stringify(hello));
      thrown++;
      expected.push({ client, errors, pongs });
    }

    // 3. Connections that break the WebSocket protocol itself: each closed, each counted once.
    const oversized = await open(lenient.running);
    oversized.send(JSON.stringify({ type: 'ping', id: 'x'.repeat(1024 * 1024) }));
    const badUtf8 = await open(lenient.running);
    badUtf8.socket.send(Buffer.from([0x7b, 0xc3, 0x28, 0xa0, 0xa1, 0x7d]), { binary: false });
    thrown += 2;
    expect((await oversized.closed()).code).toBe(CLOSE_CODES.messageTooBig);
    expect((await badUtf8.closed()).code).toBe(1007);
    protocolCloses.set(lenient.running, protocolCloses.get(lenient.running)! + 2);
    const rawFrames = [
      rawFrame(0x81, Buffer.from('{"type":"ping"}'), false), // unmasked
      rawFrame(0x83, Buffer.from('reserved opcode')),
      rawFrame(0xc1, Buffer.from('{"type":"ping"}')), // RSV1 without an extension
      rawFrame(0x89, Buffer.alloc(126)), // a ping longer than a control frame may be
      rawFrame(0x09, Buffer.from('x')), // a fragmented ping
      rawFrame(0x88, Buffer.from([0x03, 0xe7])), // close code 999
      rawFrame(0x80, Buffer.from('continuation of nothing')),
      rawFrame(0x01, Buffer.from([0xff, 0xfe])), // the first fragment of a text message that is not UTF-8 (finished below)
    ];
    for (const [i, frame] of rawFrames.entries()) {
      const running = i % 2 === 0 ? lenient.running : strict.running;
      const code = await rawProtocolError(running, i === rawFrames.length - 1 ? Buffer.concat([frame, rawFrame(0x80, Buffer.from([0x80]))]) : frame);
      thrown++;
      expect([1002, 1007], `raw frame ${i}`).toContain(code);
      protocolCloses.set(running, protocolCloses.get(running)! + 1);
    }
    // Garbage instead of an HTTP request: the HTTP server's business, but it must not take the gateway down.
    for (let i = 0; i < 3; i++) {
      const socket = tcpConnect(lenient.running.port, '127.0.0.1');
      sockets.push(socket);
      socket.on('error', () => {});
      socket.write(Buffer.from(randomText(rng, 200)));
      thrown++;
    }

    // 4. With the defaults: bursts of bad frames (closed at 20 with 1008) and of pings (closed past 40 with 4429).
    const strictClients = await Promise.all(Array.from({ length: 30 }, () => open(strict.running, { hello: { channels: ['events'] } })));
    for (const [n, client] of strictClients.entries()) {
      const pingShare = n % 3 === 0 ? 0.95 : 0;
      for (let i = 0; i < 60; i++) {
        send(client, fuzzFrame(rng, { huge: false, validHellos: true, pingShare }));
        thrown++;
      }
    }

    // Every answered connection got exactly one reply per frame, in kind.
    for (const [i, { client, errors, pongs }] of expected.entries()) {
      await waitFor(() => count(client, 'error') >= errors && count(client, 'pong') >= pongs, `replies on connection ${i}`, 15_000);
      await client.barrier();
      expect({ connection: i, errors: count(client, 'error'), pongs: count(client, 'pong') }).toEqual({ connection: i, errors, pongs });
      expect(client.closeEvent).toBeNull();
    }
    for (const [n, client] of unwelcomed.entries()) {
      await waitFor(() => client.welcome !== undefined, 'welcome after the hostile hello');
      const hello = hostileHellos[n] as { resume?: unknown };
      expect(client.welcome!.resume).toBe('snapshot');
      expect(client.welcome!.reason).toBe(hello.resume ? 'epoch-changed' : 'new');
      expect(client.frames.filter((f) => f.kind === 'error').every((f) => f.kind === 'error' && ['invalid-message', 'not-json', 'binary-frame', 'hello-first'].includes(f.frame.code))).toBe(true);
    }
    for (const client of strictClients) await client.closed();
    const strictCodes = strictClients.map((c) => c.closeEvent!.code);
    expect(strictCodes.every((code) => code === CLOSE_CODES.policyViolation || code === CLOSE_CODES.rateLimited)).toBe(true);
    for (const client of strictClients) {
      if (client.closeEvent!.code === CLOSE_CODES.policyViolation) expect(count(client, 'error')).toBe(20);
      else expect(count(client, 'error') + count(client, 'pong')).toBeGreaterThanOrEqual(39);
    }

    // The counters: every refused frame is an error frame its sender got, or a protocol close.
    const figures = (t: Target, clientsOf: TestClient[]) => {
      const stats: GatewayStats = t.running.gateway.stats();
      const errorFrames = clientsOf.reduce((sum, c) => sum + count(c, 'error'), 0);
      return { stats, errorFrames, protocolCloses: protocolCloses.get(t.running)! };
    };
    const lenientFigures = figures(lenient, [...answered, ...unwelcomed, oversized, badUtf8]);
    const strictFigures = figures(strict, strictClients);
    expect(lenientFigures.stats.clientMessagesRejected).toBe(lenientFigures.errorFrames + lenientFigures.protocolCloses);
    expect(strictFigures.stats.clientMessagesRejected).toBe(strictFigures.errorFrames + strictFigures.protocolCloses);
    expect(strictFigures.stats.rateLimited).toBe(strictCodes.filter((code) => code === CLOSE_CODES.rateLimited).length);
    expect(strictCodes).toContain(CLOSE_CODES.rateLimited);
    expect(strictCodes).toContain(CLOSE_CODES.policyViolation);

    const rejected = lenientFigures.stats.clientMessagesRejected + strictFigures.stats.clientMessagesRejected;
    const closes = strictClients.length + 2 + rawFrames.length;
    console.log(
      `[fuzz] seed ${seed}: frames thrown: ${thrown}; rejected and counted: ${rejected} ` +
        `(lenient gateway ${lenientFigures.stats.clientMessagesRejected}, default gateway ${strictFigures.stats.clientMessagesRejected}); ` +
        `connections closed: ${closes} (1008: ${strictCodes.filter((c) => c === 1008).length}, 4429: ${strictFigures.stats.rateLimited}, ` +
        `protocol errors: ${rawFrames.length + 2}); frames ignored after a close: ${strictClients.length * 60 - strictFigures.errorFrames - strictClients.reduce((s, c) => s + count(c, 'pong'), 0)}`,
    );
    expect(thrown).toBeGreaterThanOrEqual(5_000);

    for (const t of [lenient, strict]) await expectHealthy(t);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    expect((Object.create(null) as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('counts a hello of an unsupported version as a refused frame, as well as closing with 1008', async () => {
    const t = await target({});
    const client = await open(t.running, { hello: false });
    client.send(JSON.stringify({ type: 'hello', version: 2 }));
    const closed = await client.closed();
    expect(closed.code).toBe(CLOSE_CODES.policyViolation);
    expect(JSON.parse(closed.reason)).toMatchObject({ reason: 'unsupported protocol version', version: 1 });
    expect(t.running.gateway.stats().clientMessagesRejected).toBe(1);
  });
});
