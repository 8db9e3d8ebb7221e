/**
 * The close codes the gateway sends (DESIGN.md, "Close codes") and the short
 * JSON reason that goes with each. The browser client parses `reason` and
 * `retryAfterMs` out of it (`parseCloseReason` in src/realtime/connection.ts).
 */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  heartbeatTimeout: 4408,
  tooSlow: 4409,
  rateLimited: 4429,
} as const;
/** One of the gateway's close codes. */
export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/** RFC 6455 allows 123 bytes of close reason; `ws` throws past that. */
const MAX_REASON_BYTES = 123;

/**
 * `{"reason": "...", ...extra}` within the 123-byte limit. The text is cut
 * (never the JSON) when it would not fit, so the result always parses.
 */
export function closeReason(reason: string, extra: Record<string, number | string> = {}): string {
  let text = reason;
  for (;;) {
    const json = JSON.stringify({ reason: text, ...extra });
    const over = Buffer.byteLength(json) - MAX_REASON_BYTES;
    if (over <= 0) return json;
    if (text.length === 0) return '{}';
    // Each character is at least one byte, so cutting `over` characters always makes progress.
    text = text.slice(0, Math.max(0, text.length - over));
  }
}
