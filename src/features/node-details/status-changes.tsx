import { memo } from 'react';
import { formatClock } from '../../lib/format.ts';
import type { StatusChange } from '../../store/realtime.ts';
import { StatusGlyph } from '../../ui/status-glyph.tsx';

/** Changes listed; the strip above shows the rest of the last 10 minutes. */
export const LISTED_CHANGES = 5;

/** The latest status changes, newest first: "12:03:04 ▲ degraded → ● healthy". */
export const StatusChanges = memo(function StatusChanges({ changes }: { changes: readonly StatusChange[] }) {
  const rows: Array<{ index: number; change: StatusChange; previous: StatusChange | undefined }> = [];
  for (let i = changes.length - 1; i >= 0 && rows.length < LISTED_CHANGES; i--) {
    rows.push({ index: i, change: changes[i]!, previous: changes[i - 1] });
  }
  return (
    <ol className="status-changes" aria-label="Latest status changes">
      {rows.map(({ index, change, previous }) => (
        <li key={index} className="status-changes__row">
          <time className="status-changes__time" dateTime={new Date(change.ts).toISOString()}>
            {formatClock(change.ts)}
          </time>{' '}
          {previous ? (
            <>
              <StatusName status={previous.status} /> <span aria-hidden="true">→</span>
              <span className="visually-hidden"> to</span>{' '}
            </>
          ) : (
            <span className="status-changes__first">first seen </span>
          )}
          <StatusName status={change.status} />
        </li>
      ))}
    </ol>
  );
});

function StatusName({ status }: { status: StatusChange['status'] }) {
  return (
    <span className="status-changes__status" data-status={status}>
      <StatusGlyph status={status} size={11} />
      {status}
    </span>
  );
}
