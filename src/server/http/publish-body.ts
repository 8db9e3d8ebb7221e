/**
 * Reading a publish request's body into its messages, before any schema:
 * one JSON payload, a JSON array of payloads, or NDJSON (one payload per
 * line). NDJSON lets a publisher stream a batch without building one big
 * array, and lets one broken line cost only that line: each line is a
 * message of its own, so a line that is not JSON is that message's error,
 * not the whole request's.
 *
 * The work is bounded, since it runs on the gateway's event loop (every
 * viewer's frames and heartbeats wait for it): a body of more than
 * `maxMessages` is refused after counting its lines, before any is parsed,
 * and parsing stops at the line past `maxUnreadable` lines that are not JSON
 * (the request is refused for its invalid messages anyway).
 */

/** One message of a body: its JSON value, or (NDJSON only) a line that is not JSON. */
export type BodyMessage =
  | { ok: true; value: unknown; /** 1-based, NDJSON only. */ line?: number }
  | { ok: false; line: number };

/**
 * The messages of a body, in order, or why the body as a whole is unreadable
 * (`tooMany`: it holds more than `maxMessages`). `count` is how many messages
 * the body holds; `messages` may stop short of it, when parsing stopped at
 * too many lines that are not JSON.
 */
export type ParsedBody = { ok: true; count: number; messages: BodyMessage[] } | { ok: false; error: string; tooMany?: true };

/** How much of a body is read; see the module comment. */
export interface BodyLimits {
  maxMessages: number;
  /** Lines that are not JSON parsed before parsing stops (the next one is the last parsed). */
  maxUnreadable: number;
}

/** Media types that announce one JSON value per line. */
const LINE_DELIMITED = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines']);

/** Whether `contentType` (a header value, parameters and all) announces NDJSON. */
export function isLineDelimited(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return LINE_DELIMITED.has(contentType.split(';')[0]!.trim().toLowerCase());
}

/**
 * The messages of `text`. A leading byte-order mark is dropped (editors and
 * Windows tools write one; JSON.parse refuses it). Without an NDJSON content
 * type, the body is read as JSON first; when that fails, it is NDJSON if it
 * has two or more non-blank lines and at least one of them is JSON
 * (otherwise it is simply not JSON).
 */
export function parsePublishBody(text: string, contentType: string | undefined, limits: BodyLimits): ParsedBody {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return { ok: false, error: 'empty body' };
  if (isLineDelimited(contentType)) return parseLines(text, false, limits);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return parseLines(text, true, limits);
  }
  if (!Array.isArray(value)) return { ok: true, count: 1, messages: [{ ok: true, value }] };
  if (value.length === 0) return { ok: false, error: 'no payloads' };
  if (value.length > limits.maxMessages) return tooMany(limits);
  return { ok: true, count: value.length, messages: value.map((item: unknown) => ({ ok: true, value: item })) };
}

function tooMany(limits: BodyLimits): ParsedBody {
  return { ok: false, error: `more than ${limits.maxMessages} messages in one request`, tooMany: true };
}

/** The non-blank lines of `text` with their 1-based numbers, or null when there are more than `max`. */
function nonBlankLines(text: string, max: number): { text: string; number: number }[] | null {
  const lines: { text: string; number: number }[] = [];
  let number = 0;
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    number++;
    const line = text.slice(start, end);
    if (line.trim() !== '') {
      if (lines.length === max) return null;
      lines.push({ text: line, number });
    }
    start = end + 1;
  }
  return lines;
}

function parseLines(text: string, guessing: boolean, limits: BodyLimits): ParsedBody {
  const lines = nonBlankLines(text, limits.maxMessages);
  if (lines === null) return tooMany(limits);
  if (lines.length === 0) return { ok: false, error: 'no payloads' };
  const messages: BodyMessage[] = [];
  let readable = 0;
  let unreadable = 0;
  for (const line of lines) {
    try {
      messages.push({ ok: true, value: JSON.parse(line.text), line: line.number });
      readable++;
    } catch {
      messages.push({ ok: false, line: line.number });
      if (++unreadable > limits.maxUnreadable) break;
    }
  }
  // Guessing: one line that is not JSON, or several of which none is, is just a body that is not JSON.
  if (guessing && (lines.length < 2 || readable === 0)) return { ok: false, error: 'body is not JSON' };
  return { ok: true, count: lines.length, messages };
}
