/**
 * Reading a publish request's body into its messages, before any schema:
 * one JSON payload, a JSON array of payloads, or NDJSON (one payload per
 * line). NDJSON lets a publisher stream a batch without building one big
 * array, and lets one broken line cost only that line: each line is a
 * message of its own, so a line that is not JSON is that message's error,
 * not the whole request's.
 */

/** One message of a body: its JSON value, or (NDJSON only) a line that is not JSON. */
export type BodyMessage =
  | { ok: true; value: unknown; /** 1-based, NDJSON only. */ line?: number }
  | { ok: false; line: number };

/** The messages of a body, in order, or why the body as a whole is unreadable. */
export type ParsedBody = { ok: true; messages: BodyMessage[] } | { ok: false; error: string };

/** Media types that announce one JSON value per line. */
const LINE_DELIMITED = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines']);

/** Whether `contentType` (a header value, parameters and all) announces NDJSON. */
export function isLineDelimited(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return LINE_DELIMITED.has(contentType.split(';')[0]!.trim().toLowerCase());
}

/**
 * The messages of `text`. Without an NDJSON content type, the body is read as
 * JSON first; when that fails, it is NDJSON if it has two or more non-blank
 * lines and at least one of them is JSON (otherwise it is simply not JSON).
 */
export function parsePublishBody(text: string, contentType: string | undefined): ParsedBody {
  if (text.trim() === '') return { ok: false, error: 'empty body' };
  if (isLineDelimited(contentType)) return parseLines(text, false);
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return { ok: true, messages: [{ ok: true, value }] };
    if (value.length === 0) return { ok: false, error: 'no payloads' };
    return { ok: true, messages: value.map((item: unknown) => ({ ok: true, value: item })) };
  } catch {
    return parseLines(text, true);
  }
}

function parseLines(text: string, guessing: boolean): ParsedBody {
  const messages: BodyMessage[] = [];
  let readable = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    try {
      messages.push({ ok: true, value: JSON.parse(line), line: i + 1 });
      readable++;
    } catch {
      messages.push({ ok: false, line: i + 1 });
    }
  }
  if (messages.length === 0) return { ok: false, error: 'no payloads' };
  // Guessing: one line that is not JSON, or several of which none is, is just a body that is not JSON.
  if (guessing && (messages.length < 2 || readable === 0)) return { ok: false, error: 'body is not JSON' };
  return { ok: true, messages };
}
