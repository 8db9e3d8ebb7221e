import './connection.css';
import { formatClock } from '../../lib/format.ts';

/** Says the data on screen is not live, and since when. */
export function StaleNotice({ since }: { since: number }) {
  return (
    <p className="stale-notice">
      stale since <time dateTime={new Date(since).toISOString()}>{formatClock(since)}</time>
    </p>
  );
}
