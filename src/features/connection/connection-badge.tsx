import './connection.css';
import { formatClock } from '../../lib/format.ts';
import { useRealtime, type RealtimeState } from '../../store/realtime.ts';
import { useNow } from '../../ui/use-now.ts';
import { describeConnection } from './describe-connection.ts';
import { describeStreamHealth, describeSync, SYNC_NOTE_MS } from './describe-sync.ts';
import { selectConnection, selectStatus } from './selectors.ts';
import { useRecent } from './use-recent.ts';

// Not `state.stream`, which is replaced on every batch.
const selectSync = (state: RealtimeState) => state.stream.sync;
const selectCoalesced = (state: RealtimeState) => state.stream.coalesced;
const selectGaps = (state: RealtimeState) => state.stream.gaps;

/**
 * Live, connecting, reconnecting with a countdown to the next try, offline,
 * closed or failed; for a while after a (re)connection, how it caught up.
 */
export function ConnectionBadge() {
  const status = useRealtime(selectStatus);
  const connection = useRealtime(selectConnection);
  const sync = useRealtime(selectSync);
  const coalesced = useRealtime(selectCoalesced);
  const gaps = useRealtime(selectGaps);
  const counting = status === 'reconnecting' && connection.nextRetryAt !== null;
  const now = useNow(counting);
  const syncRecent = useRecent(sync?.at ?? null, SYNC_NOTE_MS);
  const { tone, text, countdown } = describeConnection(status, connection, now);
  const syncNote = status === 'open' && syncRecent ? describeSync(sync) : null;
  const title = [
    connection.url ?? 'no connection yet',
    connection.lastError && `last error: ${connection.lastError}`,
    ...describeStreamHealth({ sync, coalesced, gaps }),
  ]
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
      {syncNote && <span className="connection-badge__sync"> · {syncNote}</span>}
    </div>
  );
}
