import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatHeader,
  formatMessage,
  parseHeader,
  parseMessageLine,
  RECORDING_LIMITS,
  RecordingFormatError,
  type BadLine,
  type RecordedMessage,
  type RecordingHeader,
} from '../../../src/server/recording/format.ts';
import { openRecording } from '../../../src/server/recording/reader.ts';
import { tempDir } from './support.ts';

const HEADER: RecordingHeader = { meshwatch: 'recording', version: 1, project: 'demo', startedAt: 1_767_225_600_000, source: 'test' };
const message = (t: number, id = `n${t}`): RecordedMessage => ({
  t,
  ts: HEADER.startedAt + t,
  seq: t + 1,
  data: { type: 'node-upsert', node: { id, label: id, kind: 'svc', status: 'healthy' } },
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function fileWith(text: string): Promise<string> {
  const files = await tempDir();
  cleanups.push(files.remove);
  const path = files.path('r.ndjson');
  await writeFile(path, text);
  return path;
}

async function readAll(source: Parameters<typeof openRecording>[0]) {
  const bad: BadLine[] = [];
  const reader = await openRecording(source, { onBadLine: (line) => bad.push(line) });
  const messages: RecordedMessage[] = [];
  for await (const m of reader.messages()) messages.push(m);
  return { header: reader.header, messages, bad, badLines: reader.badLines, bytesRead: reader.bytesRead, totalBytes: reader.totalBytes };
}

describe('a recording line', () => {
  it.each([
    ['garbage', 'hello world', 'not JSON'],
    ['a JSON array', '[1,2]', 'not a JSON object'],
    ['a JSON string', '"node-upsert"', 'not a JSON object'],
    ['an unknown payload type', '{"t":0,"ts":1,"data":{"type":"node-explode","id":"a"}}', 'data.type'],
    ['a payload of the wrong shape', '{"t":0,"ts":1,"data":{"type":"node-status","id":"a","status":"on fire"}}', 'data.status'],
    ['a negative t', '{"t":-5,"ts":1,"data":{"type":"node-delete","id":"a"}}', 't:'],
    ['a missing ts', '{"t":0,"data":{"type":"node-delete","id":"a"}}', 'ts:'],
    ['a fractional seq', '{"t":0,"ts":1,"seq":1.5,"data":{"type":"node-delete","id":"a"}}', 'seq:'],
    ['a second header', formatHeader(HEADER), 'second recording header'],
    ['a hostile __proto__ as the payload', '{"t":0,"ts":1,"__proto__":{"data":{"type":"node-delete","id":"a"}}}', 'data'],
  ])('is refused when it is %s', (_name, line, reason) => {
    const parsed = parseMessageLine(line);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });

  it('is refused, without being parsed, when it is longer than the limit', () => {
    const parsed = parseMessageLine(`{"t":0,"ts":1,"data":{"type":"event","severity":"info","message":"${'x'.repeat(RECORDING_LIMITS.maxLineChars)}"}}`);
    expect(parsed).toEqual({ ok: false, reason: expect.stringContaining('longer than') });
  });

  it('round-trips through formatMessage, with or without seq', () => {
    const withSeq = message(5);
    const { seq: _seq, ...withoutSeq } = withSeq;
    expect(parseMessageLine(formatMessage(withSeq))).toEqual({ ok: true, message: withSeq });
    expect(formatMessage(withoutSeq)).not.toContain('seq');
    expect(parseMessageLine(formatMessage(withoutSeq))).toEqual({ ok: true, message: withoutSeq });
  });

  it('keeps hostile __proto__ keys from reaching a prototype', () => {
    const line = '{"t":0,"ts":1,"data":{"type":"node-upsert","__proto__":{"polluted":true},"node":{"id":"a","label":"A","kind":"svc","status":"healthy","meta":{"__proto__":{"polluted":true},"region":"eu"}}}}';
    const parsed = parseMessageLine(line);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok || parsed.message.data.type !== 'node-upsert') return;
    const { data } = parsed.message;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(data.node.meta)).toBe(Object.prototype);
    expect(data.node.meta).toEqual({ region: 'eu' });
    expect((data as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('a recording header', () => {
  it.each([
    ['no line at all', undefined, 'empty'],
    ['not JSON', 'PK\u0003\u0004 binary junk', 'not-json'],
    ['some other JSON', '{"name":"meshwatch","version":"0.1.0"}', 'not-a-recording'],
    ['a message line (header missing)', formatMessage(message(0)), 'not-a-recording'],
    ['a newer version', '{"meshwatch":"recording","version":2,"project":"demo","startedAt":0,"source":""}', 'unsupported-version'],
    ['missing its project', '{"meshwatch":"recording","version":1,"startedAt":0,"source":""}', 'invalid-header'],
    ['a blank project', '{"meshwatch":"recording","version":1,"project":"  ","startedAt":0,"source":""}', 'invalid-header'],
  ])('is refused with a clear error when it is %s', (_name, line, code) => {
    let error: unknown;
    try {
      parseHeader(line, 'x.ndjson');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RecordingFormatError);
    expect((error as RecordingFormatError).code).toBe(code);
    expect((error as Error).message).toContain('x.ndjson');
  });

  it('says that the header is missing when a file starts with a message', () => {
    expect(() => parseHeader(formatMessage(message(0)))).toThrow(/header line is missing/);
  });

  it('says which version a newer file is', () => {
    expect(() => parseHeader('{"meshwatch":"recording","version":2}')).toThrow(/version 2 recording; this meshwatch reads version 1/);
  });
});

describe('reading a recording file', () => {
  it('skips bad lines, reporting each with its line number and reason, and reads on', async () => {
    const path = await fileWith(
      [
        formatHeader(HEADER),
        formatMessage(message(0)),
        'garbage',
        '',
        formatMessage(message(10)),
        '{"t":20,"ts":1,"data":{"type":"node-status","id":"a","status":"sideways"}}',
        `${formatMessage(message(30))}\r`,
        formatMessage(message(40)),
      ].join('\n'),
    );
    const read = await readAll(path);
    expect(read.header).toEqual(HEADER);
    expect(read.messages.map((m) => m.t)).toEqual([0, 10, 30, 40]);
    expect(read.bad).toEqual([
      { line: 3, reason: 'not JSON' },
      { line: 6, reason: expect.stringContaining('data.status') },
    ]);
    expect(read.badLines).toBe(2);
    expect(read.bytesRead).toBe(read.totalBytes);
  });

  it('skips a huge line without stopping, and reads the lines after it', async () => {
    const huge = `{"t":1,"ts":1,"data":{"type":"event","severity":"info","message":"${'y'.repeat(3 * 1024 * 1024)}"}}`;
    const path = await fileWith([formatHeader(HEADER), formatMessage(message(0)), huge, formatMessage(message(2))].join('\n') + '\n');
    const read = await readAll(path);
    expect(read.messages.map((m) => m.t)).toEqual([0, 2]);
    expect(read.bad).toEqual([{ line: 3, reason: expect.stringContaining('longer than') }]);
  });

  it('skips a huge last line with no newline after it', async () => {
    const path = await fileWith([formatHeader(HEADER), formatMessage(message(0)), 'z'.repeat(RECORDING_LIMITS.maxLineChars + 10)].join('\n'));
    const read = await readAll(path);
    expect(read.messages).toHaveLength(1);
    expect(read.bad).toEqual([{ line: 3, reason: expect.stringContaining('longer than') }]);
  });

  it('reads a file whose last line has no newline, and one with blank lines before the header', async () => {
    const read = await readAll(await fileWith(`\n\n${formatHeader(HEADER)}\n${formatMessage(message(0))}\n${formatMessage(message(7))}`));
    expect(read.messages.map((m) => m.t)).toEqual([0, 7]);
    expect(read.bad).toEqual([]);
  });

  it('reads multi-byte text split across chunks', async () => {
    const text = `${formatHeader(HEADER)}\n${formatMessage({ t: 0, ts: 0, data: { type: 'event', severity: 'info', message: 'Größe ✓ 日本' } })}\n`;
    const bytes = Buffer.from(text);
    // One byte per chunk: every multi-byte character is split.
    const stream = Readable.from([...bytes].map((byte) => Buffer.from([byte])));
    const read = await readAll(stream);
    expect(read.messages[0]!.data).toMatchObject({ message: 'Größe ✓ 日本' });
  });

  it('reads lines already split (readline, an array)', async () => {
    const read = await readAll([formatHeader(HEADER), formatMessage(message(0)), 'nope', formatMessage(message(1))]);
    expect(read.messages).toHaveLength(2);
    expect(read.bad).toEqual([{ line: 3, reason: 'not JSON' }]);
    expect(read.totalBytes).toBeNull();
  });

  it.each([
    ['an empty file', '', 'empty'],
    ['a file of blank lines', '\n\n  \n', 'empty'],
    ['a JSON document', '{\n  "name": "meshwatch"\n}\n', 'not-json'],
    ['a CSV file', 't,ts,type\n0,1,node-upsert\n', 'not-json'],
  ])('refuses %s before reading any message', async (_name, text, code) => {
    await expect(openRecording(await fileWith(text))).rejects.toMatchObject({ name: 'RecordingFormatError', code });
  });

  it('refuses a file whose first line is huge without holding it', async () => {
    await expect(openRecording(await fileWith('x'.repeat(RECORDING_LIMITS.maxLineChars * 4)))).rejects.toMatchObject({ code: 'not-a-recording' });
  });

  it('stops reading as soon as a first line without a newline passes the limit (a .gz given by mistake)', async () => {
    // 50 MB without a newline, counted as it is read.
    const total = 50 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x8b);
    let produced = 0;
    const source = new Readable({
      read() {
        if (produced >= total) return void this.push(null);
        produced += chunk.length;
        this.push(chunk);
      },
    });
    await expect(openRecording(source)).rejects.toMatchObject({ code: 'not-a-recording', message: expect.stringContaining('longer than') });
    // The limit and what the stream reads ahead, not the 50 MB.
    expect(produced).toBeLessThan(4 * RECORDING_LIMITS.maxLineChars + 1024 * 1024);
    expect(source.destroyed).toBe(true);
  });

  it('reports a huge line in the middle once, at its own line number, even when it spans many chunks', async () => {
    const huge = 'q'.repeat(3 * RECORDING_LIMITS.maxLineChars);
    const text = [formatHeader(HEADER), formatMessage(message(0)), huge, formatMessage(message(2)), huge].join('\n');
    const bytes = Buffer.from(text);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 4096) }, (_, i) => bytes.subarray(i * 4096, (i + 1) * 4096));
    const read = await readAll(Readable.from(chunks));
    expect(read.messages.map((m) => m.t)).toEqual([0, 2]);
    expect(read.bad).toEqual([
      { line: 3, reason: expect.stringContaining('longer than') },
      { line: 5, reason: expect.stringContaining('longer than') },
    ]);
  });

  it.each([
    { name: 'a file', source: async (text: string) => fileWith(text) },
    { name: 'a stream whose first chunk is the mark alone', source: async (text: string) => Readable.from([Buffer.from([0xef, 0xbb]), Buffer.from([0xbf]), Buffer.from(text.slice(1))]) },
    { name: 'lines already split', source: async (text: string) => text.split('\n') },
  ])('reads $name that starts with a UTF-8 byte-order mark', async ({ source }) => {
    const text = `\uFEFF${formatHeader(HEADER)}\n${formatMessage(message(0))}\n`;
    const read = await readAll(await source(text));
    expect(read.header).toEqual(HEADER);
    expect(read.messages.map((m) => m.t)).toEqual([0]);
  });

  it('fails with the file system error for a missing file', async () => {
    await expect(openRecording('/nonexistent/meshwatch.ndjson')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
