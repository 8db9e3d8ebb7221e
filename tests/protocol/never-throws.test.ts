/**
 * Property-style: the decoders see a few thousand random and mutated frames
 * and must answer every one without throwing, and anything they let through
 * must satisfy the schema. The PRNG is seeded, so a failure reproduces.
 */
import { describe, expect, it } from 'vitest';
import { decodeClientMessage, decodeServerFrame, encodeBatchFrame, encodeEnvelope, encodeSnapshotFrame } from '../../src/protocol/codec.ts';
import {
  AuthenticatedFrame,
  ClientMessage,
  ErrorFrame,
  LogsFrame,
  PongFrame,
  PresenceFrame,
  SnapshotFrame,
  WelcomeFrame,
} from '../../src/protocol/frames.ts';
import { Envelope } from '../../src/protocol/messages.ts';
import { prng } from '../support/prng.ts';

type Rng = ReturnType<typeof prng>;

const corpus: string[] = [
  encodeEnvelope({ seq: 1, ts: 10, data: { type: 'node-upsert', node: { id: 'a', label: 'A', kind: 'k', status: 'healthy', meta: { x: 1 } } } }),
  encodeEnvelope({ seq: 2, ts: 11, data: { type: 'node-status', id: 'a', status: 'down' } }),
  encodeEnvelope({ seq: 3, ts: 12, data: { type: 'edge-stats', id: 'e', stats: { rps: 1, errorRate: 0.5, p95Ms: 3 } } }),
  encodeEnvelope({ seq: 4, ts: 13, data: { type: 'event', message: 'hi', severity: 'warn', nodeId: 'a' } }),
  encodeEnvelope({ seq: 5, ts: 14, data: { type: 'log-chunk', nodeId: 'a', text: 'a\nb', level: 'error' } }),
  encodeEnvelope({ seq: 6, ts: 15, data: { type: 'chart-point', series: 's', value: { t: 1, y: 2 }, nodeId: 'a' } }),
  encodeEnvelope({ seq: 7, ts: 16, data: { type: 'progress', progress: { id: 'p', label: 'P', percent: 5, status: 'running' } } }),
  encodeBatchFrame([
    encodeEnvelope({ seq: 8, ts: 17, data: { type: 'edge-upsert', edge: { id: 'e', source: 'a', target: 'b' } } }),
    encodeEnvelope({ seq: 9, ts: 18, data: { type: 'edge-delete', id: 'e' } }),
    encodeEnvelope({ seq: 10, ts: 19, data: { type: 'node-delete', id: 'a' } }),
  ], 8, 10),
  encodeBatchFrame([encodeEnvelope({ seq: 14, ts: 20, data: { type: 'chart-point', series: 's', value: { t: 2, y: 3 } } })], 11, 14, 2),
  encodeSnapshotFrame('e1', 3, {
    nodes: [{ id: 'a', label: 'A', kind: 'k', status: 'healthy' }],
    edges: [{ id: 'e', source: 'a', target: 'a', stats: { rps: 0, errorRate: 0, p95Ms: 0 } }],
    progress: [],
    events: [{ ts: 1, message: 'm', severity: 'info' }],
    series: [{ series: 's', points: [{ t: 1, y: 1 }] }],
    logs: [{ nodeId: 'a', lines: [{ ts: 1, level: 'info', text: 't' }] }],
  }, 'gap-too-old'),
  JSON.stringify({
    type: 'welcome',
    version: 1,
    epoch: 'e1',
    seq: 3,
    resume: 'replay',
    replayed: 2,
    heartbeatIntervalMs: 30_000,
    idleTimeoutMs: 60_000,
    limits: { maxFrameBytes: 1_048_576, maxMessagesPerSecond: 20, maxBatchMessages: 500, flushIntervalMs: 100 },
    channels: ['topology', 'logs:a'],
    user: 'ann',
    tokenExpiresAt: 99,
    presence: { connections: 1, users: ['ann'] },
  }),
  '{"type":"presence","connections":2,"users":["ann"]}',
  '{"type":"logs","nodeId":"a","seq":4,"lines":[{"ts":1,"level":"warn","text":"x"}],"options":{"minLevel":"warn","paused":false}}',
  '{"type":"authenticated","user":"ann","tokenExpiresAt":null}',
  '{"type":"pong","id":1,"ts":5}',
  '{"type":"error","code":"x","message":"y"}',
  '{"type":"ping","id":4}',
  '{"type":"hello","version":1,"resume":{"epoch":"e1","seq":3},"channels":["events","logs:a"],"logs":[{"nodeId":"a","text":"GET"}]}',
  '{"type":"subscribe","channels":["stats"]}',
  '{"type":"logs","nodeId":"a","action":"pause"}',
  '{"type":"resync"}',
  '{"type":"auth","token":"t"}',
];

const ALPHABET = '{}[]":,.-+eE0123456789 \n\t\\/abcdefghijklmnopqrstuvwxyz_ABCXYZ\u00e9\u2713\ud83d\ude00\ud800';
const WEIRD_VALUES = ['-1', '1e400', '-1e400', '0.5', 'null', 'true', '"x"', '[]', '{}', '""', '1e-400', '"__proto__"'];
const KEYS = [
  'type', 'seq', 'ts', 'data', 'messages', 'state', 'epoch', 'id', 'node', 'stats', 'series', 'value',
  'from', 'to', 'coalesced', 'version', 'channels', 'connections', 'users', 'lines', 'reason', '__proto__', 'constructor',
];
const TYPES = [
  'batch', 'snapshot', 'welcome', 'presence', 'logs', 'authenticated', 'pong', 'error',
  'ping', 'hello', 'subscribe', 'resync', 'auth',
  'node-upsert', 'node-status', 'event', 'log-chunk', 'chart-point', 'toString',
];

function randomText(rng: Rng): string {
  let out = '';
  const length = rng.int(120);
  for (let i = 0; i < length; i++) out += ALPHABET[rng.int(ALPHABET.length)];
  return out;
}

function mutate(rng: Rng, text: string): string {
  let out = text;
  const edits = 1 + rng.int(4);
  for (let i = 0; i < edits; i++) {
    const at = rng.int(out.length + 1);
    switch (rng.int(6)) {
      case 0: // delete a range
        out = out.slice(0, at) + out.slice(at + 1 + rng.int(8));
        break;
      case 1: // insert noise
        out = out.slice(0, at) + randomText(rng).slice(0, 1 + rng.int(6)) + out.slice(at);
        break;
      case 2: // replace a number with something odd
        out = out.replace(/-?\d+(\.\d+)?/, () => rng.pick(WEIRD_VALUES));
        break;
      case 3: // duplicate a chunk
        out = out.slice(0, at) + out.slice(at, at + 1 + rng.int(30)) + out.slice(at);
        break;
      case 4: // truncate
        out = out.slice(0, at);
        break;
      default: // swap a string value for another type name
        out = out.replace(/"(node-[a-z]+|batch|snapshot|welcome|presence|event|ping|pong|hello)"/, () => `"${rng.pick(TYPES)}"`);
    }
  }
  return out;
}

function randomValue(rng: Rng, depth = 0): unknown {
  switch (depth > 3 ? rng.int(4) : rng.int(7)) {
    case 0:
      return rng.pick([0, -1, 1.5, 2 ** 53, -0, 1e308]);
    case 1:
      return rng.pick(['', 'a', 'x'.repeat(300), ...TYPES]);
    case 2:
      return rng.pick([null, true, false]);
    case 3:
      return undefined;
    case 4:
      return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      const keys = rng.int(5);
      for (let i = 0; i < keys; i++) object[rng.pick(KEYS)] = randomValue(rng, depth + 1);
      if (rng.next() < 0.6) object.type = rng.pick(TYPES);
      return object;
    }
  }
}

function generateInputs(seed: number, count: number): string[] {
  const rng = prng(seed);
  const inputs: string[] = [];
  for (let i = 0; i < count; i++) {
    const roll = rng.next();
    if (roll < 0.25) inputs.push(randomText(rng));
    else if (roll < 0.7) inputs.push(mutate(rng, rng.pick(corpus)));
    else inputs.push(JSON.stringify(randomValue(rng)) ?? 'undefined');
  }
  return inputs;
}

/** What each decoded kind that carries a frame must satisfy. */
const FRAME_SCHEMAS = {
  welcome: WelcomeFrame,
  snapshot: SnapshotFrame,
  logs: LogsFrame,
  presence: PresenceFrame,
  authenticated: AuthenticatedFrame,
  pong: PongFrame,
  error: ErrorFrame,
} as const;
const SERVER_KINDS = new Set([...Object.keys(FRAME_SCHEMAS), 'messages', 'invalid']);
const CLIENT_CODES = new Set(['too-large', 'not-json', 'invalid-message']);

describe('the decoders', () => {
  const inputs = generateInputs(0xc0ffee, 4_000);

  it('generate the same inputs from the same seed', () => {
    expect(generateInputs(0xc0ffee, 50)).toEqual(inputs.slice(0, 50));
  });

  it('answer every random or mutated server frame without throwing, and pass on only valid data', () => {
    const failures: string[] = [];
    const seen = new Map<string, number>();
    for (const text of [...corpus, ...inputs]) {
      try {
        const decoded = decodeServerFrame(text);
        seen.set(decoded.kind, (seen.get(decoded.kind) ?? 0) + 1);
        if (!SERVER_KINDS.has(decoded.kind)) failures.push(`unknown kind ${decoded.kind} for ${JSON.stringify(text)}`);
        if (!Number.isInteger(decoded.rejected) || decoded.rejected < 0) failures.push(`bad rejected count for ${JSON.stringify(text)}`);
        // A batch with a backwards range is refused with every envelope in it counted; anything else invalid counts once.
        if (decoded.kind === 'invalid' && decoded.rejected < 1) failures.push(`invalid frame not counted: ${JSON.stringify(text)}`);
        if (decoded.kind === 'invalid' && decoded.rejected !== 1 && decoded.reason !== 'invalid batch range') {
          failures.push(`invalid frame not counted once: ${JSON.stringify(text)}`);
        }
        if (decoded.kind === 'messages' && !decoded.messages.every((m) => Envelope.safeParse(m).success)) {
          failures.push(`invalid message passed through: ${JSON.stringify(text)}`);
        }
        if (decoded.kind === 'messages' && decoded.range && decoded.range.to < decoded.range.from - 1) {
          failures.push(`backwards range passed through: ${JSON.stringify(text)}`);
        }
        if (decoded.kind !== 'messages' && decoded.kind !== 'invalid' && !FRAME_SCHEMAS[decoded.kind].safeParse(decoded.frame).success) {
          failures.push(`invalid ${decoded.kind} passed through: ${JSON.stringify(text)}`);
        }
      } catch (error) {
        failures.push(`threw ${String(error)} on ${JSON.stringify(text)}`);
      }
    }
    expect(failures).toEqual([]);
    // The inputs must exercise both sides, or the loop proves nothing.
    expect(seen.get('invalid')).toBeGreaterThan(1_000);
    expect(seen.get('messages')).toBeGreaterThan(50);
    for (const kind of ['snapshot', 'welcome', 'presence', 'logs', 'authenticated']) expect(seen.get(kind), kind).toBeGreaterThan(0);
  });

  it('answer every random or mutated client frame without throwing', () => {
    const failures: string[] = [];
    let accepted = 0;
    for (const text of [...corpus, ...inputs]) {
      try {
        const decoded = decodeClientMessage(text);
        if (decoded.ok) {
          accepted++;
          if (!ClientMessage.safeParse(decoded.message).success) failures.push(`invalid message passed: ${JSON.stringify(text)}`);
        } else if (!CLIENT_CODES.has(decoded.code)) {
          failures.push(`unknown code ${decoded.code} for ${JSON.stringify(text)}`);
        }
      } catch (error) {
        failures.push(`threw ${String(error)} on ${JSON.stringify(text)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(accepted).toBeGreaterThan(0);
  });

  it('answer non-string frames without throwing', () => {
    const rng = prng(7);
    const values: unknown[] = [
      undefined,
      null,
      0,
      Symbol('frame'),
      () => '{}',
      new ArrayBuffer(4),
      new Uint8Array([123, 125]),
      Buffer.from('{"type":"pong","ts":1}'),
      new Proxy({}, { get: () => { throw new Error('trap'); } }),
      ...Array.from({ length: 300 }, () => randomValue(rng)).filter((value) => typeof value !== 'string'),
    ];
    for (const value of values) {
      expect(() => decodeServerFrame(value)).not.toThrow();
      expect(decodeServerFrame(value)).toMatchObject({ kind: 'invalid', rejected: 1 });
    }
  });
});
