/**
 * Lines of a recording, read as a stream. Not `readline`: it buffers a line
 * whole however long it is, and a recording may be hostile (one 2 GB line).
 * Here a line past `maxLineChars` is dropped as it streams by and reported
 * as too long; memory stays at one chunk plus one acceptable line.
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
  for await (const line of source) {
    counter.bytes += Buffer.byteLength(line) + 1;
    number++;
    yield { number, text: line.length > maxLineChars ? null : stripCarriageReturn(line) };
  }
}

async function* splitChunks(stream: Readable, maxLineChars: number, counter: ByteCounter): AsyncGenerator<SourceLine> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let tooLong = false;
  let number = 0;
  // Iterating the stream destroys it (closing the file) if the consumer stops early.
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    counter.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      number++;
      const rest = text.slice(start, newline);
      const long = tooLong || partial.length + rest.length > maxLineChars;
      yield { number, text: long ? null : stripCarriageReturn(partial + rest) };
      partial = '';
      tooLong = false;
      start = newline + 1;
    }
    if (!tooLong) {
      partial += text.slice(start);
      if (partial.length > maxLineChars) {
        tooLong = true;
        partial = '';
      }
    }
  }
  const last = partial + decoder.end();
  if (tooLong) yield { number: number + 1, text: null };
  else if (last !== '') yield { number: number + 1, text: stripCarriageReturn(last) };
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
