import './panel-notes.css';
import { formatAge } from '../lib/format-duration.ts';
import { formatClock } from '../lib/format.ts';
import { useNow } from './use-now.ts';

/** The age label moves in steps of 5 s at the finest; re-reading the clock more often would change nothing. */
const AGE_TICK_MS = 5_000;

interface StaleAgeProps {
  /** When the link went down; null while it is up (nothing to say then). */
  since: number | null;
  /**
   * The moment the panel shows, or null while live. A moment before the link
   * went down showed live data then: nothing to say. One after it is as old
   * as it was at that moment, and does not age while the clock stands still.
   */
  moment?: number | null;
}

/**
 * "link down · data 1 min old", from `since`, when the link went down. Ticks
 * coarsely, and only while shown live. Judged as the dashboard's panels judge
 * theirs (`stalenessNote`).
 */
export function StaleAge({ since, moment = null }: StaleAgeProps) {
  const stale = since !== null && (moment === null || moment >= since);
  const now = useNow(stale && moment === null, AGE_TICK_MS);
  if (!stale) return null;
  return (
    <span className="panel-note" data-note="stale" title={`No new data since ${formatClock(since)}`}>
      link down · data {formatAge((moment ?? now) - since)} old
    </span>
  );
}
