import './panel-notes.css';
import { formatClock } from '../lib/format.ts';

/** "at 09:12:03": the panel shows that moment, not live data. Nothing while live. */
export function AtMoment({ moment }: { moment: number | null }) {
  if (moment === null) return null;
  return (
    <span className="panel-note" data-note="moment">
      at <time dateTime={new Date(moment).toISOString()}>{formatClock(moment)}</time>
    </span>
  );
}
