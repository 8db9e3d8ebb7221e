import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_REASONS } from '../../src/protocol/frames.ts';
import type { Payload } from '../../src/protocol/messages.ts';
import { zeroCounters } from '../../src/server/connection.ts';
import type { GatewayStats } from '../../src/server/gateway.ts';
import { configureLog } from '../../src/server/log.ts';
import { BUFFERED_BYTES_BUCKETS, GatewayMetrics } from '../../src/server/metrics/gateway-metrics.ts';
import { escapeHelp, escapeLabelValue, formatValue, histogramOf, PROMETHEUS_CONTENT_TYPE, PrometheusWriter } from '../../src/server/metrics/prometheus.ts';
import { RateSampler } from '../../src/server/metrics/rate-sampler.ts';
import { createStandaloneServer, type StandaloneServer, type StandaloneServerOptions } from '../../src/server/standalone.ts';
import { ManualScheduler } from './manual-scheduler.ts';
import { TestClient, waitFor } from './support.ts';

// ---------------------------------------------------------------------------
// A parser of the text format (0.0.4), strict enough to catch what a scraper would reject.

interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  samples: ParsedSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'] };

/** Parses an exposition, throwing on anything out of format: every sample under a HELP and TYPE, names and escapes valid, families contiguous. */
function parseExposition(text: string): Map<string, ParsedFamily> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, ParsedFamily>();
  let current: ParsedFamily | null = null;
  const seenSamples = new Set<string>();
  for (const [index, line] of text.split('\n').slice(0, -1).entries()) {
    const where = `line ${index + 1} (${JSON.stringify(line)})`;
    if (line.startsWith('# HELP ')) {
      const [, name, help] = /^# HELP (\S+) (.*)$/.exec(line) ?? [];
      if (!name || !METRIC_NAME.test(name)) throw new Error(`bad HELP at ${where}`);
      if (families.has(name)) throw new Error(`second HELP for ${name} at ${where}`);
      current = { name, help: unescapeHelp(help!, where), type: '', samples: [] };
      families.set(name, current);
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [, name, type] = /^# TYPE (\S+) (\S+)$/.exec(line) ?? [];
      if (!current || name !== current.name || current.type !== '' || current.samples.length > 0) throw new Error(`TYPE not right after its HELP at ${where}`);
      if (!TYPES.has(type!)) throw new Error(`unknown type at ${where}`);
      current.type = type!;
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') throw new Error(`unexpected line at ${where}`);
    const sample = parseSample(line, where);
    if (!current || current.type === '') throw new Error(`sample without HELP and TYPE at ${where}`);
    const suffixes = SUFFIXES[current.type] ?? [''];
    if (!suffixes.some((suffix) => sample.name === current!.name + suffix)) throw new Error(`sample ${sample.name} outside its family (${current.name}) at ${where}`);
    if (current.type === 'counter' && !current.name.endsWith('_total')) throw new Error(`counter ${current.name} does not end in _total`);
    const key = `${sample.name}{${Object.entries(sample.labels).sort().map(([k, v]) => `${k}=${v}`).join(',')}}`;
    if (seenSamples.has(key)) throw new Error(`duplicate sample ${key}`);
    seenSamples.add(key);
    current.samples.push(sample);
  }
  for (const family of families.values()) if (family.type === '') throw new Error(`${family.name} has no TYPE`);
  return families;
}

function parseSample(line: string, where: string): ParsedSample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) throw new Error(`bad metric name at ${where}`);
  const name = nameMatch[0];
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at++;
    while (line[at] !== '}') {
      const labelMatch = /^([^=]*)="/.exec(line.slice(at));
      if (!labelMatch || !LABEL_NAME.test(labelMatch[1]!)) throw new Error(`bad label name at ${where}`);
      at += labelMatch[0].length;
      let value = '';
      for (;;) {
        const char = line[at++];
        if (char === undefined) throw new Error(`unterminated label value at ${where}`);
        if (char === '"') break;
        if (char === '\\') {
          const escaped = line[at++];
          if (escaped === 'n') value += '\n';
          else if (escaped === '\\' || escaped === '"') value += escaped;
          else throw new Error(`bad escape \\${escaped} at ${where}`);
        } else {
          value += char;
        }
      }
      if (labelMatch[1]! in labels) throw new Error(`label repeated at ${where}`);
      labels[labelMatch[1]!] = value;
      if (line[at] === ',') at++;
      else if (line[at] !== '}') throw new Error(`expected , or } at ${where}`);
    }
    at++;
  }
  const rest = line.slice(at);
  const valueMatch = /^ (\S+)( -?\d+)?$/.exec(rest);
  if (!valueMatch) throw new Error(`bad value at ${where}`);
  const raw = valueMatch[1]!;
  const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
  if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`bad value ${raw} at ${where}`);
  return { name, labels, value };
}

function unescapeHelp(help: string, where: string): string {
  return help.replace(/\\(.?)/g, (_, char: string) => {
    if (char === 'n') return '\n';
    if (char === '\\') return '\\';
    throw new Error(`bad escape in HELP at ${where}`);
  });
}

/** The one sample of `name` whose labels include `labels`. */
function valueOf(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number {
  const matches = [...families.values()]
    .flatMap((family) => family.samples)
    .filter((sample) => sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v));
  if (matches.length !== 1) throw new Error(`expected one sample ${name} ${JSON.stringify(labels)}, found ${matches.length}`);
  return matches[0]!.value;
}

// ---------------------------------------------------------------------------

describe('the Prometheus text writer', () => {
  it('writes HELP and TYPE before each family, counters, labelled gauges and a trailing newline', () => {
    const text = new PrometheusWriter()
      .counter('jobs_done_total', 'Jobs done.', 3)
      .gauge('queue_depth', 'Jobs waiting, by queue.', [
        { labels: { queue: 'a' }, value: 1.5 },
        { labels: { queue: 'b' }, value: 0 },
      ])
      .toString();
    expect(text).toBe(
      [
        '# HELP jobs_done_total Jobs done.',
        '# TYPE jobs_done_total counter',
        'jobs_done_total 3',
        '# HELP queue_depth Jobs waiting, by queue.',
        '# TYPE queue_depth gauge',
        'queue_depth{queue="a"} 1.5',
        'queue_depth{queue="b"} 0',
        '',
      ].join('\n'),
    );
    expect(parseExposition(text).get('queue_depth')!.samples).toHaveLength(2);
  });

  it.each([
    { value: 'plain', escaped: 'plain' },
    { value: 'back\\slash', escaped: 'back\\\\slash' },
    { value: 'say "hi"', escaped: 'say \\"hi\\"' },
    { value: 'two\nlines', escaped: 'two\\nlines' },
    { value: '\\n is not a newline', escaped: '\\\\n is not a newline' },
    { value: 'ünïcödé ✓', escaped: 'ünïcödé ✓' },
  ])('escapes the label value $value', ({ value, escaped }) => {
    expect(escapeLabelValue(value)).toBe(escaped);
    const text = new PrometheusWriter().gauge('g', 'help', [{ labels: { l: value }, value: 1 }]).toString();
    expect(text).toContain(`g{l="${escaped}"} 1`);
    // And a strict reader gets the value back.
    expect(parseExposition(text).get('g')!.samples[0]!.labels.l).toBe(value);
  });

  it('escapes backslashes and newlines in help text, and leaves quotes alone', () => {
    expect(escapeHelp('a "quoted" \\ path\nand a second line')).toBe('a "quoted" \\\\ path\\nand a second line');
    const text = new PrometheusWriter().gauge('g', 'line one\nline two \\', 1).toString();
    expect(text.split('\n')[0]).toBe('# HELP g line one\\nline two \\\\');
    expect(parseExposition(text).get('g')!.help).toBe('line one\nline two \\');
  });

  it.each([
    { value: 42, text: '42' },
    { value: 0.25, text: '0.25' },
    { value: -3, text: '-3' },
    { value: Infinity, text: '+Inf' },
    { value: -Infinity, text: '-Inf' },
    { value: NaN, text: 'NaN' },
  ])('formats the value $value as $text', ({ value, text }) => {
    expect(formatValue(value)).toBe(text);
  });

  it.each([
    { name: 'a counter not ending in _total', write: (w: PrometheusWriter) => w.counter('jobs_done', 'h', 1), error: /must end in _total/ },
    { name: 'a metric name with a dash', write: (w: PrometheusWriter) => w.gauge('queue-depth', 'h', 1), error: /invalid metric name/ },
    { name: 'a metric name starting with a digit', write: (w: PrometheusWriter) => w.gauge('1queue', 'h', 1), error: /invalid metric name/ },
    { name: 'a label name with a dot', write: (w: PrometheusWriter) => w.gauge('g', 'h', [{ labels: { 'a.b': 'x' }, value: 1 }]), error: /invalid label name/ },
    { name: 'a reserved label name', write: (w: PrometheusWriter) => w.gauge('g', 'h', [{ labels: { __name__: 'x' }, value: 1 }]), error: /invalid label name/ },
    { name: 'the same family twice', write: (w: PrometheusWriter) => w.gauge('g', 'h', 1).gauge('g', 'h', 2), error: /written twice/ },
    { name: 'a histogram labelled le', write: (w: PrometheusWriter) => w.histogram('h', 'h', histogramOf([], [1]), { le: '1' }), error: /le/ },
  ])('refuses $name', ({ write, error }) => {
    expect(() => write(new PrometheusWriter())).toThrow(error);
  });

  it('writes a histogram as cumulative buckets, +Inf, sum and count', () => {
    const histogram = histogramOf([0, 5, 10, 11, 500, 2000], [10, 100, 1000]);
    expect(histogram).toEqual({
      buckets: [
        { le: 10, count: 3 },
        { le: 100, count: 4 },
        { le: 1000, count: 5 },
      ],
      sum: 2526,
      count: 6,
    });
    const text = new PrometheusWriter().histogram('size_bytes', 'Sizes.', histogram).toString();
    expect(text).toBe(
      [
        '# HELP size_bytes Sizes.',
        '# TYPE size_bytes histogram',
        'size_bytes_bucket{le="10"} 3',
        'size_bytes_bucket{le="100"} 4',
        'size_bytes_bucket{le="1000"} 5',
        'size_bytes_bucket{le="+Inf"} 6',
        'size_bytes_sum 2526',
        'size_bytes_count 6',
        '',
      ].join('\n'),
    );
    expect(parseExposition(text).get('size_bytes')!.samples).toHaveLength(6);
  });

  it('counts an empty distribution as zeros', () => {
    expect(histogramOf([], [1, 2])).toEqual({ buckets: [{ le: 1, count: 0 }, { le: 2, count: 0 }], sum: 0, count: 0 });
  });
});

describe('the exposition parser of these tests', () => {
  it.each([
    { name: 'a sample without HELP and TYPE', text: 'x 1\n' },
    { name: 'a TYPE before its HELP', text: '# TYPE x gauge\n# HELP x h\nx 1\n' },
    { name: 'a sample of another family', text: '# HELP x h\n# TYPE x gauge\ny 1\n' },
    { name: 'a bad escape in a label value', text: '# HELP x h\n# TYPE x gauge\nx{a="\\t"} 1\n' },
    { name: 'an unescaped quote in a label value', text: '# HELP x h\n# TYPE x gauge\nx{a="say "hi""} 1\n' },
    { name: 'a counter without _total', text: '# HELP x h\n# TYPE x counter\nx 1\n' },
    { name: 'a duplicate sample', text: '# HELP x h\n# TYPE x gauge\nx 1\nx 2\n' },
    { name: 'a value that is not a number', text: '# HELP x h\n# TYPE x gauge\nx many\n' },
    { name: 'no trailing newline', text: '# HELP x h\n# TYPE x gauge\nx 1' },
  ])('rejects $name', ({ text }) => {
    expect(() => parseExposition(text)).toThrow();
  });
});

describe('the rate sampler', () => {
  it('gives each counter’s rise per second since the newest sample at least a window old', () => {
    const sampler = new RateSampler<'n'>({ windowMs: 10_000, minIntervalMs: 500 });
    expect(sampler.observe(0, { n: 0 })).toEqual({ n: 0 }); // nothing to compare with yet
    expect(sampler.observe(1_000, { n: 50 })).toEqual({ n: 50 });
    for (let t = 2_000; t <= 10_000; t += 1_000) sampler.observe(t, { n: t / 20 });
    // From t=0 (n=0) to t=10 s (n=500): 50/s.
    expect(sampler.observe(10_000, { n: 500 }).n).toBe(50);
    // The rate then follows the last ten seconds only: 1000 more in the last 2 s, on top of a steady 50/s before.
    sampler.observe(11_000, { n: 550 });
    expect(sampler.observe(12_000, { n: 1_600 }).n).toBeCloseTo((1_600 - 100) / 10, 9);
  });

  it('never reports a negative rate (a counter that went back is a reset)', () => {
    const sampler = new RateSampler<'n'>();
    sampler.observe(0, { n: 100 });
    expect(sampler.observe(1_000, { n: 10 }).n).toBe(0);
  });

  it('keeps a bounded number of samples however often it is asked', () => {
    const sampler = new RateSampler<'n'>({ windowMs: 10_000, minIntervalMs: 500 });
    for (let t = 0; t < 120_000; t += 7) sampler.observe(t, { n: t });
    expect(sampler.size).toBeLessThanOrEqual(10_000 / 500 + 2);
    expect(sampler.observe(120_000, { n: 120_000 }).n).toBeCloseTo(1_000, 6);
  });
});

/** GatewayStats as a fresh gateway has them, with `overrides`. */
function fakeStats(overrides: Partial<GatewayStats> = {}): GatewayStats {
  return {
    ...zeroCounters(),
    epoch: 'e1',
    connections: 0,
    connectionsByMode: { v1: 0, floor: 0 },
    rooms: 0,
    roomsDropped: 0,
    messagesPublished: 0,
    publishesRefused: 0,
    originsRefused: 0,
    refused: { unauthorized: 0, forbidden: 0, unknownProject: 0, connectionLimit: 0 },
    authRequired: false,
    replayChars: 0,
    shared: null,
    ...overrides,
  };
}

describe('gateway metrics', () => {
  it('computes per-second rates over the last ten seconds from counters sampled on the scheduler', () => {
    const scheduler = new ManualScheduler();
    let stats = fakeStats();
    const metrics = new GatewayMetrics({ gateway: { stats: () => stats, connectionBufferedBytes: () => [] } }, { scheduler, processMetrics: false });
    // 100 payloads in and 300 envelopes out every second for 20 s.
    for (let second = 1; second <= 20; second++) {
      stats = fakeStats({ messagesPublished: 100 * second, messagesSent: 300 * second, framesSent: 30 * second });
      scheduler.advance(1_000);
    }
    let families = parseExposition(metrics.render());
    expect(valueOf(families, 'meshwatch_messages_published_per_second')).toBeCloseTo(100, 9);
    expect(valueOf(families, 'meshwatch_messages_sent_per_second')).toBeCloseTo(300, 9);
    expect(valueOf(families, 'meshwatch_frames_sent_per_second')).toBeCloseTo(30, 9);
    expect(valueOf(families, 'meshwatch_messages_published_total')).toBe(2_000);
    // Then nothing for 10 s: the rates fall to 0, the totals stay.
    scheduler.advance(10_000);
    families = parseExposition(metrics.render());
    expect(valueOf(families, 'meshwatch_messages_published_per_second')).toBe(0);
    expect(valueOf(families, 'meshwatch_messages_published_total')).toBe(2_000);
    metrics.close();
    expect(scheduler.pending).toBe(0);
  });

  it('describes per-connection buffered bytes as a distribution, with no label per connection', () => {
    const sizes = [0, 100, 2_000, 70_000, 3_000_000];
    const metrics = new GatewayMetrics(
      { gateway: { stats: () => fakeStats({ connections: 5 }), connectionBufferedBytes: () => sizes } },
      { scheduler: new ManualScheduler(), processMetrics: false },
    );
    const families = parseExposition(metrics.render());
    const family = families.get('meshwatch_connection_buffered_bytes')!;
    expect(family.type).toBe('histogram');
    expect(family.samples.every((sample) => Object.keys(sample.labels).every((label) => label === 'le'))).toBe(true);
    const bucket = (le: string) => valueOf(families, 'meshwatch_connection_buffered_bytes_bucket', { le });
    expect(bucket('1024')).toBe(2);
    expect(bucket('16384')).toBe(3);
    expect(bucket('65536')).toBe(3);
    expect(bucket('262144')).toBe(4);
    expect(bucket('4194304')).toBe(5);
    expect(bucket('+Inf')).toBe(5);
    expect(family.samples.filter((s) => s.name.endsWith('_bucket'))).toHaveLength(BUFFERED_BYTES_BUCKETS.length + 1);
    expect(valueOf(families, 'meshwatch_connection_buffered_bytes_sum')).toBe(3_072_100);
    expect(valueOf(families, 'meshwatch_connection_buffered_bytes_count')).toBe(5);
    expect(valueOf(families, 'meshwatch_connection_buffered_bytes_max')).toBe(3_000_000);
    metrics.close();
  });

  it('escapes whatever the epoch label holds', () => {
    const metrics = new GatewayMetrics(
      { gateway: { stats: () => fakeStats({ epoch: 'a"b\\c\nd' }), connectionBufferedBytes: () => [] } },
      { scheduler: new ManualScheduler(), processMetrics: false },
    );
    const text = metrics.render();
    expect(text).toContain('meshwatch_gateway_info{epoch="a\\"b\\\\c\\nd",auth="off"} 1');
    expect(parseExposition(text).get('meshwatch_gateway_info')!.samples[0]!.labels.epoch).toBe('a"b\\c\nd');
    metrics.close();
  });

  it('adds the shared streams\' counters only on a gateway that shares its projects through Redis', () => {
    const shared = { appended: 12, ingested: 40, loads: 2, incompleteLoads: 1, snapshotsWritten: 3, errors: 0, unreadable: 0, regressions: 1, following: 2 };
    const render = (stats: GatewayStats) =>
      parseExposition(new GatewayMetrics({ gateway: { stats: () => stats, connectionBufferedBytes: () => [] } }, { scheduler: new ManualScheduler(), processMetrics: false }).render());
    const local = render(fakeStats());
    expect([...local.keys()].filter((name) => name.startsWith('meshwatch_shared_'))).toEqual([]);
    const scaled = render(fakeStats({ shared }));
    expect(scaled.get('meshwatch_shared_ingested_total')!.samples[0]!.value).toBe(40);
    expect(scaled.get('meshwatch_shared_incomplete_loads_total')!.samples[0]!.value).toBe(1);
    expect(scaled.get('meshwatch_shared_projects_followed')!.samples[0]!.value).toBe(2);
  });
});

// ---------------------------------------------------------------------------
// The standalone server, scraped for real.

// The refusals below are logged at info; warnings and errors still show.
beforeAll(() => configureLog({ level: 'warn' }));
afterAll(() => configureLog(null));

describe('GET /metrics on the standalone server', () => {
  let app: StandaloneServer | null = null;
  let base = '';
  const clients: TestClient[] = [];
  const sockets: Socket[] = [];
  const metricsScheduler = new ManualScheduler();

  async function start(gateway: StandaloneServerOptions['gateway'] = {}) {
    app = createStandaloneServer({
      distDir: '/nonexistent',
      gateway: { flushIntervalMs: 10, projects: ['prod'], ...gateway },
      metrics: { scheduler: metricsScheduler },
    });
    base = `http://127.0.0.1:${(await app.listen(0)).port}`;
  }

  const wsUrl = (project: string) => `${base.replace('http', 'ws')}/ws?project=${project}`;
  const open = (...args: ConstructorParameters<typeof TestClient>) => {
    const client = new TestClient(...args);
    clients.push(client);
    return client;
  };
  const publish = (body: string) =>
    fetch(`${base}/api/projects/prod/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const scrape = async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
    return parseExposition(await res.text());
  };

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const socket of sockets.splice(0)) socket.destroy();
    await app?.close();
    app = null;
  });

  const payloads: Payload[] = [
    { type: 'node-upsert', node: { id: 'db', label: 'DB', kind: 'postgres', status: 'healthy' } },
    { type: 'node-status', id: 'db', status: 'degraded' },
    { type: 'event', message: 'replica lag 4 s', severity: 'warn', nodeId: 'db' },
  ];

  it('counts connections, messages in and out, refusals, replays and snapshots by reason, in a valid exposition', async () => {
    await start();
    const v1 = open(wsUrl('prod'));
    const floor = open(wsUrl('prod'), []);
    await waitFor(() => v1.snapshot !== undefined && app!.gateway.stats().snapshotsSent === 2, 'both joined');

    expect((await publish(JSON.stringify(payloads))).status).toBe(202);
    await waitFor(() => v1.envelopes.length === 3 && floor.envelopes.length >= 3, 'published payloads reach both clients');
    // Turned away: another site's page (403), an unknown project (4404), a bad frame, a publish that is not JSON.
    const foreign = open(wsUrl('prod'), undefined, { headers: { origin: 'https://evil.example' } });
    const unknown = open(wsUrl('elsewhere'));
    v1.send('{"type":');
    expect((await publish('{"type":')).status).toBe(400);
    expect((await foreign.closed()).code).toBe(-1);
    expect(foreign.httpStatus).toBe(403);
    expect((await unknown.closed()).code).toBe(4404);
    await waitFor(() => v1.frames.some((frame) => frame.kind === 'error'), 'error frame for the bad frame');

    // A client that held seq 1 of this stream gets seqs 2 and 3 replayed; one that held another epoch gets a snapshot.
    const { epoch } = v1.welcome!;
    const resumed = open(wsUrl('prod'), undefined, { hello: { resume: { epoch, seq: 1 } } });
    const stale = open(wsUrl('prod'), undefined, { hello: { resume: { epoch: 'gone-epoch', seq: 2 } } });
    await waitFor(() => resumed.envelopes.length === 2 && stale.snapshot !== undefined, 'replay and snapshot');
    expect(resumed.welcome).toMatchObject({ resume: 'replay', replayed: 2 });
    expect(stale.welcome).toMatchObject({ resume: 'snapshot', reason: 'epoch-changed' });

    metricsScheduler.advance(5_000); // the rates are over these 5 s of the metrics' clock
    const families = await scrape();
    const stats = app!.gateway.stats();

    expect(valueOf(families, 'meshwatch_connections', { mode: 'v1' })).toBe(3);
    expect(valueOf(families, 'meshwatch_connections', { mode: 'floor' })).toBe(1);
    expect(valueOf(families, 'meshwatch_rooms')).toBe(1);
    expect(valueOf(families, 'meshwatch_messages_published_total')).toBe(3);
    expect(valueOf(families, 'meshwatch_messages_published_per_second')).toBeCloseTo(3 / 5, 9);
    expect(valueOf(families, 'meshwatch_messages_sent_total')).toBe(stats.messagesSent);
    expect(stats.messagesSent).toBeGreaterThanOrEqual(3 + 3 + 2);
    expect(valueOf(families, 'meshwatch_messages_sent_per_second')).toBeCloseTo(stats.messagesSent / 5, 9);
    expect(valueOf(families, 'meshwatch_frames_sent_total')).toBe(stats.framesSent);
    expect(valueOf(families, 'meshwatch_sent_chars_total')).toBe(stats.charsSent);
    expect(stats.charsSent).toBeGreaterThan(0);
    expect(valueOf(families, 'meshwatch_client_messages_rejected_total')).toBe(1);
    expect(valueOf(families, 'meshwatch_origins_refused_total', { endpoint: 'websocket' })).toBe(1);
    expect(valueOf(families, 'meshwatch_origins_refused_total', { endpoint: 'publish' })).toBe(0);
    expect(valueOf(families, 'meshwatch_connections_refused_total', { code: '4404', reason: 'unknown-project' })).toBe(1);
    expect(valueOf(families, 'meshwatch_connections_refused_total', { code: '4401' })).toBe(0);
    expect(valueOf(families, 'meshwatch_publish_requests_rejected_total')).toBe(1);
    expect(valueOf(families, 'meshwatch_publish_messages_accepted_total')).toBe(3);
    expect(valueOf(families, 'meshwatch_publishes_refused_total')).toBe(0);
    expect(valueOf(families, 'meshwatch_replays_total')).toBe(1);
    expect(valueOf(families, 'meshwatch_replayed_messages_total')).toBe(2);
    expect(valueOf(families, 'meshwatch_snapshots_sent_total', { reason: 'new' })).toBe(2);
    expect(valueOf(families, 'meshwatch_snapshots_sent_total', { reason: 'epoch-changed' })).toBe(1);
    const snapshotSamples = families.get('meshwatch_snapshots_sent_total')!.samples;
    expect(snapshotSamples.map((s) => s.labels.reason)).toEqual([...SNAPSHOT_REASONS]);
    expect(snapshotSamples.reduce((sum, s) => sum + s.value, 0)).toBe(stats.snapshotsSent);
    expect(valueOf(families, 'meshwatch_replay_buffer_chars')).toBe(stats.replayChars);
    expect(stats.replayChars).toBeGreaterThan(0);
    expect(valueOf(families, 'meshwatch_gateway_info', { epoch: app!.gateway.epoch, auth: 'off' })).toBe(1);

    // One bucket series over the four open connections, none labelled by connection.
    expect(valueOf(families, 'meshwatch_connection_buffered_bytes_count')).toBe(4);
    expect(valueOf(families, 'meshwatch_connection_buffered_bytes_bucket', { le: '+Inf' })).toBe(4);
    const buckets = families.get('meshwatch_connection_buffered_bytes')!.samples.filter((s) => s.name.endsWith('_bucket')).map((s) => s.value);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));

    expect(valueOf(families, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(valueOf(families, 'nodejs_heap_used_bytes')).toBeGreaterThan(0);
    expect(valueOf(families, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(valueOf(families, 'process_uptime_seconds')).toBeGreaterThan(0);

    // Every family is described, and no label carries a project, user or connection.
    for (const family of families.values()) {
      expect(family.help.length, family.name).toBeGreaterThan(0);
      for (const sample of family.samples) {
        expect(Object.keys(sample.labels).filter((label) => ['project', 'user', 'connection'].includes(label))).toEqual([]);
      }
    }
  });

  it('counts dropped and coalesced messages and slow consumers from the gateway’s counters', async () => {
    await start();
    const families = await scrape();
    for (const name of [
      'meshwatch_messages_dropped_total',
      'meshwatch_messages_coalesced_total',
      'meshwatch_slow_consumers_degraded_total',
      'meshwatch_slow_consumers_closed_total',
      'meshwatch_rate_limited_total',
      'meshwatch_rooms_dropped_total',
    ]) {
      expect(families.get(name)?.type, name).toBe('counter');
      expect(valueOf(families, name)).toBe(0);
    }
  });

  it('counts a refused publish token as a rejected publish request, not as a refused connection', async () => {
    await start({ auth: { secret: 'metrics-test-secret-of-at-least-32-bytes!' } });
    const res = await fetch(`${base}/api/projects/prod/publish`, { method: 'POST', headers: { authorization: 'Bearer not.a.jwt' }, body: '{}' });
    expect(res.status).toBe(401);
    expect((await publish('{}')).status).toBe(401);
    const families = await scrape();
    expect(valueOf(families, 'meshwatch_publish_requests_rejected_total')).toBe(2);
    expect(valueOf(families, 'meshwatch_connections_refused_total', { code: '4401' })).toBe(0);
    // A WebSocket without a token still counts there.
    const viewer = open(wsUrl('prod'));
    expect((await viewer.closed()).code).toBe(4401);
    expect(valueOf(await scrape(), 'meshwatch_connections_refused_total', { code: '4401' })).toBe(1);
  });

  it('answers HEAD with headers only and other methods with 405', async () => {
    await start();
    const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await head.text()).toBe('');
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: '' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('GET /healthz on the standalone server', () => {
  let app: StandaloneServer | null = null;
  let stuck: Socket | null = null;

  afterEach(async () => {
    stuck?.destroy();
    await app?.close();
    app = null;
  });

  it('answers 200 {status: ok} normally, and 503 {status: closing} once the shutdown has begun', async () => {
    app = createStandaloneServer({ distDir: '/nonexistent', gateway: { closeTimeoutMs: 30_000 } });
    const base = `http://127.0.0.1:${(await app.listen(0)).port}`;
    const ok = await fetch(`${base}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ok' });

    // A floor client that never answers the close: the shutdown waits for it (up to closeTimeoutMs).
    stuck = await rawFloorClient(base);
    await waitFor(() => app!.gateway.stats().connections === 1, 'stuck client connected');
    const closing = app.close();
    const during = await fetch(`${base}/healthz`);
    expect(during.status).toBe(503);
    expect(await during.json()).toEqual({ status: 'closing' });

    stuck.destroy();
    await closing;
  });
});

/** A WebSocket handshake by hand, after which the socket reads everything and answers nothing, not even a close. */
async function rawFloorClient(base: string): Promise<Socket> {
  const { hostname, port } = new URL(base);
  const socket = connect(Number(port), hostname);
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    'GET /ws?project=demo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  await waitFor(() => received.startsWith('HTTP/1.1 101'), 'handshake');
  return socket;
}
