/**
 * Payloads are checked when they are handed over, not when they are sent: a
 * bad one is the caller's programming error, best reported by a TypeError at
 * the line that made it, and never allowed into the queue where it would only
 * come back later as a refusal from the gateway, far from its cause.
 */
import { Payload } from '../protocol/messages.ts';

/** Issues named in a TypeError's message. */
const MAX_ISSUES = 3;

/** `input` as valid payloads (unknown keys stripped, as the gateway would), or a TypeError naming the first bad one. */
export function checkPayloads(input: readonly unknown[]): Payload[] {
  const payloads: Payload[] = [];
  for (let index = 0; index < input.length; index++) {
    const parsed = Payload.safeParse(input[index]);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, MAX_ISSUES)
        .map((issue) => `${issue.path.map(String).join('.') || '(payload)'}: ${issue.message}`)
        .join('; ');
      const type = typeof input[index] === 'object' && input[index] !== null ? (input[index] as { type?: unknown }).type : undefined;
      const what = typeof type === 'string' ? `'${type.slice(0, 32)}' payload` : 'payload';
      throw new TypeError(`meshwatch publisher: invalid ${what}${input.length > 1 ? ` at index ${index}` : ''}: ${issues}`);
    }
    payloads.push(parsed.data);
  }
  return payloads;
}
