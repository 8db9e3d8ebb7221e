import './connection.css';
import { formatClock } from '../../lib/format.ts';
import { useRealtime } from '../../store/realtime.ts';
import { useNow } from '../../ui/use-now.ts';
import { describeConnection } from './describe-connection.ts';
import { selectConnection, selectStatus } from './selectors.ts';

/** Live, connecting, reconnecting with a countdown to the next try, closed or failed. */
export function ConnectionBadge() {
  const status = useRealtime(selectStatus);
  const connection = useRealtime(selectConnection);
  const counting = status === 'reconnecting' && connection.nextRetryAt !== null;
  const now = useNow(counting);
  const { tone, text, countdown } = describeConnection(status, connection, now);
  const title = [connection.url ?? 'no connection yet', connection.lastError && `last error: ${connection.lastError}`]
    .filter(Boolean)
    .join('\n');

  return (
    <div className="connection-badge" data-tone={tone} role="status" aria-label="Connection" title={title}>
      <span className="connection-badge__dot" aria-hidden="true" />
      <span>{text}</span>
      {countdown && (
        <>
          <span aria-hidden="true"> · {countdown}</span>
          {/* Read once, not once a second. */}
          <span className="visually-hidden"> · next try at {formatClock(connection.nextRetryAt!)}</span>
        </>
      )}
    </div>
  );
}
