import { memo } from 'react';
import type { StatusChange } from '../../store/realtime.ts';
import { useNow } from '../../ui/use-now.ts';
import { describeTimeline, formatDuration, TIMELINE_WINDOW_MS, timelineEnd, timelineSegments } from './timeline.ts';

/** Redraw period: in a 10-minute strip a few hundred pixels wide, a pixel is about two seconds. */
const TICK_MS = 2_000;

/**
 * The last 10 minutes of a node's status as coloured periods, oldest at the
 * left. Only this strip follows the clock; the rest of the panel renders on
 * store changes alone.
 */
export const StatusStrip = memo(function StatusStrip({ changes }: { changes: readonly StatusChange[] }) {
  const end = timelineEnd(changes, useNow(true, TICK_MS));
  const start = end - TIMELINE_WINDOW_MS;
  const segments = timelineSegments(changes, end);
  const percent = (ms: number) => `${(ms / TIMELINE_WINDOW_MS) * 100}%`;
  return (
    <div className="status-strip">
      <div className="status-strip__bar" role="img" aria-label={`Last ${formatDuration(TIMELINE_WINDOW_MS)}: ${describeTimeline(segments, end)}`}>
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
        <span>−{formatDuration(TIMELINE_WINDOW_MS)}</span>
        <span>now</span>
      </div>
    </div>
  );
});
