/**
 * What the client does after each close code (DESIGN.md's table), in one
 * place so the table and the behaviour cannot drift.
 */
import { CLOSE_CODES, type CloseReason } from '../protocol/close-codes.ts';

export type CloseAction =
  /** Stop without error (1000). */
  | { kind: 'stop' }
  /** Stop and show why: reconnecting cannot help. */
  | { kind: 'fail'; message: string }
  /** Get a fresh token, then reconnect; fail if there is none. */
  | { kind: 'reauthenticate'; message: string }
  /**
   * Reconnect and resume. `delayMs` is the server's own (a jittered shutdown
   * hint, a 4429's wait): used as given, or as the least wait when `atLeast`.
   */
  | { kind: 'reconnect'; message: string; delayMs?: number; atLeast?: boolean };

export function closeAction(code: number, reason: CloseReason): CloseAction {
  const said = (fallback: string) => `${reason.message ?? fallback} (${code})`;
  switch (code) {
    case CLOSE_CODES.normal:
      return { kind: 'stop' };
    case CLOSE_CODES.goingAway: {
      // The gateway spread its clients' returns over a window: its hint is the delay.
      const action: CloseAction = { kind: 'reconnect', message: said('gateway going away') };
      if (reason.retryAfterMs !== undefined) action.delayMs = reason.retryAfterMs;
      return action;
    }
    case CLOSE_CODES.messageTooBig:
      return { kind: 'fail', message: said('message too big') };
    case CLOSE_CODES.unauthorized:
      return { kind: 'reauthenticate', message: said('token missing, invalid or expired') };
    case CLOSE_CODES.forbidden:
      return { kind: 'fail', message: said('not allowed to see this project') };
    case CLOSE_CODES.unknownProject:
      return { kind: 'fail', message: said('unknown project') };
    case CLOSE_CODES.rateLimited: {
      const action: CloseAction = { kind: 'reconnect', message: said('rate or connection limit'), atLeast: true };
      if (reason.retryAfterMs !== undefined) action.delayMs = reason.retryAfterMs;
      return action;
    }
    default: {
      // 1006 (dropped), 1008, 1011, 4408, 4409 and anything unknown: back off, then resume.
      const action: CloseAction = { kind: 'reconnect', message: said(code === 1006 ? 'connection lost' : 'connection closed'), atLeast: true };
      if (reason.retryAfterMs !== undefined) action.delayMs = reason.retryAfterMs;
      return action;
    }
  }
}
