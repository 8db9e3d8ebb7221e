/**
 * One batch, one HTTP request: the body as NDJSON (or a JSON array), the
 * bearer token, a timeout, and the gateway's answer read into what the
 * publisher does next. HTTP is the transport because the gateway takes no
 * publishes over its WebSocket: `/ws` is for viewers.
 */
import { isRetryableStatus, parseRetryAfter } from './retry.ts';
import type { QueuedPayload } from './queue.ts';

/** How a batch is written: one payload per line, or one JSON array. */
export type BatchFormat = 'ndjson' | 'json';

/** A message the gateway refused, as its answer lists it (`index` is the payload's position in the batch). */
export interface RefusedMessage {
  index: number;
  /** 1-based line of the NDJSON body. */
  line?: number;
  error: string;
  issues?: { path: string; message: string }[];
}

/** What became of a request, for the publisher to act on. */
export type Answer =
  /** 2xx: published, perhaps with some messages refused. */
  | { kind: 'accepted'; status: number; /** Null when the answer does not say (then: all but the refused). */ accepted: number | null; refused: number; seq: number | null; errors: RefusedMessage[] }
  /**
   * 4xx other than 408, 425 and 429: this batch would fail the same way
   * again. `index` names the one payload at fault, when the gateway did (a
   * 422 for a topology cap).
   */
  | { kind: 'refused'; status: number; error: string; errors: RefusedMessage[]; index: number | null }
  /** No answer, or one that may change (408, 425, 429, 5xx): try again after at least `retryAfterMs`, when given. */
  | { kind: 'retry'; status: number | null; error: string; retryAfterMs: number | null };

export interface EncodedBatch {
  body: string;
  contentType: string;
}

/**
 * Bytes a body of `format` takes beyond one separator per payload (what
 * `PayloadQueue.take` budgets for): NDJSON ends every line with one, but a
 * JSON array adds two brackets and leaves out its last comma.
 */
export const FRAMING_BYTES: Readonly<Record<BatchFormat, number>> = { ndjson: 0, json: 1 };

/** The body of a request carrying `batch`. */
export function encodeBatch(batch: readonly QueuedPayload[], format: BatchFormat): EncodedBatch {
  const lines = batch.map((entry) => entry.json);
  return format === 'json'
    ? { body: `[${lines.join(',')}]`, contentType: 'application/json' }
    : { body: `${lines.join('\n')}\n`, contentType: 'application/x-ndjson' };
}

/** What `postBatch` needs. */
export interface PostRequest {
  url: string;
  batch: EncodedBatch;
  /** The `Authorization` bearer token, if any. */
  token: string | null;
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  now: () => number;
  /** Aborting it abandons the request (the publisher is closing); the answer is then a retry. */
  signal?: AbortSignal;
}

/** Sends one batch and reads the answer; never throws. */
export async function postBatch(request: PostRequest): Promise<Answer> {
  // An 'abort' listener added now would never fire: the request would go out after the publisher closed.
  if (request.signal?.aborted) return abandonedAnswer();
  const controller = new AbortController();
  // Clears the timer too, so that a fetch deaf to its signal leaves no timer behind a closed publisher.
  const abort = () => {
    clearTimeout(timer);
    controller.abort();
  };
  request.signal?.addEventListener('abort', abort);
  const timer = setTimeout(abort, request.timeoutMs);
  try {
    const headers: Record<string, string> = { 'content-type': request.batch.contentType, accept: 'application/json' };
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    const response = await request.fetch(request.url, { method: 'POST', headers, body: request.batch.body, signal: controller.signal });
    const text = await response.text();
    return readAnswer(response.status, parseJson(text), response.headers.get('retry-after'), request.now());
  } catch (error) {
    if (request.signal?.aborted) return abandonedAnswer();
    const message = controller.signal.aborted ? `no answer within ${request.timeoutMs} ms` : describeError(error);
    return { kind: 'retry', status: null, error: message, retryAfterMs: null };
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', abort);
  }
}

/** What a request abandoned by the publisher's closing comes to. */
export function abandonedAnswer(): Answer {
  return { kind: 'retry', status: null, error: 'abandoned: the publisher closed', retryAfterMs: null };
}

/** The answer with `status`, JSON `body` (null if none) and `Retry-After` header; pure, for tests. */
export function readAnswer(status: number, body: unknown, retryAfter: string | null, now: number): Answer {
  const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const errors = refusedMessages(fields.errors);
  if (status >= 200 && status <= 299) {
    return {
      kind: 'accepted',
      status,
      accepted: count(fields.accepted) ?? null,
      refused: count(fields.refused) ?? errors.length,
      seq: count(fields.seq) ?? null,
      errors,
    };
  }
  const error = typeof fields.error === 'string' ? fields.error : `HTTP ${status}`;
  if (isRetryableStatus(status)) return { kind: 'retry', status, error, retryAfterMs: parseRetryAfter(retryAfter, now) };
  return { kind: 'refused', status, error, errors, index: count(fields.index) ?? null };
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function refusedMessages(value: unknown): RefusedMessage[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (item): item is RefusedMessage =>
      typeof item === 'object' && item !== null && count((item as RefusedMessage).index) !== undefined && typeof (item as RefusedMessage).error === 'string',
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    // fetch says only "fetch failed"; the cause (ECONNREFUSED, ...) is what helps.
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
