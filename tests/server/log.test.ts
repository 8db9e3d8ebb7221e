import { afterEach, describe, expect, it } from 'vitest';
import type { Payload } from '../../src/protocol/messages.ts';
import { configureLog, createLogger, log, LOG_LEVELS, logSettingsFromEnv, type LoggerOptions, type LogLevel } from '../../src/server/log.ts';
import { startGateway, TestClient, waitFor, type RunningGateway } from './support.ts';

const NOW = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
const ISO = '2025-01-02T03:04:05.678Z';

/** A logger whose lines are kept, stdout's and stderr's apart. */
function capture(options: LoggerOptions = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const logger = createLogger({ now: () => NOW, out: (line) => out.push(line), err: (line) => err.push(line), ...options });
  return { logger, out, err, all: () => [...out, ...err] };
}

describe('the server log', () => {
  it('writes one JSON object per line: time, level, msg, then the fields', () => {
    const { logger, out } = capture();
    logger.info('connection closed', { project: 'demo', code: 4409, degraded: true, extra: { bufferedBytes: 123 } });
    expect(out).toHaveLength(1);
    expect(out[0]!.endsWith('\n')).toBe(true);
    expect(out[0]!.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(out[0]!)).toEqual({
      time: ISO,
      level: 'info',
      msg: 'connection closed',
      project: 'demo',
      code: 4409,
      degraded: true,
      extra: { bufferedBytes: 123 },
    });
    // The entry's own keys come first, for whoever reads the raw line.
    expect(out[0]!.startsWith(`{"time":"${ISO}","level":"info","msg":"connection closed",`)).toBe(true);
  });

  it.each([
    { level: 'debug', expected: ['debug', 'info', 'warn', 'error'] },
    { level: 'info', expected: ['info', 'warn', 'error'] },
    { level: 'warn', expected: ['warn', 'error'] },
    { level: 'error', expected: ['error'] },
  ] as { level: LogLevel; expected: LogLevel[] }[])('at level $level writes only $expected', ({ level, expected }) => {
    const { logger, all } = capture({ level });
    for (const each of LOG_LEVELS) logger[each](`a ${each} entry`);
    expect(all().map((line) => JSON.parse(line).level)).toEqual(expected);
    expect(LOG_LEVELS.filter((each) => logger.enabled(each))).toEqual(expected);
  });

  it('sends debug and info to stdout, warn and error to stderr', () => {
    const { logger, out, err } = capture({ level: 'debug' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(out.map((line) => JSON.parse(line).msg)).toEqual(['d', 'i']);
    expect(err.map((line) => JSON.parse(line).msg)).toEqual(['w', 'e']);
  });

  it('keeps an entry on one line whatever its message and fields hold, and reads back exactly', () => {
    const { logger, out } = capture();
    const msg = 'line one\nline two\r\n"quoted" \\ back\u2028slash\u0000';
    const fields = { reason: '{"reason":"too slow"}\n{"forged":"entry"}', tab: 'a\tb', unicode: 'ünïcödé ✓' };
    logger.info(msg, fields);
    expect(out).toHaveLength(1);
    expect(out[0]!.split('\n')).toEqual([expect.any(String), '']);
    expect(JSON.parse(out[0]!)).toEqual({ time: ISO, level: 'info', msg, ...fields });
  });

  it('escapes C1 controls and line separators in JSON lines too, and still reads back exactly', () => {
    const { logger, out } = capture();
    const msg = 'csi \u009b2J nel \u0085 del \u007f ls \u2028 ps \u2029';
    logger.info(msg, { [`key\u009b`]: msg, nested: [msg] });
    expect(out[0]).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
    expect(JSON.parse(out[0]!)).toEqual({ time: ISO, level: 'info', msg, 'key\u009b': msg, nested: [msg] });
  });

  it('writes an Error field as its name, message, code and stack', () => {
    const { logger, err } = capture();
    const error = Object.assign(new TypeError('bad thing'), { code: 'E_BAD' });
    logger.error('gateway error', { context: 'heartbeat', error });
    const entry = JSON.parse(err[0]!);
    expect(entry.error).toMatchObject({ name: 'TypeError', message: 'bad thing', code: 'E_BAD' });
    expect(entry.error.stack).toContain('bad thing');
    expect(entry.context).toBe('heartbeat');
  });

  it('does not let a field overwrite time, level or msg', () => {
    const { logger, out } = capture();
    logger.info('real', { msg: 'forged', level: 'error', time: 'never', other: 1 });
    expect(JSON.parse(out[0]!)).toEqual({ time: ISO, level: 'info', msg: 'real', 'field.msg': 'forged', 'field.level': 'error', 'field.time': 'never', other: 1 });
  });

  it('still writes the entry when a field cannot be serialised, and does not throw', () => {
    const { logger, out } = capture();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => logger.info('with a cycle', { circular, big: 10n })).not.toThrow();
    expect(JSON.parse(out[0]!)).toEqual({ time: ISO, level: 'info', msg: 'with a cycle', fieldsError: 'fields could not be serialised' });
    logger.info('a bigint', { big: 10n });
    expect(JSON.parse(out[1]!).big).toBe('10');
  });

  describe('in text format', () => {
    it('writes time, level, message and key=value fields on one line, quoting only what needs it', () => {
      const { logger, out } = capture({ format: 'text' });
      logger.info('connection closed', { project: 'demo', code: 4409, reason: 'too slow to keep up', by: 'gateway', details: { bufferedBytes: 9 }, skipped: undefined });
      expect(out).toEqual([`${ISO} INFO  connection closed project=demo code=4409 reason="too slow to keep up" by=gateway details={"bufferedBytes":9}\n`]);
    });

    it('escapes line breaks in the message and in values, so one entry stays one line', () => {
      const { logger, err } = capture({ format: 'text' });
      logger.warn('two\nlines', { value: 'a\nb "c"' });
      expect(err).toEqual([`${ISO} WARN  two\\nlines value="a\\nb \\"c\\""\n`]);
    });

    it.each([
      { name: 'a CSI (C1) that clears the screen', char: '\u009b', escaped: '\\u009b' },
      { name: 'NEL, a C1 line break', char: '\u0085', escaped: '\\u0085' },
      { name: 'DEL', char: '\u007f', escaped: '\\u007f' },
      { name: 'the line separator', char: '\u2028', escaped: '\\u2028' },
      { name: 'the paragraph separator', char: '\u2029', escaped: '\\u2029' },
    ])('escapes $name in the message, keys, values and stacks', ({ char, escaped }) => {
      const { logger, err } = capture({ format: 'text' });
      const error = new Error(`bad${char}2J`);
      error.stack = `Error: bad${char}2J\n    at here${char} (file.ts:1:1)`;
      logger.error(`m${char}2J`, { [`k${char}`]: `v${char}2J`, nested: { text: `n${char}` }, error });
      expect(err).toHaveLength(1);
      expect(err[0]).not.toContain(char);
      expect(err[0]).toBe(
        `${ISO} ERROR m${escaped}2J k${escaped}="v${escaped}2J" nested={"text":"n${escaped}"} error="Error: bad${escaped}2J"\n` +
          `    Error: bad${escaped}2J\n    at here${escaped} (file.ts:1:1)\n`,
      );
    });

    it('quotes what JSON cannot say (a function), so its line breaks stay escaped', () => {
      const { logger, out } = capture({ format: 'text' });
      logger.info('odd field', { fn: function named() {
      return 1;
    } });
      expect(out).toHaveLength(1);
      expect(out[0]!.slice(0, -1)).not.toContain('\n');
      expect(out[0]).toMatch(/ fn="function named\(\) \{\\n/);
    });

    it('writes an error as its name and message, with its stack on the indented lines after', () => {
      const { logger, err } = capture({ format: 'text' });
      const error = new Error('boom');
      error.stack = 'Error: boom\n    at here (file.ts:1:1)\n    at there (file.ts:2:2)';
      logger.error('request failed', { error });
      expect(err).toEqual([`${ISO} ERROR request failed error="Error: boom"\n    Error: boom\n    at here (file.ts:1:1)\n    at there (file.ts:2:2)\n`]);
    });
  });

  describe('settings from the environment', () => {
    it.each([
      { name: 'nothing set, on a terminal', env: {}, terminal: true, expected: { level: 'info', format: 'text' }, warned: 0 },
      { name: 'nothing set, piped', env: {}, terminal: false, expected: { level: 'info', format: 'json' }, warned: 0 },
      { name: 'debug and json', env: { MESHWATCH_LOG_LEVEL: 'debug', MESHWATCH_LOG_FORMAT: 'json' }, terminal: true, expected: { level: 'debug', format: 'json' }, warned: 0 },
      { name: 'upper case and spaces', env: { MESHWATCH_LOG_LEVEL: ' WARN ', MESHWATCH_LOG_FORMAT: 'Text' }, terminal: false, expected: { level: 'warn', format: 'text' }, warned: 0 },
      { name: 'an unknown level', env: { MESHWATCH_LOG_LEVEL: 'verbose' }, terminal: false, expected: { level: 'info', format: 'json' }, warned: 1 },
      { name: 'an unknown format', env: { MESHWATCH_LOG_FORMAT: 'xml' }, terminal: true, expected: { level: 'info', format: 'text' }, warned: 1 },
    ])('reads $name', ({ env, terminal, expected, warned }) => {
      const warnings: string[] = [];
      expect(logSettingsFromEnv(env, terminal, (message) => warnings.push(message))).toEqual(expected);
      expect(warnings).toHaveLength(warned);
      if (warned) expect(warnings[0]).toMatch(/^\[meshwatch\] ignoring MESHWATCH_LOG_/);
    });
  });
});

describe('the gateway’s connection log', () => {
  let running: RunningGateway | null = null;
  const clients: TestClient[] = [];
  let lines: string[] = [];

  function logTo(level: LogLevel): void {
    lines = [];
    configureLog({ level, out: (line) => lines.push(line), err: (line) => lines.push(line) });
  }
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await running?.close();
    running = null;
    configureLog(null);
  });

  it('logs each connection’s open and close at debug, one entry each, however many messages it gets', async () => {
    logTo('debug');
    running = await startGateway({ flushIntervalMs: 5 });
    const client = new TestClient(running.url('p1'));
    clients.push(client);
    await waitFor(() => client.snapshot !== undefined, 'snapshot');
    const payload: Payload = { type: 'event', message: 'hello', severity: 'info' };
    for (let i = 0; i < 200; i++) running.gateway.publish('p1', payload);
    await waitFor(() => client.envelopes.length === 200, 'all messages');
    client.socket.close(1000);
    await client.closed();
    await waitFor(() => entries().some((entry) => entry.msg === 'connection closed'), 'close logged');

    expect(entries().map((entry) => [entry.level, entry.msg])).toEqual([
      ['debug', 'connection opened'],
      ['debug', 'connection closed'],
    ]);
    expect(entries()[0]).toMatchObject({ project: 'p1', mode: 'v1' });
    expect(entries()[1]).toMatchObject({ project: 'p1', mode: 'v1', code: 1000, by: 'client', connection: entries()[0]!.connection });
  });

  it('logs an abnormal close at info with the gateway’s code and reason, and an ordinary one not at all', async () => {
    logTo('info');
    running = await startGateway({ projects: ['p1'] });
    const ordinary = new TestClient(running.url('p1'));
    const refused = new TestClient(running.url('unknown'));
    clients.push(ordinary, refused);
    expect((await refused.closed()).code).toBe(4404);
    await waitFor(() => ordinary.snapshot !== undefined, 'snapshot');
    ordinary.socket.close(1000);
    await ordinary.closed();
    await waitFor(() => entries().length >= 1, 'abnormal close logged');
    await running.close();

    expect(entries()).toEqual([
      expect.objectContaining({ level: 'info', msg: 'connection closed', project: 'unknown', code: 4404, reason: 'unknown project', by: 'gateway' }),
    ]);
  });

  it('goes through the process’s logger, which configureLog replaces', () => {
    logTo('warn');
    log.info('dropped');
    log.warn('kept', { n: 1 });
    expect(entries()).toEqual([expect.objectContaining({ level: 'warn', msg: 'kept', n: 1 })]);
  });
});
