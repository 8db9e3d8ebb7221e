/**
 * Close codes (DESIGN.md's table) and the short JSON reason that travels with
 * each: the gateway writes them with `closeReason`, the client reads them with
 * `parseCloseReason`. One module, so the two sides cannot drift.
 */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  unauthorized: 4401,
  forbidden: 4403,
  unknownProject: 4404,
  heartbeatTimeout: 4408,
  tooSlow: 4409,
  rateLimited: 4429,
} as const;

/** Codes after which reconnecting cannot help: the client stops and shows why. (1000 stops too, but is no error.) */
export const TERMINAL_CLOSE_CODES: ReadonlyMap<number, string> = new Map([
  [CLOSE_CODES.forbidden, 'not allowed to see this project'],
  [CLOSE_CODES.unknownProject, 'unknown project'],
]);

/** RFC 6455 allows 123 bytes of close reason; `ws` throws past that. */
const MAX_REASON_BYTES = 123;
/** A gateway may ask for at most this long a pause before the next attempt. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

const utf8 = new TextEncoder();

/**
 * `{"reason": "...", ...extra}` within the 123-byte limit. The text is cut
 * (never the JSON) when it would not fit, so the result always parses.
 */
export function closeReason(reason: string, extra: Record<string, number | string> = {}): string {
  let text = reason;
  for (;;) {
    const json = JSON.stringify({ reason: text, ...extra });
    const over = utf8.encode(json).length - MAX_REASON_BYTES;
    if (over <= 0) return json;
    if (text.length === 0) return '{}';
    // Each character is at least one byte, so cutting `over` characters always makes progress.
    text = text.slice(0, Math.max(0, text.length - over));
  }
}

export interface CloseReason {
  message?: string;
  retryAfterMs?: number;
}

/** Reads a close reason written by `closeReason`; anything else is taken as plain text. Never throws. */
export function parseCloseReason(reason: string): CloseReason {
  if (!reason) return {};
  try {
    const parsed: unknown = JSON.parse(reason);
    if (typeof parsed === 'object' && parsed !== null) {
      const { reason: text, message, retryAfterMs } = parsed as Record<string, unknown>;
      const result: CloseReason = {};
      const said = typeof text === 'string' ? text : typeof message === 'string' ? message : undefined;
      if (said !== undefined) result.message = said.slice(0, 200);
      if (typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
        result.retryAfterMs = Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
      }
      return result;
    }
  } catch {
    // plain text
  }
  return { message: reason.slice(0, 200) };
}
