import { memo } from 'react';
import { formatClock } from '../../lib/format.ts';
import { selectMoment, useClock } from '../../store/clock.ts';
import type { StatusChange } from '../../store/realtime.ts';
import { useNow } from '../../ui/use-now.ts';
import { describeTimeline, formatDuration, TIMELINE_WINDOW_MS, timelineEnd, timelineSegments } from './timeline.ts';

/** Redraw period: in a 10-minute strip a few hundred pixels wide, a pixel is about two seconds. */
const TICK_MS = 2_000;

/**
 * The 10 minutes of a node's status up to now, or up to the clock's moment
 * while it is paused or scrubbed, as coloured periods, oldest at the left.
 * Only this strip follows the clock; the rest of the panel renders on store
 * changes alone.
 */
export const StatusStrip = memo(function StatusStrip({ changes }: { changes: readonly StatusChange[] }) {
  const moment = useClock(selectMoment);
  const now = useNow(moment === null, TICK_MS);
  const end = timelineEnd(changes, moment ?? now);
  const start = end - TIMELINE_WINDOW_MS;
  const segments = timelineSegments(changes, end);
  const percent = (ms: number) => `${(ms / TIMELINE_WINDOW_MS) * 100}%`;
  const span = formatDuration(TIMELINE_WINDOW_MS);
  const label =
    moment === null
      ? `Last ${span}: ${describeTimeline(segments, end)}`
      : `${span} up to ${formatClock(moment)}: ${describeTimeline(segments, end, true)}`;
  return (
    <div className="status-strip">
      <div className="status-strip__bar" role="img" aria-label={label}>
        {segments.map((segment) => (
          <span
            key={`${segment.since}:${segment.status}`}
            className="status-strip__segment"
            data-status={segment.status}
            style={{ left: percent(segment.from - start), width: percent(segment.to - segment.from) }}
            title={`${segment.status} for ${formatDuration(segment.to - segment.since)}`}
          />
        ))}
      </div>
      <div className="status-strip__axis" aria-hidden="true">
        <span>−{span}</span>
        <span>{moment === null ? 'now' : `at ${formatClock(moment)}`}</span>
      </div>
    </div>
  );
});
