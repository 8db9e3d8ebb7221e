/**
 * Lines of a recording, read as a stream. Not `readline`: it buffers a line
 * whole however long it is, and a recording may be hostile (one 2 GB line).
 * Here a line past `maxLineChars` is reported as too long as soon as it
 * passes the limit (so a file with no newline at all, such as a .gz, fails its
 * header check without being read to the end), and the rest of it is dropped
 * as it streams by; memory stays at one chunk plus one acceptable line.
 *
 * A UTF-8 byte-order mark at the very start is dropped: editors on Windows
 * write one, and JSON.parse refuses it.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/**
 * Where a recording comes from: a file path; a byte or text stream (e.g.
 * `process.stdin`); or lines already split (e.g. `readline`'s interface, an
 * array in a test), each item one line without its newline.
 */
export type RecordingSource = string | Readable | Iterable<string> | AsyncIterable<string>;

/** One line; `text` is null when the line was longer than allowed (and dropped). */
export interface SourceLine {
  /** 1-based. */
  number: number;
  text: string | null;
}

/** Counts bytes consumed, for progress (how far into the file a replay is). */
export interface ByteCounter {
  bytes: number;
}

/** A human name for a source, for error messages. */
export function sourceName(source: RecordingSource): string {
  return typeof source === 'string' ? source : 'input';
}

/** Splits `source` into lines; blank lines are yielded too (callers skip them), a final line without a newline included. */
export async function* readLines(source: RecordingSource, maxLineChars: number, counter: ByteCounter = { bytes: 0 }): AsyncGenerator<SourceLine> {
  if (typeof source === 'string' || source instanceof Readable) {
    yield* splitChunks(typeof source === 'string' ? createReadStream(source) : source, maxLineChars, counter);
    return;
  }
  let number = 0;
  for await (const item of source) {
    counter.bytes += Buffer.byteLength(item) + 1;
    number++;
    const line = number === 1 ? stripByteOrderMark(item) : item;
    yield { number, text: line.length > maxLineChars ? null : stripCarriageReturn(line) };
  }
}

async function* splitChunks(stream: Readable, maxLineChars: number, counter: ByteCounter): AsyncGenerator<SourceLine> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  /** The line being read was already reported as too long: the rest of it, up to its newline, is dropped. */
  let skipping = false;
  let atStart = true;
  let number = 0;
  // Iterating the stream destroys it (closing the file) if the consumer stops early.
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    counter.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (atStart && text !== '') {
      // The decoder holds back a mark split across chunks until it is whole: the first text it gives starts with it.
      text = stripByteOrderMark(text);
      atStart = false;
    }
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      if (skipping) {
        skipping = false;
      } else {
        number++;
        const rest = text.slice(start, newline);
        yield { number, text: partial.length + rest.length > maxLineChars ? null : stripCarriageReturn(partial + rest) };
      }
      partial = '';
      start = newline + 1;
    }
    if (!skipping) {
      partial += text.slice(start);
      if (partial.length > maxLineChars) {
        // Said now, not at its newline: that may be gigabytes away, or never come.
        number++;
        yield { number, text: null };
        skipping = true;
        partial = '';
      }
    }
  }
  const last = partial + decoder.end();
  if (skipping || last === '') return;
  number++;
  yield { number, text: last.length > maxLineChars ? null : stripCarriageReturn(atStart ? stripByteOrderMark(last) : last) };
}

function stripByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
