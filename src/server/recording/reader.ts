/**
 * Reads a recording as a stream: the header first (a file that is not a
 * recording fails here, before anything is replayed), then its messages one
 * by one. A bad line is skipped, counted and reported; the rest still play.
 */
import { stat } from 'node:fs/promises';
import { parseHeader, parseMessageLine, RECORDING_LIMITS, RecordingFormatError, type BadLine, type RecordedMessage, type RecordingHeader } from './format.ts';
import { readLines, sourceName, type ByteCounter, type RecordingSource, type SourceLine } from './lines.ts';

/** Options of `openRecording`; all optional. */
export interface ReadRecordingOptions {
  /** Called for every skipped line. */
  onBadLine?: (bad: BadLine) => void;
  /** Longest line read; longer ones are skipped as bad. Default `RECORDING_LIMITS.maxLineChars`. */
  maxLineChars?: number;
}

/** An open recording: its header, then its messages (iterate once). */
export interface RecordingReader {
  readonly header: RecordingHeader;
  /** Valid messages in file order; bad lines are skipped and counted. */
  messages(): AsyncGenerator<RecordedMessage>;
  /** Lines skipped so far. */
  readonly badLines: number;
  /** Bytes read so far (header included). */
  readonly bytesRead: number;
  /** The file's size, when the source is a file; null for a stream. */
  readonly totalBytes: number | null;
  /** Stops reading and closes the file; harmless after the messages ran out. */
  close(): Promise<void>;
}

/** Opens `source` and reads its header; throws RecordingFormatError if it is not a recording. */
export async function openRecording(source: RecordingSource, options: ReadRecordingOptions = {}): Promise<RecordingReader> {
  const totalBytes = typeof source === 'string' ? (await stat(source)).size : null;
  const counter: ByteCounter = { bytes: 0 };
  const maxLineChars = options.maxLineChars ?? RECORDING_LIMITS.maxLineChars;
  const lines = readLines(source, maxLineChars, counter);
  let badLines = 0;
  const bad = (line: number, reason: string) => {
    badLines++;
    options.onBadLine?.({ line, reason });
  };

  let header: RecordingHeader;
  try {
    const first = await firstNonBlank(lines);
    if (first?.text === null) {
      throw new RecordingFormatError('not-a-recording', `${sourceName(source)} is not a meshwatch recording: its first line is longer than ${maxLineChars} characters`);
    }
    header = parseHeader(first?.text, sourceName(source));
  } catch (error) {
    await lines.return(undefined);
    throw error;
  }

  async function* messages(): AsyncGenerator<RecordedMessage> {
    try {
      for await (const line of { [Symbol.asyncIterator]: () => lines }) {
        if (line.text === null) {
          bad(line.number, `line longer than ${maxLineChars} characters`);
          continue;
        }
        if (line.text.trim() === '') continue;
        const parsed = parseMessageLine(line.text);
        if (parsed.ok) yield parsed.message;
        else bad(line.number, parsed.reason);
      }
    } finally {
      await lines.return(undefined);
    }
  }

  return {
    header,
    messages,
    get badLines() {
      return badLines;
    },
    get bytesRead() {
      return counter.bytes;
    },
    totalBytes,
    close: async () => {
      await lines.return(undefined);
    },
  };
}

/** The header is the first line that is not blank (an editor may have left an empty line at the top). */
async function firstNonBlank(lines: AsyncGenerator<SourceLine>): Promise<SourceLine | undefined> {
  for (;;) {
    const next = await lines.next();
    if (next.done) return undefined;
    if (next.value.text === null || next.value.text.trim() !== '') return next.value;
  }
}
