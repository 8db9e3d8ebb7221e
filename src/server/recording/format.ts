/**
 * The recording file format: NDJSON, one JSON value per line, UTF-8.
 *
 * Line 1 is the header:
 *
 *     {"meshwatch":"recording","version":1,"project":"demo","startedAt":1767225600000,"source":"ws://127.0.0.1:5173/ws?project=demo"}
 *
 * - `startedAt`: wall-clock ms (Unix epoch) when the recording began.
 * - `source`: free text saying where the stream came from (a gateway URL, a
 *   simulator seed); shown to a human, never parsed.
 *
 * Every further line is one message of the project's stream:
 *
 *     {"t":1250,"ts":1767225601250,"seq":4711,"data":{"type":"node-status","id":"kafka","status":"degraded"}}
 *
 * - `t`: ms since the recording began. Non-decreasing in a well-formed file; a
 *   replayer paces itself by it. The recording's first lines, at `t` 0, are
 *   the project as it stood (the gateway's snapshot turned into payloads).
 * - `ts`: the envelope's `ts` as the gateway stamped it (ms since the epoch).
 *   Informational: a replay is stamped anew by the gateway it publishes to.
 * - `seq`: the envelope's seq, when known; omitted by generated recordings.
 * - `data`: one protocol `Payload`, validated with its schema on reading.
 *
 * Why NDJSON: a recording is written as the stream arrives and replayed line
 * by line, so neither side ever holds a whole file; a truncated file (a
 * crashed recorder) loses only its last line; `grep`, `head` and `jq` work.
 * Readers skip (and count) a bad line rather than give up on the file.
 */
import { z } from 'zod';
import { ProjectId } from '../../protocol/mesh.ts';
import { Payload } from '../../protocol/messages.ts';

export const RECORDING_VERSION = 1;
/** The header's marker: what tells a recording from any other NDJSON file. */
export const RECORDING_MARKER = 'recording';

export const RECORDING_LIMITS = {
  /**
   * Longest line a reader accepts. A valid message is at most a few tens of
   * kilobytes (a log chunk is 16 KiB of text); a longer line is skipped
   * without ever being held whole, so a hostile file cannot exhaust memory.
   */
  maxLineChars: 256 * 1024,
  maxSourceLength: 1_000,
} as const;

export const RecordingHeader = z.object({
  meshwatch: z.literal(RECORDING_MARKER),
  version: z.literal(RECORDING_VERSION),
  project: ProjectId,
  startedAt: z.number(),
  source: z.string().max(RECORDING_LIMITS.maxSourceLength),
});
export type RecordingHeader = z.infer<typeof RecordingHeader>;

export const RecordedMessage = z.object({
  t: z.number().nonnegative(),
  ts: z.number(),
  seq: z.number().int().nonnegative().optional(),
  data: Payload,
});
export type RecordedMessage = z.infer<typeof RecordedMessage>;

/** A line a reader skipped, and why. `line` is 1-based and counts the header. */
export interface BadLine {
  line: number;
  reason: string;
}

export type RecordingFormatErrorCode = 'empty' | 'not-json' | 'not-a-recording' | 'unsupported-version' | 'invalid-header';

/** The file is not a recording this version can read: nothing of it is replayed. */
export class RecordingFormatError extends Error {
  constructor(
    readonly code: RecordingFormatErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RecordingFormatError';
  }
}

/** The header line (without its newline). */
export function formatHeader(header: RecordingHeader): string {
  return JSON.stringify(header);
}

/** One message line (without its newline); `seq` is left out when absent. */
export function formatMessage(message: RecordedMessage): string {
  const seq = message.seq !== undefined ? `,"seq":${message.seq}` : '';
  return `{"t":${message.t},"ts":${message.ts}${seq},"data":${JSON.stringify(message.data)}}`;
}

/**
 * Reads line 1. Throws a RecordingFormatError that says what the file looks
 * like instead, so `meshwatch replay some.json` explains itself.
 */
export function parseHeader(text: string | undefined, name = 'input'): RecordingHeader {
  if (text === undefined) throw new RecordingFormatError('empty', `${name} is empty: not a meshwatch recording`);
  const value = parseJson(text);
  if (value === NOT_JSON) {
    throw new RecordingFormatError('not-json', `${name} is not a meshwatch recording: its first line is not JSON`);
  }
  if (!isObject(value) || value.meshwatch !== RECORDING_MARKER) {
    const hint = isObject(value) && 'data' in value && 't' in value ? ' (it starts with a message: the header line is missing)' : '';
    throw new RecordingFormatError(
      'not-a-recording',
      `${name} is not a meshwatch recording: its first line is not a header {"meshwatch":"recording",...}${hint}`,
    );
  }
  if (value.version !== RECORDING_VERSION) {
    throw new RecordingFormatError(
      'unsupported-version',
      `${name} is a version ${JSON.stringify(value.version)} recording; this meshwatch reads version ${RECORDING_VERSION}`,
    );
  }
  const header = RecordingHeader.safeParse(value);
  if (!header.success) throw new RecordingFormatError('invalid-header', `${name} has an invalid header: ${describeIssue(header.error)}`);
  return header.data;
}

export type ParsedLine = { ok: true; message: RecordedMessage } | { ok: false; reason: string };

/** Parses and validates one message line. Never throws. */
export function parseMessageLine(text: string): ParsedLine {
  if (text.length > RECORDING_LIMITS.maxLineChars) return { ok: false, reason: `line longer than ${RECORDING_LIMITS.maxLineChars} characters` };
  const value = parseJson(text);
  if (value === NOT_JSON) return { ok: false, reason: 'not JSON' };
  if (!isObject(value)) return { ok: false, reason: 'not a JSON object' };
  if (value.meshwatch === RECORDING_MARKER) return { ok: false, reason: 'a second recording header (files concatenated?)' };
  const message = RecordedMessage.safeParse(value);
  return message.success ? { ok: true, message: message.data } : { ok: false, reason: describeIssue(message.error) };
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first problem zod found, as `path: message`, short enough for a terminal line. */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return `${path ? `${path}: ` : ''}${issue.message}`.slice(0, 200);
}
