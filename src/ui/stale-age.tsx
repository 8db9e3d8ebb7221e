import './panel-notes.css';
import { formatAge } from '../lib/format-duration.ts';
import { formatClock } from '../lib/format.ts';
import { useNow } from './use-now.ts';

/** The age label moves in steps of 5 s at the finest; re-reading the clock more often would change nothing. */
const AGE_TICK_MS = 5_000;

/**
 * "link down · data 1 min old", from `since`, when the link went down (null
 * while live: nothing then). Ticks coarsely, and only while shown.
 */
export function StaleAge({ since }: { since: number | null }) {
  const now = useNow(since !== null, AGE_TICK_MS);
  if (since === null) return null;
  return (
    <span className="panel-note" data-note="stale" title={`No new data since ${formatClock(since)}`}>
      link down · data {formatAge(now - since)} old
    </span>
  );
}
