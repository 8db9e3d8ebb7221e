/**
 * Hostile input at the edges, with the answer known for each: every input is
 * built to be valid (and must decode to exactly what was sent) or invalid in
 * a known way (and must be refused and counted), from random text and
 * non-strings to deep nesting, huge numbers, wrong types, prototype keys,
 * backwards ranges and batches mixing good and bad envelopes. Then the same
 * kind of frames, interleaved with valid batches, through a live client:
 * the store must hold exactly the valid messages and count the rest.
 * The PRNG is seeded, so a failure reproduces.
 */
import { isDeepStrictEqual } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeClientMessage, decodeServerFrame, type DecodedServerFrame } from '../../src/protocol/codec.ts';
import { FRAME_LIMITS } from '../../src/protocol/frames.ts';
import type { Envelope } from '../../src/protocol/messages.ts';
import { RealtimeConnection } from '../../src/realtime/connection.ts';
import { createRealtimeStore } from '../../src/store/realtime.ts';
import { STORE_LIMITS } from '../../src/store/types.ts';
import { fakeEnvironment, receiveRaw, socketRecorder } from '../realtime/fake-socket.ts';
import { prng } from '../support/prng.ts';

type Rng = ReturnType<typeof prng>;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const HOSTILE_IDS = ['a', 'n-1', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '\u2713', ' '];
const ALPHABET = '{}[]":,.-+eE0123456789 \n\t\\/abcxyz_\u00e9\u2713\ud83d\ude00\ud800\u0000';

const clone = <T>(value: T): T => structuredClone(value);
const DELETE = Symbol('delete');

/** `value` at `path` in a copy of `object` (DELETE removes the key). */
function withChange(object: Json, path: readonly (string | number)[], value: unknown): Json {
  const copy = clone(object) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === DELETE) delete at[last];
  else at[last] = value;
  return copy as Json;
}

// ---------------------------------------------------------------- envelopes

function validEnvelope(rng: Rng, seq: number): Envelope {
  const id = rng.pick(HOSTILE_IDS);
  const ts = 1_700_000_000_000 + seq;
  const payloads: Envelope['data'][] = [
    { type: 'node-upsert', node: { id, label: `node ${id}`, kind: 'fetcher', status: 'healthy', meta: { constructor: 1, toString: 'x', region: 'eu' } } },
    { type: 'node-status', id, status: rng.pick(['healthy', 'degraded', 'down', 'starting', 'unknown'] as const) },
    { type: 'node-delete', id },
    { type: 'edge-upsert', edge: { id: `e-${id}`, source: id, target: 'b', stats: { rps: 1e308, errorRate: 1, p95Ms: 0 } } },
    { type: 'edge-stats', id: `e-${id}`, stats: { rps: 3, errorRate: 0.25, p95Ms: 12 } },
    { type: 'edge-delete', id },
    { type: 'event', message: `event ${seq}`, severity: 'warn', nodeId: id },
    { type: 'log-chunk', nodeId: id, text: 'a\nb', level: 'error' },
    { type: 'chart-point', series: `cpu:${id}`, nodeId: id, value: { t: seq, y: -1e308 } },
    { type: 'progress', progress: { id, label: 'deploy', percent: 100, status: 'complete', step: 3, steps: 3 } },
  ];
  return { seq, ts, data: rng.pick(payloads) };
}

/** Ways to break an envelope, each one enough on its own. */
const ENVELOPE_BREAKS: Array<[path: (string | number)[], value: unknown]> = [
  [['seq'], -1],
  [['seq'], 1.5],
  [['seq'], '7'],
  [['seq'], 2 ** 53],
  [['seq'], DELETE],
  [['ts'], null],
  [['ts'], 'NaN'],
  [['ts'], DELETE],
  [['data'], DELETE],
  [['data'], []],
  [['data'], 'node-upsert'],
  [['data', 'type'], 'node-explode'],
  [['data', 'type'], '__proto__'],
  [['data', 'type'], DELETE],
];
const PAYLOAD_BREAKS: Record<string, Array<[(string | number)[], unknown]>> = {
  'node-upsert': [[['node', 'status'], 'exploded'], [['node', 'id'], ''], [['node', 'label'], 'x'.repeat(201)], [['node', 'meta', 'region'], { deep: 1 }]],
  'node-status': [[['status'], 'fine'], [['id'], 'x'.repeat(129)]],
  'node-delete': [[['id'], 5]],
  'edge-upsert': [[['edge', 'source'], null], [['edge', 'stats', 'errorRate'], 2]],
  'edge-stats': [[['stats', 'rps'], -1], [['stats'], DELETE]],
  'edge-delete': [[['id'], '']],
  event: [[['severity'], 'fatal'], [['message'], 'x'.repeat(2_001)]],
  'log-chunk': [[['level'], 'trace'], [['text'], 'x'.repeat(16_385)]],
  'chart-point': [[['value', 'y'], 'NaN'], [['value'], { t: 1 }], [['series'], '']],
  progress: [[['progress', 'percent'], 101], [['progress', 'steps'], 0]],
};

function invalidEnvelope(rng: Rng, seq: number): Json {
  const envelope = validEnvelope(rng, seq) as unknown as Json;
  if (rng.next() < 0.5) {
    const [path, value] = rng.pick(ENVELOPE_BREAKS);
    return withChange(envelope, path, value);
  }
  const type = (envelope as { data: { type: string } }).data.type;
  const [path, value] = rng.pick(PAYLOAD_BREAKS[type]!);
  return withChange(envelope, ['data', ...path], value);
}

// ---------------------------------------------------------------- server frames

const validServerFrames: Record<string, () => Json> = {
  welcome: () => ({
    type: 'welcome',
    version: 1,
    epoch: 'e1',
    seq: 5,
    resume: 'snapshot',
    reason: 'new',
    heartbeatIntervalMs: 30_000,
    idleTimeoutMs: 60_000,
    limits: { maxFrameBytes: 1_048_576, maxMessagesPerSecond: 20, maxBatchMessages: 500, flushIntervalMs: 100 },
    channels: ['topology', 'logs:__proto__'],
    tokenExpiresAt: null,
    presence: { connections: 1, users: ['ann'] },
  }),
  snapshot: () => ({
    type: 'snapshot',
    reason: 'gap-too-old',
    epoch: 'e1',
    seq: 3,
    state: {
      nodes: [{ id: '__proto__', label: 'p', kind: 'k', status: 'down' }],
      edges: [{ id: 'e', source: '__proto__', target: 'constructor', stats: { rps: 1, errorRate: 0, p95Ms: 2 } }],
      progress: [{ id: 'p', label: 'P', percent: 50, status: 'running' }],
      events: [{ ts: 1, message: 'm', severity: 'info' }],
      series: [{ series: 's', nodeId: 'constructor', points: [{ t: 1, y: 2 }] }],
      logs: [{ nodeId: 'a', lines: [{ ts: 1, level: 'info', text: 't' }] }],
    },
  }),
  logs: () => ({ type: 'logs', nodeId: 'a', seq: 4, lines: [{ ts: 1, level: 'warn', text: 'x' }], options: { minLevel: 'info', paused: false } }),
  presence: () => ({ type: 'presence', connections: 2, users: ['ann', 'bob'] }),
  authenticated: () => ({ type: 'authenticated', user: 'ann', tokenExpiresAt: 1_700_000_000_000 }),
  pong: () => ({ type: 'pong', id: 3, ts: 5 }),
  error: () => ({ type: 'error', code: 'bad-message', message: 'no' }),
};

/** Ways to break each frame type; every one leaves the frame invalid as a whole. */
const FRAME_BREAKS: Record<string, Array<[(string | number)[], unknown]>> = {
  welcome: [
    [['version'], '1'],
    [['epoch'], ''],
    [['seq'], -1],
    [['seq'], 1.5],
    [['resume'], 'maybe'],
    [['reason'], 'because'],
    [['heartbeatIntervalMs'], 0],
    [['limits'], DELETE],
    [['limits', 'maxFrameBytes'], -5],
    [['channels'], ['bogus']],
    [['channels', 0], 'logs:'],
    [['presence'], null],
    [['presence', 'users'], Array.from({ length: 101 }, (_, i) => `u${i}`)],
    [['tokenExpiresAt'], 'soon'],
  ],
  snapshot: [
    [['epoch'], 'x'.repeat(65)],
    [['seq'], '3'],
    [['state'], DELETE],
    [['state', 'nodes'], 'x'],
    [['state', 'nodes', 0, 'status'], 'exploded'],
    [['state', 'edges', 0, 'stats', 'errorRate'], 2],
    [['state', 'events', 0, 'severity'], 'fatal'],
    [['state', 'series', 0, 'points', 0, 'y'], 'NaN'],
    [['state', 'logs'], DELETE],
    [['state', 'progress', 0, 'percent'], 101],
    [['reason'], 'why-not'],
  ],
  logs: [
    [['nodeId'], ''],
    [['seq'], -2],
    [['lines'], {}],
    [['lines', 0, 'level'], 'fatal'],
    [['options', 'paused'], 'yes'],
    [['lines', 0, 'text'], 'x'.repeat(16_385)],
  ],
  presence: [
    [['connections'], -1],
    [['connections'], 0.5],
    [['users'], 'ann'],
    [['users'], Array.from({ length: 101 }, () => 'u')],
  ],
  authenticated: [
    [['user'], 5],
    [['tokenExpiresAt'], DELETE],
    [['user'], 'x'.repeat(129)],
  ],
  pong: [
    [['ts'], DELETE],
    [['ts'], 'now'],
    [['id'], 1.5],
  ],
  error: [
    [['code'], 'x'.repeat(65)],
    [['message'], 7],
    [['code'], DELETE],
  ],
};

const BATCH_BREAKS: Array<[(string | number)[], unknown]> = [
  [['messages'], {}],
  [['messages'], 'x'],
  [['messages'], DELETE],
  [['from'], -1],
  [['to'], 1.5],
  [['coalesced'], -3],
  [['from'], '1'],
];

function randomText(rng: Rng): string {
  let out = '';
  const length = rng.int(200);
  for (let i = 0; i < length; i++) out += ALPHABET[rng.int(ALPHABET.length)];
  return out;
}

/** Any JSON value with no `type` and no `data` key: never a frame. */
function randomJson(rng: Rng, depth = 0): Json {
  switch (depth > 4 ? rng.int(3) : rng.int(5)) {
    case 0:
      return rng.pick([0, -1, 1.5, 2 ** 53, -0, 1e308, -1e308, 5e-324]);
    case 1:
      return rng.pick(['', 'batch', 'pong', '__proto__', 'x'.repeat(500)]);
    case 2:
      return rng.pick([null, true, false]);
    case 3:
      return Array.from({ length: rng.int(5) }, () => randomJson(rng, depth + 1));
    default: {
      const object: Record<string, Json> = {};
      for (let i = rng.int(5); i > 0; i--) object[rng.pick(['seq', 'ts', 'messages', 'from', 'to', 'epoch', 'state', 'x', 'constructor'])] = randomJson(rng, depth + 1);
      return object;
    }
  }
}

/**
 * Nesting thousands deep, where a recursive parser or validator would blow
 * its stack. In a batch it costs only the one envelope it stands for.
 */
function deepNesting(rng: Rng): { text: string; inBatch: boolean } {
  const depth = 1_000 + rng.int(20_000);
  switch (rng.int(4)) {
    case 0:
      return { text: '['.repeat(depth) + ']'.repeat(depth), inBatch: false };
    case 1:
      return { text: '{"a":'.repeat(depth) + '1' + '}'.repeat(depth), inBatch: false };
    case 2:
      return { text: `{"type":"batch","messages":[${'['.repeat(depth)}${']'.repeat(depth)}]}`, inBatch: true };
    default:
      return { text: `{"type":"pong","ts":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`, inBatch: false };
  }
}

/** Frames that try to smuggle fields in through prototype keys; none of them is a frame. */
const PROTOTYPE_FRAMES = [
  '{"__proto__":{"type":"pong","ts":1}}',
  '{"__proto__":{"seq":1,"ts":1,"data":{"type":"node-delete","id":"a"}}}',
  '{"type":"batch","__proto__":{"messages":[]}}',
  '{"type":"welcome","__proto__":{"version":1,"epoch":"e","seq":0,"resume":"replay"}}',
  '{"constructor":{"prototype":{"polluted":true}},"type":"constructor"}',
  '{"type":"__proto__","polluted":true}',
  '{"type":"toString"}',
  '{"type":"hasOwnProperty","data":1}',
  '{"type":"pong","ts":{"__proto__":{"valueOf":1}}}',
];

interface ServerCase {
  input: unknown;
  /** The kind expected, how many rejected, and (valid) what must come out. */
  kind: DecodedServerFrame['kind'];
  rejected: number;
  frame?: Json;
  messages?: Envelope[];
  category: string;
}

function serverCase(rng: Rng, seq: number): ServerCase {
  const roll = rng.int(16);
  switch (roll) {
    case 0:
      return { category: 'random text', input: randomText(rng), kind: 'invalid', rejected: 1 };
    case 1: {
      const value = rng.pick<unknown>([
        Buffer.from(JSON.stringify(validServerFrames.pong!())),
        new Uint8Array([123, 125]),
        new ArrayBuffer(8),
        42,
        null,
        undefined,
        true,
        { type: 'pong', ts: 1 },
        [JSON.stringify(validServerFrames.pong!())],
        Symbol('frame'),
        10n,
        () => '{}',
      ]);
      return { category: 'not a string', input: value, kind: 'invalid', rejected: 1 };
    }
    case 2:
      return { category: 'random JSON', input: JSON.stringify(randomJson(rng)), kind: 'invalid', rejected: 1 };
    case 3: {
      const { text, inBatch } = deepNesting(rng);
      return inBatch
        ? { category: 'deep nesting', input: text, kind: 'messages', rejected: 1, messages: [] }
        : { category: 'deep nesting', input: text, kind: 'invalid', rejected: 1 };
    }
    case 4:
      return { category: 'prototype keys', input: rng.pick(PROTOTYPE_FRAMES), kind: 'invalid', rejected: 1 };
    case 5: {
      const type = rng.pick(Object.keys(validServerFrames));
      const frame = validServerFrames[type]!();
      // Hostile extra keys ride along on a valid frame and are stripped.
      const text = JSON.stringify(frame).replace(/^\{/, '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},');
      return { category: 'valid frame', input: text, kind: type as DecodedServerFrame['kind'], rejected: 0, frame };
    }
    case 6: {
      const type = rng.pick(Object.keys(FRAME_BREAKS));
      const [path, value] = rng.pick(FRAME_BREAKS[type]!);
      return { category: 'broken frame', input: JSON.stringify(withChange(validServerFrames[type]!(), path, value)), kind: 'invalid', rejected: 1 };
    }
    case 7: {
      const envelope = validEnvelope(rng, seq);
      return { category: 'floor envelope', input: JSON.stringify(envelope), kind: 'messages', rejected: 0, messages: [envelope] };
    }
    case 8:
      return { category: 'broken floor envelope', input: JSON.stringify(invalidEnvelope(rng, seq)), kind: 'invalid', rejected: 1 };
    case 9: {
      // Huge and NaN-ish numbers where a number must be finite or a safe integer.
      const text = JSON.stringify(validEnvelope(rng, seq));
      const broken = rng.pick([
        text.replace(/"seq":\d+/, '"seq":1e400'),
        text.replace(/"seq":\d+/, '"seq":9007199254740993'),
        text.replace(/"ts":\d+/, '"ts":-1e400'),
        text.replace(/"seq":\d+/, '"seq":NaN'),
        text.replace(/"ts":\d+/, '"ts":Infinity'),
        text.replace(/"seq":\d+/, '"seq":"NaN"'),
      ]);
      return { category: 'huge or NaN-ish number', input: broken, kind: 'invalid', rejected: 1 };
    }
    case 10: {
      const batch = { type: 'batch', from: seq, to: seq + 2, messages: [validEnvelope(rng, seq)] } as unknown as Json;
      const [path, value] = rng.pick(BATCH_BREAKS);
      return { category: 'broken batch', input: JSON.stringify(withChange(batch, path, value)), kind: 'invalid', rejected: 1 };
    }
    case 11: {
      // A range that runs backwards: everything in it is refused and counted.
      const messages: Json[] = Array.from({ length: 1 + rng.int(4) }, (_, i) =>
        rng.next() < 0.5 ? (validEnvelope(rng, seq + i) as unknown as Json) : invalidEnvelope(rng, seq + i),
      );
      const from = seq + 2 + rng.int(100);
      // `to` stays a valid seq (≥ 0): only the direction is wrong.
      const batch = { type: 'batch', from, to: from - 2 - rng.int(from - 1), messages };
      return { category: 'backwards range', input: JSON.stringify(batch), kind: 'invalid', rejected: messages.length };
    }
    case 12:
    case 13: {
      // Good and bad envelopes in one batch: only the bad ones are dropped, the rest keep their order.
      const good: Envelope[] = [];
      const all: Json[] = [];
      let bad = 0;
      for (let i = rng.int(8); i >= 0; i--) {
        if (rng.next() < 0.5) {
          const envelope = validEnvelope(rng, seq + good.length);
          good.push(envelope);
          all.push(envelope as unknown as Json);
        } else {
          bad++;
          all.push(rng.next() < 0.8 ? invalidEnvelope(rng, seq) : randomJson(rng));
        }
      }
      const ranged = rng.next() < 0.5;
      const batch = ranged ? { type: 'batch', from: seq, to: seq + all.length, coalesced: rng.int(3), messages: all } : { type: 'batch', messages: all };
      return { category: 'mixed batch', input: JSON.stringify(batch), kind: 'messages', rejected: bad, messages: good };
    }
    case 14: {
      const messages = Array.from({ length: rng.int(4) }, (_, i) => validEnvelope(rng, seq + i));
      const batch = { type: 'batch', from: seq, to: seq + Math.max(0, messages.length - 1), messages };
      return { category: 'valid batch', input: JSON.stringify(batch), kind: 'messages', rejected: 0, messages };
    }
    default: {
      const text = JSON.stringify(validServerFrames[rng.pick(Object.keys(validServerFrames))]!());
      const cut = rng.int(text.length - 1);
      const broken = rng.pick([text.slice(0, cut), `${text},`, text.replace(/"type":"/, '"type":"x'), `${text.slice(0, cut)}\u0000${text.slice(cut)}`]);
      return { category: 'truncated or spliced', input: broken, kind: 'invalid', rejected: 1 };
    }
  }
}

// ---------------------------------------------------------------- client messages

const validClientMessages: Record<string, () => Json> = {
  hello: () => ({
    type: 'hello',
    version: 1,
    resume: { epoch: 'e1', seq: 5 },
    channels: ['topology', 'logs:__proto__', 'logs:*'],
    logs: [{ nodeId: 'constructor', minLevel: 'warn', text: 'x', paused: false }],
    token: 'eyJ.abc.def',
  }),
  ping: () => ({ type: 'ping', id: 2 }),
  subscribe: () => ({ type: 'subscribe', channels: ['stats', 'logs:a'] }),
  unsubscribe: () => ({ type: 'unsubscribe', channels: ['events'] }),
  logs: () => ({ type: 'logs', nodeId: 'a', action: 'filter', minLevel: 'error', text: 'boom' }),
  resync: () => ({ type: 'resync' }),
  auth: () => ({ type: 'auth', token: 'abc' }),
};

const CLIENT_BREAKS: Record<string, Array<[(string | number)[], unknown]>> = {
  hello: [
    [['version'], '1'],
    [['version'], 1.5],
    [['version'], 1e400],
    [['resume', 'seq'], -1],
    [['resume', 'seq'], 2 ** 53],
    [['resume', 'epoch'], ''],
    [['channels'], ['nope']],
    [['channels'], 'topology'],
    [['channels'], Array.from({ length: 306 }, () => 'topology')],
    [['logs'], Array.from({ length: 257 }, () => ({ nodeId: 'a' }))],
    [['logs', 0, 'nodeId'], ''],
    [['logs', 0, 'minLevel'], 'fatal'],
    [['token'], ''],
    [['token'], 'x'.repeat(FRAME_LIMITS.maxTokenLength + 1)],
  ],
  ping: [
    [['id'], 1.5],
    [['id'], '2'],
  ],
  subscribe: [
    [['channels'], DELETE],
    [['channels'], ['logs:']],
    [['channels', 0], null],
  ],
  unsubscribe: [[['channels'], { 0: 'events' }]],
  logs: [
    [['action'], 'explode'],
    [['nodeId'], DELETE],
    [['text'], 'x'.repeat(FRAME_LIMITS.maxLogFilterText + 1)],
    [['minLevel'], 'fatal'],
  ],
  resync: [[['type'], 'RESYNC']],
  auth: [
    [['token'], 5],
    [['token'], DELETE],
    [['type'], DELETE],
  ],
};

const CLIENT_PROTOTYPE_MESSAGES = [
  '{"__proto__":{"type":"resync"}}',
  '{"type":"subscribe","__proto__":{"channels":["topology"]}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"type":"__proto__"}',
  '{"type":"constructor"}',
  '{"type":"hello","version":1,"__proto__":{"resume":{"epoch":"e","seq":1}},"resume":{"__proto__":{"epoch":"e","seq":1}}}',
];

interface ClientCase {
  input: string;
  ok: boolean;
  message?: Json;
  category: string;
}

function clientCase(rng: Rng): ClientCase {
  switch (rng.int(9)) {
    case 0:
      return { category: 'random text', input: randomText(rng), ok: false };
    case 1:
      return { category: 'random JSON', input: JSON.stringify(randomJson(rng)), ok: false };
    case 2:
      return { category: 'deep nesting', input: deepNesting(rng).text.replace('"batch","messages"', '"subscribe","channels"'), ok: false };
    case 3:
      return { category: 'prototype keys', input: rng.pick(CLIENT_PROTOTYPE_MESSAGES), ok: false };
    case 4:
    case 5: {
      const type = rng.pick(Object.keys(validClientMessages));
      const message = validClientMessages[type]!();
      const text = JSON.stringify(message).replace(/^\{/, '{"__proto__":{"polluted":true},');
      return { category: 'valid message', input: text, ok: true, message };
    }
    case 6:
    case 7: {
      const type = rng.pick(Object.keys(CLIENT_BREAKS));
      const [path, value] = rng.pick(CLIENT_BREAKS[type]!);
      return { category: 'broken message', input: JSON.stringify(withChange(validClientMessages[type]!(), path, value)), ok: false };
    }
    default: {
      const text = JSON.stringify(validClientMessages[rng.pick(Object.keys(validClientMessages))]!());
      const broken = rng.pick([text.slice(0, rng.int(text.length - 1)), text.replace(/"type":"/, '"type":"x'), `[${text}]`, `${text}}`]);
      return { category: 'truncated or spliced', input: broken, ok: false };
    }
  }
}

const tally = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
const describeInput = (input: unknown) => (typeof input === 'string' ? JSON.stringify(input.slice(0, 160)) : String(typeof input));

let prototypeBefore: string[];
beforeEach(() => {
  prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
});
afterEach(() => {
  // Nothing decoded may have written to the prototypes every object shares.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype.hasOwnProperty.call(Array.prototype, 'polluted')).toBe(false);
});

describe('the decoders under hostile input', () => {
  it('answer 10,000 server frames as built: valid ones decoded exactly, every invalid one refused and counted', () => {
    const rng = prng(0x5eed);
    const failures: string[] = [];
    const byCategory = new Map<string, number>();
    let valid = 0;
    let invalid = 0;
    let rejectedEnvelopes = 0;
    const cases: ServerCase[] = [
      // Just past the limit: refused unread.
      { category: 'too large', input: ' '.repeat(FRAME_LIMITS.maxServerFrameBytes + 1), kind: 'invalid', rejected: 1 },
    ];
    for (let i = 0; i < 10_000; i++) cases.push(serverCase(rng, 1 + rng.int(1_000_000)));

    for (const c of cases) {
      tally(byCategory, c.category);
      let decoded: DecodedServerFrame;
      try {
        decoded = decodeServerFrame(c.input);
      } catch (error) {
        failures.push(`${c.category}: threw ${String(error)} on ${describeInput(c.input)}`);
        continue;
      }
      if (decoded.kind !== c.kind || decoded.rejected !== c.rejected) {
        failures.push(`${c.category}: expected ${c.kind}/${c.rejected}, got ${decoded.kind}/${decoded.rejected} for ${describeInput(c.input)}`);
        continue;
      }
      if (decoded.kind === 'invalid') invalid++;
      else valid++;
      rejectedEnvelopes += decoded.kind === 'messages' ? decoded.rejected : 0;
      if (decoded.kind === 'messages' && !isDeepStrictEqual(decoded.messages, c.messages)) {
        failures.push(`${c.category}: messages differ for ${describeInput(c.input)}`);
      }
      if ('frame' in decoded && c.frame !== undefined) {
        if (!isDeepStrictEqual(decoded.frame, c.frame)) failures.push(`${c.category}: frame differs for ${describeInput(c.input)}`);
        if (Object.getPrototypeOf(decoded.frame) !== Object.prototype || Object.hasOwn(decoded.frame, '__proto__')) {
          failures.push(`${c.category}: decoded frame carries a prototype key`);
        }
      }
    }
    console.log(
      `decodeServerFrame: ${cases.length} inputs, ${valid} decoded, ${invalid} refused as invalid, ` +
        `${rejectedEnvelopes} bad envelopes dropped from decoded batches, ${failures.length} failures; ` +
        [...byCategory].map(([category, count]) => `${category} ${count}`).join(', '),
    );
    expect(failures.slice(0, 20)).toEqual([]);
    expect(cases.length).toBeGreaterThan(10_000);
    expect(invalid).toBeGreaterThan(4_000);
    expect(valid).toBeGreaterThan(2_000);
  });

  it('answer 10,000 client messages as built: valid ones decoded exactly, every invalid one refused', () => {
    const rng = prng(0xc11e);
    const failures: string[] = [];
    const byCode = new Map<string, number>();
    const byCategory = new Map<string, number>();
    const cases: ClientCase[] = [{ category: 'too large', input: ' '.repeat(FRAME_LIMITS.maxClientFrameBytes + 1), ok: false }];
    for (let i = 0; i < 10_000; i++) cases.push(clientCase(rng));

    for (const c of cases) {
      tally(byCategory, c.category);
      try {
        const decoded = decodeClientMessage(c.input);
        tally(byCode, decoded.ok ? 'ok' : decoded.code);
        if (decoded.ok !== c.ok) failures.push(`${c.category}: expected ok=${c.ok} for ${describeInput(c.input)}`);
        else if (decoded.ok) {
          if (!isDeepStrictEqual(decoded.message, c.message)) failures.push(`${c.category}: message differs for ${describeInput(c.input)}`);
          if (Object.hasOwn(decoded.message, '__proto__')) failures.push(`${c.category}: decoded message carries __proto__`);
        }
      } catch (error) {
        failures.push(`${c.category}: threw ${String(error)} on ${describeInput(c.input)}`);
      }
    }
    console.log(
      `decodeClientMessage: ${cases.length} inputs; ` +
        [...byCode].map(([code, count]) => `${code} ${count}`).join(', ') +
        `; ${failures.length} failures; ` +
        [...byCategory].map(([category, count]) => `${category} ${count}`).join(', '),
    );
    expect(failures.slice(0, 20)).toEqual([]);
    expect(byCode.get('too-large')).toBe(1);
    expect(byCode.get('not-json')).toBeGreaterThan(500);
    expect(byCode.get('invalid-message')).toBeGreaterThan(2_000);
    expect(byCode.get('ok')).toBeGreaterThan(1_500);
  });

  it('counts a batch whose range runs backwards even when it carries no messages', () => {
    const decoded = decodeServerFrame('{"type":"batch","from":10,"to":3,"messages":[]}');
    expect(decoded.kind).toBe('invalid');
    expect(decoded.rejected).toBeGreaterThanOrEqual(1);
  });
});

describe('a live client fed hostile frames between valid batches', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds exactly the valid messages, counts every invalid one, and stays open', async () => {
    const store = createRealtimeStore();
    const sockets = socketRecorder();
    const connection = new RealtimeConnection({
      url: 'ws://gateway.test/ws?project=demo',
      sink: store.getState(),
      createSocket: sockets.create,
      random: () => 0.5,
      environment: fakeEnvironment(),
    });
    connection.start();
    await Promise.resolve();
    const socket = sockets.last();
    socket.acceptConnection({ seq: 0 });
    socket.receive({ type: 'snapshot', epoch: 'e1', seq: 0, state: { nodes: [], edges: [], progress: [], events: [], series: [], logs: [] } });

    const rng = prng(0xf00d);
    let seq = 0;
    const expectedEvents: string[] = [];
    let expectedRejected = 0;
    let hostileFrames = 0;
    const byCategory = new Map<string, number>();

    /** A hostile frame the client must refuse whole or in part, never apply; returns how many it should count. */
    const hostile = (): { category: string; send: () => void; rejected: number } => {
      const c = serverCase(rng, 1 + rng.int(1_000));
      switch (c.category) {
        case 'valid frame':
        case 'valid batch':
        case 'floor envelope':
          // Valid frames would change the client's state: not hostile. Send random text instead.
          return { category: 'random text', send: () => socket.receive(`{${randomText(rng)}`), rejected: 1 };
        case 'mixed batch': {
          // Only the bad envelopes, in a batch with no range, so that nothing in it is valid.
          const count = 1 + rng.int(5);
          const frame = { type: 'batch', messages: Array.from({ length: count }, () => invalidEnvelope(rng, 1)) };
          return { category: 'batch of bad envelopes', send: () => socket.receive(JSON.stringify(frame)), rejected: count };
        }
        default:
          return {
            category: c.category,
            send: () => (typeof c.input === 'string' ? socket.receive(c.input) : receiveRaw(socket, c.input)),
            rejected: c.rejected,
          };
      }
    };

    while (hostileFrames < 2_000) {
      if (rng.next() < 0.4) {
        // A valid, contiguous batch of events, sometimes with bad envelopes mixed in.
        const from = seq + 1;
        const messages: Json[] = [];
        for (let i = 1 + rng.int(2); i > 0; i--) {
          seq++;
          const text = `valid ${seq}`;
          expectedEvents.unshift(text);
          messages.push({ seq, ts: seq, data: { type: 'event', message: text, severity: 'info', nodeId: rng.pick(HOSTILE_IDS) } });
          if (rng.next() < 0.2) {
            messages.push(invalidEnvelope(rng, seq));
            expectedRejected++;
          }
        }
        socket.receive({ type: 'batch', from, to: seq, messages });
      } else {
        const frame = hostile();
        tally(byCategory, frame.category);
        frame.send();
        expectedRejected += frame.rejected;
        hostileFrames++;
      }
    }
    vi.advanceTimersByTime(20);

    const state = store.getState();
    console.log(
      `live client: ${hostileFrames} hostile frames, ${seq} valid messages, ${expectedRejected} invalid counted expected, ` +
        `store received ${state.stream.received}, rejected ${state.stream.rejected}; ` +
        [...byCategory].map(([category, count]) => `${category} ${count}`).join(', '),
    );
    expect(expectedEvents.length).toBeLessThan(STORE_LIMITS.maxEvents);
    expect(state.events.map((event) => event.message)).toEqual(expectedEvents);
    expect(state.stream).toMatchObject({ received: seq, rejected: expectedRejected, lastSeq: seq, gaps: 0, snapshots: 1 });
    expect(state.nodes).toEqual({});
    expect(state.status).toBe('open');
    expect(state.connection.lastError).toBeNull();
    expect(socket.closedByClient).toBeNull();
    expect(socket.sentMessages.map((message) => message.type)).toEqual(['hello']);
    connection.stop();
  });
});
