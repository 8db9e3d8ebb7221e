import { assertNever } from '../../lib/assert-never.ts';
import type { ConnectionInfo, ConnectionStatus } from '../../store/realtime.ts';

export type ConnectionTone = 'live' | 'pending' | 'warning' | 'error' | 'off';

export interface ConnectionDescription {
  tone: ConnectionTone;
  /** The badge's words. */
  text: string;
  /** The part of `text` that changes every second, if any, kept apart so it is not announced each tick. */
  countdown: string | null;
}

/** What the badge says, for a status and the wall-clock time `now`. */
export function describeConnection(
  status: ConnectionStatus,
  connection: Pick<ConnectionInfo, 'attempt' | 'nextRetryAt' | 'lastError'>,
  now: number,
): ConnectionDescription {
  switch (status) {
    case 'idle':
      return { tone: 'off', text: 'not connected', countdown: null };
    case 'connecting':
      return {
        tone: 'pending',
        text: connection.attempt > 0 ? `connecting · attempt ${connection.attempt}` : 'connecting…',
        countdown: null,
      };
    case 'open':
      return { tone: 'live', text: 'live', countdown: null };
    case 'reconnecting': {
      const text = `reconnecting · attempt ${connection.attempt}`;
      if (connection.nextRetryAt === null) return { tone: 'warning', text, countdown: null };
      const seconds = Math.ceil((connection.nextRetryAt - now) / 1000);
      return { tone: 'warning', text, countdown: seconds > 0 ? `next try in ${seconds} s` : 'trying now' };
    }
    case 'offline':
      return { tone: 'warning', text: 'offline · waiting for the network', countdown: null };
    case 'closed':
      return { tone: 'off', text: 'closed', countdown: null };
    case 'error':
      return { tone: 'error', text: connection.lastError ? `failed: ${connection.lastError}` : 'failed', countdown: null };
    default:
      return assertNever(status);
  }
}
