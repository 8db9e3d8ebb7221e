/**
 * Every payload type, good and bad, checked twice: against the schema directly
 * (which is the only way to feed it NaN or Infinity) and through the codec as
 * a floor frame, the way a message arrives from the wire.
 */
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/protocol/mesh.ts';
import { Envelope, Payload, type PayloadType } from '../../src/protocol/messages.ts';
import { decodeServerFrame } from '../../src/protocol/codec.ts';
import { EventRecord, LogLine } from '../../src/protocol/frames.ts';

const chars = (n: number) => 'x'.repeat(n);
const metaOf = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

const node = { id: 'fetcher-1', label: 'Fetcher 1', kind: 'fetcher', status: 'healthy' };
const stats = { rps: 120.5, errorRate: 0.02, p95Ms: 48 };
const edge = { id: 'frontier->fetcher-1', source: 'frontier', target: 'fetcher-1' };
const progress = { id: 'crawl-7', label: 'Crawl #7', percent: 42, status: 'running' };

interface Bad {
  why: string;
  data: unknown;
  /** JSON cannot carry the value (NaN, Infinity), so only the schema sees it. */
  schemaOnly?: true;
}
interface PayloadCase {
  type: PayloadType;
  valid: Array<[string, unknown]>;
  invalid: Bad[];
}

const cases: PayloadCase[] = [
  {
    type: 'node-upsert',
    valid: [
      ['a minimal node', { type: 'node-upsert', node }],
      [
        'a node with group and meta',
        { type: 'node-upsert', node: { ...node, group: 'fetchers', meta: { region: 'eu', shards: 4 } } },
      ],
      ['an id of exactly the maximum length', { type: 'node-upsert', node: { ...node, id: chars(LIMITS.idLength) } }],
      ['a label of exactly the maximum length', { type: 'node-upsert', node: { ...node, label: chars(LIMITS.labelLength) } }],
      ['exactly the maximum meta entries', { type: 'node-upsert', node: { ...node, meta: metaOf(LIMITS.metaEntries) } }],
      ...(['healthy', 'degraded', 'down', 'starting', 'unknown'] as const).map(
        (status): [string, unknown] => [`status ${status}`, { type: 'node-upsert', node: { ...node, status } }],
      ),
    ],
    invalid: [
      { why: 'the node is missing', data: { type: 'node-upsert' } },
      { why: 'the node is not an object', data: { type: 'node-upsert', node: 'fetcher-1' } },
      { why: 'the id is missing', data: { type: 'node-upsert', node: { ...node, id: undefined } } },
      { why: 'the id is empty', data: { type: 'node-upsert', node: { ...node, id: '' } } },
      { why: 'the id is a number', data: { type: 'node-upsert', node: { ...node, id: 7 } } },
      { why: 'the id is overlong', data: { type: 'node-upsert', node: { ...node, id: chars(LIMITS.idLength + 1) } } },
      { why: 'the label is overlong', data: { type: 'node-upsert', node: { ...node, label: chars(LIMITS.labelLength + 1) } } },
      { why: 'the label is missing', data: { type: 'node-upsert', node: { ...node, label: undefined } } },
      { why: 'the kind is empty', data: { type: 'node-upsert', node: { ...node, kind: '' } } },
      { why: 'the kind is overlong', data: { type: 'node-upsert', node: { ...node, kind: chars(65) } } },
      { why: 'the status is unknown', data: { type: 'node-upsert', node: { ...node, status: 'on-fire' } } },
      { why: 'the status is missing', data: { type: 'node-upsert', node: { ...node, status: undefined } } },
      { why: 'the group is overlong', data: { type: 'node-upsert', node: { ...node, group: chars(65) } } },
      {
        why: 'there are too many meta entries',
        data: { type: 'node-upsert', node: { ...node, meta: metaOf(LIMITS.metaEntries + 1) } },
      },
      { why: 'a meta key is overlong', data: { type: 'node-upsert', node: { ...node, meta: { [chars(65)]: 1 } } } },
      { why: 'a meta string is overlong', data: { type: 'node-upsert', node: { ...node, meta: { k: chars(501) } } } },
      { why: 'a meta value is an object', data: { type: 'node-upsert', node: { ...node, meta: { k: { deep: 1 } } } } },
      { why: 'a meta value is a boolean', data: { type: 'node-upsert', node: { ...node, meta: { k: true } } } },
      { why: 'a meta value is NaN', data: { type: 'node-upsert', node: { ...node, meta: { k: NaN } } }, schemaOnly: true },
      {
        why: 'a meta value is Infinity',
        data: { type: 'node-upsert', node: { ...node, meta: { k: Infinity } } },
        schemaOnly: true,
      },
    ],
  },
  {
    type: 'node-status',
    valid: [['a known status', { type: 'node-status', id: 'fetcher-1', status: 'degraded' }]],
    invalid: [
      { why: 'the status is unknown', data: { type: 'node-status', id: 'fetcher-1', status: 'sad' } },
      { why: 'the status is a number', data: { type: 'node-status', id: 'fetcher-1', status: 2 } },
      { why: 'the status is missing', data: { type: 'node-status', id: 'fetcher-1' } },
      { why: 'the id is missing', data: { type: 'node-status', status: 'down' } },
      { why: 'the id is overlong', data: { type: 'node-status', id: chars(LIMITS.idLength + 1), status: 'down' } },
    ],
  },
  {
    type: 'node-delete',
    valid: [['an id', { type: 'node-delete', id: 'fetcher-1' }]],
    invalid: [
      { why: 'the id is missing', data: { type: 'node-delete' } },
      { why: 'the id is empty', data: { type: 'node-delete', id: '' } },
      { why: 'the id is null', data: { type: 'node-delete', id: null } },
      { why: 'the id is overlong', data: { type: 'node-delete', id: chars(LIMITS.idLength + 1) } },
    ],
  },
  {
    type: 'edge-upsert',
    valid: [
      ['an edge without stats', { type: 'edge-upsert', edge }],
      ['an edge with label and stats', { type: 'edge-upsert', edge: { ...edge, label: 'http', stats } }],
      ['zero stats', { type: 'edge-upsert', edge: { ...edge, stats: { rps: 0, errorRate: 0, p95Ms: 0 } } }],
    ],
    invalid: [
      { why: 'the edge is missing', data: { type: 'edge-upsert' } },
      { why: 'the source is missing', data: { type: 'edge-upsert', edge: { ...edge, source: undefined } } },
      { why: 'the target is empty', data: { type: 'edge-upsert', edge: { ...edge, target: '' } } },
      { why: 'the target is overlong', data: { type: 'edge-upsert', edge: { ...edge, target: chars(LIMITS.idLength + 1) } } },
      { why: 'the label is overlong', data: { type: 'edge-upsert', edge: { ...edge, label: chars(LIMITS.labelLength + 1) } } },
      { why: 'rps is negative', data: { type: 'edge-upsert', edge: { ...edge, stats: { ...stats, rps: -1 } } } },
      { why: 'errorRate exceeds 1', data: { type: 'edge-upsert', edge: { ...edge, stats: { ...stats, errorRate: 1.5 } } } },
      {
        why: 'p95Ms is NaN',
        data: { type: 'edge-upsert', edge: { ...edge, stats: { ...stats, p95Ms: NaN } } },
        schemaOnly: true,
      },
    ],
  },
  {
    type: 'edge-stats',
    valid: [
      ['ordinary stats', { type: 'edge-stats', id: 'e1', stats }],
      ['an error rate of exactly 1', { type: 'edge-stats', id: 'e1', stats: { ...stats, errorRate: 1 } }],
    ],
    invalid: [
      { why: 'the stats are missing', data: { type: 'edge-stats', id: 'e1' } },
      { why: 'p95Ms is missing', data: { type: 'edge-stats', id: 'e1', stats: { rps: 1, errorRate: 0 } } },
      { why: 'rps is negative', data: { type: 'edge-stats', id: 'e1', stats: { ...stats, rps: -0.5 } } },
      { why: 'rps is a string', data: { type: 'edge-stats', id: 'e1', stats: { ...stats, rps: '5' } } },
      { why: 'errorRate exceeds 1', data: { type: 'edge-stats', id: 'e1', stats: { ...stats, errorRate: 1.0001 } } },
      { why: 'errorRate is negative', data: { type: 'edge-stats', id: 'e1', stats: { ...stats, errorRate: -0.1 } } },
      { why: 'p95Ms is negative', data: { type: 'edge-stats', id: 'e1', stats: { ...stats, p95Ms: -3 } } },
      { why: 'rps is NaN', data: { type: 'edge-stats', id: 'e1', stats: { ...stats, rps: NaN } }, schemaOnly: true },
      {
        why: 'p95Ms is Infinity',
        data: { type: 'edge-stats', id: 'e1', stats: { ...stats, p95Ms: Infinity } },
        schemaOnly: true,
      },
      { why: 'the id is overlong', data: { type: 'edge-stats', id: chars(LIMITS.idLength + 1), stats } },
    ],
  },
  {
    type: 'edge-delete',
    valid: [['an id', { type: 'edge-delete', id: 'e1' }]],
    invalid: [
      { why: 'the id is missing', data: { type: 'edge-delete' } },
      { why: 'the id is a number', data: { type: 'edge-delete', id: 1 } },
      { why: 'the id is overlong', data: { type: 'edge-delete', id: chars(LIMITS.idLength + 1) } },
    ],
  },
  {
    type: 'event',
    valid: [
      ['an event without a node', { type: 'event', message: 'deploy started', severity: 'info' }],
      ['an event about a node', { type: 'event', message: 'OOM', severity: 'error', nodeId: 'fetcher-1' }],
      [
        'a message of exactly the maximum length',
        { type: 'event', message: chars(LIMITS.messageLength), severity: 'debug' },
      ],
    ],
    invalid: [
      { why: 'the severity is unknown', data: { type: 'event', message: 'm', severity: 'critical' } },
      { why: 'the severity is missing', data: { type: 'event', message: 'm' } },
      { why: 'the message is missing', data: { type: 'event', severity: 'warn' } },
      { why: 'the message is a number', data: { type: 'event', message: 404, severity: 'warn' } },
      { why: 'the message is overlong', data: { type: 'event', message: chars(LIMITS.messageLength + 1), severity: 'warn' } },
      {
        why: 'the nodeId is overlong',
        data: { type: 'event', message: 'm', severity: 'warn', nodeId: chars(LIMITS.idLength + 1) },
      },
    ],
  },
  {
    type: 'log-chunk',
    valid: [
      ['one line', { type: 'log-chunk', nodeId: 'fetcher-1', text: 'GET /robots.txt 200' }],
      ['several lines with a level', { type: 'log-chunk', nodeId: 'fetcher-1', text: 'a\nb\nc', level: 'warn' }],
      [
        'text of exactly the maximum length',
        { type: 'log-chunk', nodeId: 'fetcher-1', text: chars(LIMITS.logTextLength) },
      ],
    ],
    invalid: [
      { why: 'the nodeId is missing', data: { type: 'log-chunk', text: 'x' } },
      { why: 'the nodeId is overlong', data: { type: 'log-chunk', nodeId: chars(LIMITS.idLength + 1), text: 'x' } },
      { why: 'the text is missing', data: { type: 'log-chunk', nodeId: 'n' } },
      { why: 'the text is an array', data: { type: 'log-chunk', nodeId: 'n', text: ['a', 'b'] } },
      { why: 'the text is overlong', data: { type: 'log-chunk', nodeId: 'n', text: chars(LIMITS.logTextLength + 1) } },
      { why: 'the level is unknown', data: { type: 'log-chunk', nodeId: 'n', text: 'x', level: 'fatal' } },
    ],
  },
  {
    type: 'chart-point',
    valid: [
      ['a point', { type: 'chart-point', series: 'fetcher-1.rps', value: { t: 1_700_000_000_000, y: 3.5 } }],
      ['a point owned by a node', { type: 'chart-point', series: 's', value: { t: 0, y: -2 }, nodeId: 'fetcher-1' }],
    ],
    invalid: [
      { why: 'the series is empty', data: { type: 'chart-point', series: '', value: { t: 0, y: 0 } } },
      { why: 'the series is overlong', data: { type: 'chart-point', series: chars(LIMITS.idLength + 1), value: { t: 0, y: 0 } } },
      { why: 'the value is missing', data: { type: 'chart-point', series: 's' } },
      { why: 'y is missing', data: { type: 'chart-point', series: 's', value: { t: 0 } } },
      { why: 'y is a string', data: { type: 'chart-point', series: 's', value: { t: 0, y: '1' } } },
      { why: 'y is NaN', data: { type: 'chart-point', series: 's', value: { t: 0, y: NaN } }, schemaOnly: true },
      { why: 't is Infinity', data: { type: 'chart-point', series: 's', value: { t: Infinity, y: 1 } }, schemaOnly: true },
      { why: 'y is -Infinity', data: { type: 'chart-point', series: 's', value: { t: 0, y: -Infinity } }, schemaOnly: true },
      {
        why: 'the nodeId is overlong',
        data: { type: 'chart-point', series: 's', value: { t: 0, y: 0 }, nodeId: chars(LIMITS.idLength + 1) },
      },
    ],
  },
  {
    type: 'progress',
    valid: [
      ['a running step', { type: 'progress', progress: { ...progress, step: 3, steps: 10 } }],
      ['exactly 100 percent', { type: 'progress', progress: { ...progress, percent: 100, status: 'complete' } }],
      ['zero percent, failed', { type: 'progress', progress: { ...progress, percent: 0, status: 'failed' } }],
    ],
    invalid: [
      { why: 'percent exceeds 100', data: { type: 'progress', progress: { ...progress, percent: 100.5 } } },
      { why: 'percent is negative', data: { type: 'progress', progress: { ...progress, percent: -1 } } },
      { why: 'percent is NaN', data: { type: 'progress', progress: { ...progress, percent: NaN } }, schemaOnly: true },
      { why: 'the status is unknown', data: { type: 'progress', progress: { ...progress, status: 'paused' } } },
      { why: 'the step is fractional', data: { type: 'progress', progress: { ...progress, step: 1.5 } } },
      { why: 'steps is zero', data: { type: 'progress', progress: { ...progress, steps: 0 } } },
      { why: 'the label is overlong', data: { type: 'progress', progress: { ...progress, label: chars(LIMITS.labelLength + 1) } } },
      { why: 'the progress is missing', data: { type: 'progress' } },
    ],
  },
];

const asFloorFrame = (data: unknown, seq = 1) => JSON.stringify({ seq, ts: 1_700_000_000_000, data });

describe('payload validation', () => {
  it('covers every payload type the schema knows', () => {
    const known = Payload.options.map((option) => option.shape.type.value).sort();
    expect(cases.map((c) => c.type).sort()).toEqual(known);
  });

  describe.each(cases)('$type', ({ type, valid, invalid }) => {
    it.each(valid)('accepts %s', (_why, data) => {
      const parsed = Payload.safeParse(data);
      expect(parsed.success).toBe(true);
      expect(parsed.data?.type).toBe(type);

      const decoded = decodeServerFrame(asFloorFrame(data));
      expect(decoded).toEqual({ kind: 'messages', messages: [{ seq: 1, ts: 1_700_000_000_000, data }], rejected: 0 });
    });

    it.each(invalid)('rejects a message where $why', ({ data, schemaOnly }) => {
      expect(Payload.safeParse(data).success).toBe(false);
      if (!schemaOnly) {
        expect(decodeServerFrame(asFloorFrame(data))).toMatchObject({ kind: 'invalid', rejected: 1 });
      }
    });
  });

  it.each([
    ['an unknown type', { type: 'node-explode', id: 'a' }],
    ['a missing type', { id: 'a' }],
    ['a numeric type', { type: 3, id: 'a' }],
    ['a type in the wrong case', { type: 'Node-Delete', id: 'a' }],
    ['null data', null],
    ['a string as data', 'node-delete'],
  ])('rejects %s', (_why, data) => {
    expect(Payload.safeParse(data).success).toBe(false);
    expect(decodeServerFrame(asFloorFrame(data))).toMatchObject({ kind: 'invalid', rejected: 1 });
  });

  it('rejects a number too large for a double, which JSON.parse turns into Infinity', () => {
    const frame = '{"seq":1,"ts":1,"data":{"type":"chart-point","series":"s","value":{"t":0,"y":1e400}}}';
    expect(decodeServerFrame(frame)).toMatchObject({ kind: 'invalid', rejected: 1 });
    expect(decodeServerFrame(frame.replace('1e400', '1e300')).kind).toBe('messages');
  });
});

describe('envelope validation', () => {
  const data = { type: 'node-delete', id: 'a' };
  it.each([
    ['a negative seq', { seq: -1, ts: 1, data }],
    ['a fractional seq', { seq: 1.5, ts: 1, data }],
    ['a missing seq', { ts: 1, data }],
    ['a string seq', { seq: '1', ts: 1, data }],
    ['a string ts', { seq: 1, ts: '2024-01-01T00:00:00Z', data }],
    ['a missing ts', { seq: 1, data }],
  ])('rejects %s', (_why, envelope) => {
    expect(Envelope.safeParse(envelope).success).toBe(false);
    expect(decodeServerFrame(JSON.stringify(envelope))).toMatchObject({ kind: 'invalid', rejected: 1 });
  });

  it('rejects a ts of NaN or Infinity', () => {
    expect(Envelope.safeParse({ seq: 1, ts: NaN, data }).success).toBe(false);
    expect(Envelope.safeParse({ seq: 1, ts: Infinity, data }).success).toBe(false);
  });

  it.each([NaN, Infinity, -Infinity])('rejects a ts of %s in a snapshot event or log line', (ts) => {
    expect(EventRecord.safeParse({ ts, message: 'm', severity: 'info' }).success).toBe(false);
    expect(LogLine.safeParse({ ts, level: 'info', text: 't' }).success).toBe(false);
    expect(EventRecord.safeParse({ ts: 1, message: 'm', severity: 'info' }).success).toBe(true);
    expect(LogLine.safeParse({ ts: 1, level: 'info', text: 't' }).success).toBe(true);
  });

  it('accepts seq 0', () => {
    expect(Envelope.safeParse({ seq: 0, ts: 1, data }).success).toBe(true);
  });
});
