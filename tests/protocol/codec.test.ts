import { describe, expect, it } from 'vitest';
import {
  decodeClientMessage,
  decodeServerFrame,
  encodeBatchFrame,
  encodeEnvelope,
  encodeSnapshotFrame,
  encodeSnapshotFrameFromParts,
} from '../../src/protocol/codec.ts';
import { FRAME_LIMITS, type SnapshotState, type WelcomeFrame } from '../../src/protocol/frames.ts';
import type { Envelope } from '../../src/protocol/messages.ts';

const envelope = (seq: number, id = `n${seq}`): Envelope => ({ seq, ts: 1_700_000_000_000 + seq, data: { type: 'node-delete', id } });
const bad = (seq: number) => ({ seq, ts: 1, data: { type: 'node-status', id: 'a', status: 'on-fire' } });

const snapshotState: SnapshotState = {
  nodes: [
    { id: 'a', label: 'A', kind: 'frontier', status: 'healthy' },
    { id: 'b', label: 'B', kind: 'fetcher', status: 'degraded', group: 'fetchers', meta: { shards: 2, zone: 'eu' } },
  ],
  edges: [{ id: 'a->b', source: 'a', target: 'b', label: 'urls', stats: { rps: 10, errorRate: 0.1, p95Ms: 20 } }],
  progress: [{ id: 'crawl', label: 'Crawl', percent: 50, status: 'running', step: 1, steps: 2 }],
  events: [{ ts: 1, message: 'started', severity: 'info', nodeId: 'a' }, { ts: 2, message: 'slow', severity: 'warn' }],
  series: [{ series: 'b.rps', nodeId: 'b', points: [{ t: 1, y: 2 }, { t: 2, y: 3 }] }],
  logs: [{ nodeId: 'b', lines: [{ ts: 1, level: 'info', text: 'GET /' }] }],
};

describe('decodeServerFrame', () => {
  it('decodes a floor frame (one bare envelope) as a single message', () => {
    expect(decodeServerFrame(JSON.stringify(envelope(7)))).toEqual({ kind: 'messages', messages: [envelope(7)], rejected: 0 });
  });

  it('keeps the valid envelopes of a batch in order and counts the invalid ones', () => {
    const frame = JSON.stringify({
      type: 'batch',
      messages: [envelope(1), bad(2), envelope(3), 'garbage', null, envelope(4), { seq: -5, ts: 1, data: envelope(5).data }],
    });
    expect(decodeServerFrame(frame)).toEqual({
      kind: 'messages',
      messages: [envelope(1), envelope(3), envelope(4)],
      rejected: 4,
    });
  });

  it('decodes an empty batch as no messages and nothing rejected, with the range it accounts for', () => {
    // Seqs 5 to 7 went to other channels: the frame says so, though it carries nothing.
    expect(decodeServerFrame(encodeBatchFrame([], 5, 7))).toEqual({
      kind: 'messages',
      messages: [],
      rejected: 0,
      range: { from: 5, to: 7, coalesced: 0 },
    });
    expect(decodeServerFrame('{"type":"batch","messages":[]}')).toEqual({ kind: 'messages', messages: [], rejected: 0 });
  });

  it('decodes a batch range and its coalesced count, and an empty range (to = from - 1)', () => {
    const one = encodeEnvelope(envelope(4));
    expect(decodeServerFrame(encodeBatchFrame([one], 2, 4, 3))).toEqual({
      kind: 'messages',
      messages: [envelope(4)],
      rejected: 0,
      range: { from: 2, to: 4, coalesced: 3 },
    });
    expect(decodeServerFrame(encodeBatchFrame([], 5, 4))).toMatchObject({ kind: 'messages', range: { from: 5, to: 4, coalesced: 0 } });
  });

  it('refuses a batch whose range runs backwards, counting every envelope in it', () => {
    const text = encodeBatchFrame([encodeEnvelope(envelope(1)), JSON.stringify(bad(2))], 10, 3);
    expect(decodeServerFrame(text)).toEqual({ kind: 'invalid', reason: 'invalid batch range', rejected: 2 });
    // An empty one still counts once: a refused frame is never invisible.
    expect(decodeServerFrame(encodeBatchFrame([], 10, 3))).toEqual({ kind: 'invalid', reason: 'invalid batch range', rejected: 1 });
  });

  it.each([
    ['messages is not an array', { type: 'batch', messages: { 0: envelope(1) } }],
    ['messages is missing', { type: 'batch' }],
    ['from is negative', { type: 'batch', from: -1, to: 1, messages: [] }],
    ['to is fractional', { type: 'batch', from: 1, to: 1.5, messages: [] }],
    ['coalesced is negative', { type: 'batch', from: 1, to: 1, coalesced: -1, messages: [] }],
  ])('rejects a batch whose %s', (_why, frame) => {
    expect(decodeServerFrame(JSON.stringify(frame))).toMatchObject({ kind: 'invalid', rejected: 1 });
  });

  it('accepts a batch of exactly the maximum size and rejects one more', () => {
    const one = encodeEnvelope(envelope(1));
    const max = FRAME_LIMITS.maxBatchMessages;
    const full = decodeServerFrame(encodeBatchFrame(Array(max).fill(one), 1, max));
    expect(full.kind).toBe('messages');
    expect(full.kind === 'messages' && full.messages.length).toBe(max);
    expect(decodeServerFrame(encodeBatchFrame(Array(max + 1).fill(one), 1, max + 1))).toMatchObject({
      kind: 'invalid',
      reason: 'invalid batch',
    });
  });

  it('decodes a valid snapshot, with and without a reason', () => {
    const frame = { type: 'snapshot', epoch: 'e1', seq: 42, state: snapshotState };
    expect(decodeServerFrame(JSON.stringify(frame))).toEqual({ kind: 'snapshot', frame, rejected: 0 });
    const withReason = { ...frame, reason: 'gap-too-old' };
    expect(decodeServerFrame(JSON.stringify(withReason))).toEqual({ kind: 'snapshot', frame: withReason, rejected: 0 });
  });

  it('decodes a welcome', () => {
    const frame: WelcomeFrame = {
      type: 'welcome',
      version: 1,
      epoch: 'e1',
      seq: 42,
      resume: 'snapshot',
      reason: 'new',
      heartbeatIntervalMs: 30_000,
      idleTimeoutMs: 60_000,
      limits: { maxFrameBytes: 1024 * 1024, maxMessagesPerSecond: 20, maxBatchMessages: 500, flushIntervalMs: 100 },
      channels: ['topology', 'stats', 'events', 'progress', 'logs:*'],
      tokenExpiresAt: null,
      presence: { connections: 2, users: ['ann'] },
    };
    expect(decodeServerFrame(JSON.stringify(frame))).toEqual({ kind: 'welcome', frame, rejected: 0 });
    const { presence: _presence, ...withoutPresence } = frame;
    expect(decodeServerFrame(JSON.stringify(withoutPresence))).toEqual({ kind: 'invalid', reason: 'invalid welcome', rejected: 1 });
    expect(decodeServerFrame(JSON.stringify({ ...frame, resume: 'guess' }))).toMatchObject({ kind: 'invalid', rejected: 1 });
  });

  it.each([
    ['a presence', { type: 'presence', connections: 3, users: ['ann', 'bob'] }, 'presence'],
    ['a log window', { type: 'logs', nodeId: 'a', seq: 9, lines: [{ ts: 1, level: 'warn', text: 'slow' }], options: { minLevel: 'warn' } }, 'logs'],
    ['an authenticated frame', { type: 'authenticated', user: 'ann', tokenExpiresAt: 1_700_000_000_000 }, 'authenticated'],
  ])('decodes %s', (_why, frame, kind) => {
    expect(decodeServerFrame(JSON.stringify(frame))).toEqual({ kind, frame, rejected: 0 });
  });

  it.each([
    ['a presence with a negative count', { type: 'presence', connections: -1, users: [] }],
    ['a log window with an unknown level', { type: 'logs', nodeId: 'a', seq: 9, lines: [{ ts: 1, level: 'loud', text: 'x' }] }],
    ['an authenticated frame without a user', { type: 'authenticated', tokenExpiresAt: null }],
  ])('rejects %s, counting one rejection', (_why, frame) => {
    expect(decodeServerFrame(JSON.stringify(frame))).toMatchObject({ kind: 'invalid', rejected: 1 });
  });

  it.each([
    ['an empty epoch', { type: 'snapshot', epoch: '', seq: 1, state: snapshotState }],
    ['a negative seq', { type: 'snapshot', epoch: 'e', seq: -1, state: snapshotState }],
    ['a fractional seq', { type: 'snapshot', epoch: 'e', seq: 0.5, state: snapshotState }],
    ['no state', { type: 'snapshot', epoch: 'e', seq: 1 }],
    ['a state without series', { type: 'snapshot', epoch: 'e', seq: 1, state: { ...snapshotState, series: undefined } }],
    [
      'one invalid node',
      { type: 'snapshot', epoch: 'e', seq: 1, state: { ...snapshotState, nodes: [{ id: 'a', label: 'A', kind: 'k', status: 'zombie' }] } },
    ],
    [
      'an edge with a negative rps',
      {
        type: 'snapshot',
        epoch: 'e',
        seq: 1,
        state: { ...snapshotState, edges: [{ id: 'e', source: 'a', target: 'b', stats: { rps: -1, errorRate: 0, p95Ms: 0 } }] },
      },
    ],
    [
      'a log line with an unknown level',
      { type: 'snapshot', epoch: 'e', seq: 1, state: { ...snapshotState, logs: [{ nodeId: 'b', lines: [{ ts: 1, level: 'loud', text: 'x' }] }] } },
    ],
  ])('rejects a snapshot with %s', (_why, frame) => {
    expect(decodeServerFrame(JSON.stringify(frame))).toMatchObject({ kind: 'invalid', reason: 'invalid snapshot', rejected: 1 });
  });

  it('decodes a pong, with and without an id', () => {
    expect(decodeServerFrame('{"type":"pong","id":3,"ts":99}')).toEqual({ kind: 'pong', frame: { type: 'pong', id: 3, ts: 99 }, rejected: 0 });
    expect(decodeServerFrame('{"type":"pong","ts":99}')).toEqual({ kind: 'pong', frame: { type: 'pong', ts: 99 }, rejected: 0 });
  });

  it('rejects a pong without ts', () => {
    expect(decodeServerFrame('{"type":"pong","id":3}')).toMatchObject({ kind: 'invalid', rejected: 1 });
  });

  it('decodes an error frame', () => {
    const frame = { type: 'error', code: 'invalid-message', message: 'unknown or malformed message' };
    expect(decodeServerFrame(JSON.stringify(frame))).toEqual({ kind: 'error', frame, rejected: 0 });
  });

  it('rejects an error frame with an overlong code', () => {
    expect(decodeServerFrame(JSON.stringify({ type: 'error', code: 'x'.repeat(65), message: 'm' }))).toMatchObject({
      kind: 'invalid',
      rejected: 1,
    });
  });

  it.each([
    ['text that is not JSON', '{"seq":1,', /JSON/],
    ['an empty string', '', /JSON/],
    ['a number', '42', /object/],
    ['a string', '"hello"', /object/],
    ['null', 'null', /object/],
    ['true', 'true', /object/],
    ['an array', JSON.stringify([envelope(1)]), /object/],
    ['an unknown frame type', '{"type":"teleport","seq":1}', /unknown frame type/],
    ['an object with neither type nor data', '{"seq":1,"ts":1}', /unknown frame type/],
    ['a floor frame with a negative seq', JSON.stringify({ ...envelope(1), seq: -1 }), /envelope/],
    ['a floor frame with a fractional seq', JSON.stringify({ ...envelope(1), seq: 2.5 }), /envelope/],
  ])('rejects %s, counting one rejection', (_why, text, reason) => {
    const decoded = decodeServerFrame(text);
    expect(decoded).toMatchObject({ kind: 'invalid', rejected: 1 });
    expect(decoded.kind === 'invalid' && decoded.reason).toMatch(reason);
  });

  it.each([
    ['an ArrayBuffer', new ArrayBuffer(8)],
    ['a Uint8Array', new TextEncoder().encode(JSON.stringify(envelope(1)))],
    ['a Node Buffer', Buffer.from(JSON.stringify(envelope(1)))],
    ['a Blob', new Blob([JSON.stringify(envelope(1))])],
    ['undefined', undefined],
    ['null', null],
    ['a number', 1],
    ['an already-parsed envelope', envelope(1)],
  ])('rejects a non-string frame (%s) as binary', (_why, frame) => {
    expect(decodeServerFrame(frame)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/binary/), rejected: 1 });
  });

  it('rejects a frame past the size limit before parsing it, and accepts one exactly at it', () => {
    const body = encodeBatchFrame([encodeEnvelope(envelope(1))], 1, 1);
    const atLimit = ' '.repeat(FRAME_LIMITS.maxServerFrameBytes - body.length) + body;
    expect(atLimit.length).toBe(FRAME_LIMITS.maxServerFrameBytes);
    expect(decodeServerFrame(atLimit)).toEqual({ kind: 'messages', messages: [envelope(1)], rejected: 0, range: { from: 1, to: 1, coalesced: 0 } });
    expect(decodeServerFrame(` ${atLimit}`)).toEqual({ kind: 'invalid', reason: 'frame too large', rejected: 1 });
  });

  it('rejects deeply nested JSON without overflowing the stack', () => {
    const depth = 100_000;
    expect(decodeServerFrame('['.repeat(depth) + ']'.repeat(depth)).kind).toBe('invalid');
    expect(decodeServerFrame('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)).kind).toBe('invalid');
    const nestedInBatch = `{"type":"batch","messages":[${'['.repeat(depth)}${']'.repeat(depth)}]}`;
    expect(decodeServerFrame(nestedInBatch)).toEqual({ kind: 'messages', messages: [], rejected: 1 });
  });

  it('drops unknown extra fields rather than passing them on', () => {
    const decoded = decodeServerFrame(JSON.stringify({ ...envelope(1), extra: 'x', data: { ...envelope(1).data, extra: 1 } }));
    expect(decoded).toEqual({ kind: 'messages', messages: [envelope(1)], rejected: 0 });
  });
});

describe('decodeClientMessage', () => {
  it.each([
    ['a ping', '{"type":"ping"}', { type: 'ping' }],
    ['a ping with an id', '{"type":"ping","id":12}', { type: 'ping', id: 12 }],
    ['a bare hello', '{"type":"hello","version":1}', { type: 'hello', version: 1 }],
    [
      'a hello that resumes, names its channels and log options, and carries a token',
      '{"type":"hello","version":1,"resume":{"epoch":"e","seq":7},"channels":["topology","logs:a"],"logs":[{"nodeId":"a","minLevel":"warn"}],"token":"t"}',
      { type: 'hello', version: 1, resume: { epoch: 'e', seq: 7 }, channels: ['topology', 'logs:a'], logs: [{ nodeId: 'a', minLevel: 'warn' }], token: 't' },
    ],
    ['a subscribe', '{"type":"subscribe","channels":["logs:a","stats"]}', { type: 'subscribe', channels: ['logs:a', 'stats'] }],
    ['a log filter', '{"type":"logs","nodeId":"a","action":"filter","text":"GET"}', { type: 'logs', nodeId: 'a', action: 'filter', text: 'GET' }],
    ['a resync', '{"type":"resync"}', { type: 'resync' }],
    ['an auth', '{"type":"auth","token":"t"}', { type: 'auth', token: 't' }],
  ])('accepts %s', (_why, text, message) => {
    expect(decodeClientMessage(text)).toEqual({ ok: true, message });
  });

  it.each([
    ['text that is not JSON', 'ping', 'not-json'],
    ['an empty string', '', 'not-json'],
    ['truncated JSON', '{"type":"pi', 'not-json'],
    ['a subscribe with a channel instead of channels', '{"type":"subscribe","channel":"logs:a"}', 'invalid-message'],
    ['a subscribe to an unknown channel', '{"type":"subscribe","channels":["gossip"]}', 'invalid-message'],
    ['an unknown type', '{"type":"teleport"}', 'invalid-message'],
    ['a hello without a version', '{"type":"hello"}', 'invalid-message'],
    ['a hello resuming from a negative seq', '{"type":"hello","version":1,"resume":{"epoch":"e","seq":-1}}', 'invalid-message'],
    ['a missing type', '{"id":1}', 'invalid-message'],
    ['a ping with a fractional id', '{"type":"ping","id":1.5}', 'invalid-message'],
    ['a JSON array', '[{"type":"ping"}]', 'invalid-message'],
    ['JSON null', 'null', 'invalid-message'],
    ['a JSON string', '"ping"', 'invalid-message'],
  ])('rejects %s with code %s', (_why, text, code) => {
    expect(decodeClientMessage(text)).toMatchObject({ ok: false, code });
  });

  it('rejects a frame past the client limit as too-large, and accepts one exactly at it', () => {
    const ping = '{"type":"ping"}';
    const atLimit = ping + ' '.repeat(FRAME_LIMITS.maxClientFrameBytes - ping.length);
    expect(decodeClientMessage(atLimit)).toEqual({ ok: true, message: { type: 'ping' } });
    expect(decodeClientMessage(`${atLimit} `)).toMatchObject({ ok: false, code: 'too-large' });
  });
});

describe('encoding', () => {
  it('round-trips a batch frame through decodeServerFrame', () => {
    const envelopes: Envelope[] = [
      envelope(1),
      { seq: 2, ts: 5, data: { type: 'event', message: 'quotes " and \\ and \n newlines', severity: 'warn', nodeId: 'a' } },
      { seq: 3, ts: 6, data: { type: 'chart-point', series: 'a.rps', value: { t: 6, y: -0.25 }, nodeId: 'a' } },
      { seq: 4, ts: 7, data: { type: 'log-chunk', nodeId: 'a', text: 'ünïcödé ✓\nsecond line', level: 'debug' } },
      { seq: 5, ts: 8, data: { type: 'progress', progress: { id: 'p', label: 'P', percent: 100, status: 'complete' } } },
    ];
    expect(decodeServerFrame(encodeBatchFrame(envelopes.map(encodeEnvelope), 1, 5))).toEqual({
      kind: 'messages',
      messages: envelopes,
      rejected: 0,
      range: { from: 1, to: 5, coalesced: 0 },
    });
  });

  it('writes coalesced into a batch frame only when some were', () => {
    expect(JSON.parse(encodeBatchFrame([], 1, 2))).toEqual({ type: 'batch', from: 1, to: 2, messages: [] });
    expect(JSON.parse(encodeBatchFrame([], 1, 2, 4))).toEqual({ type: 'batch', from: 1, to: 2, coalesced: 4, messages: [] });
  });

  it('round-trips a snapshot frame through decodeServerFrame', () => {
    expect(decodeServerFrame(encodeSnapshotFrame('epoch-1', 99, snapshotState))).toEqual({
      kind: 'snapshot',
      frame: { type: 'snapshot', epoch: 'epoch-1', seq: 99, state: snapshotState },
      rejected: 0,
    });
  });

  it('round-trips a snapshot frame with its reason', () => {
    expect(decodeServerFrame(encodeSnapshotFrame('epoch-1', 99, snapshotState, 'epoch-changed'))).toEqual({
      kind: 'snapshot',
      frame: { type: 'snapshot', reason: 'epoch-changed', epoch: 'epoch-1', seq: 99, state: snapshotState },
      rejected: 0,
    });
  });

  it('builds from serialised parts the same snapshot frame as encodeSnapshotFrame, with or without a reason', () => {
    const parts = {
      nodes: JSON.stringify(snapshotState.nodes),
      edges: JSON.stringify(snapshotState.edges),
      progress: JSON.stringify(snapshotState.progress),
      events: JSON.stringify(snapshotState.events),
      series: JSON.stringify(snapshotState.series),
      logs: JSON.stringify(snapshotState.logs),
    };
    const parse = (text: string): unknown => JSON.parse(text);
    expect(parse(encodeSnapshotFrameFromParts('epoch-1', 99, parts, 'new'))).toEqual(parse(encodeSnapshotFrame('epoch-1', 99, snapshotState, 'new')));
    expect(parse(encodeSnapshotFrameFromParts('epoch-1', 99, parts))).toEqual(parse(encodeSnapshotFrame('epoch-1', 99, snapshotState)));
    expect(decodeServerFrame(encodeSnapshotFrameFromParts('epoch-"quoted"', 0, parts, 'reset'))).toMatchObject({
      kind: 'snapshot',
      frame: { reason: 'reset', epoch: 'epoch-"quoted"', seq: 0, state: snapshotState },
    });
  });

  it('encodes an envelope as a floor frame the decoder accepts', () => {
    expect(decodeServerFrame(encodeEnvelope(envelope(3)))).toEqual({ kind: 'messages', messages: [envelope(3)], rejected: 0 });
  });
});
