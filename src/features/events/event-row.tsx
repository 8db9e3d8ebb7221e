import { memo } from 'react';
import { formatClock } from '../../lib/format.ts';
import type { MeshEvent } from '../../store/realtime.ts';
import { selectSelect, useSelection } from '../../store/selection.ts';
import { SeverityTag } from '../../ui/severity-tag.tsx';

/** One event. Events never change once stored, so a row renders once per appearance. */
export const EventRow = memo(function EventRow({ event }: { event: MeshEvent }) {
  const select = useSelection(selectSelect);
  return (
    <div className="event-row" data-severity={event.severity}>
      <time className="event-row__time" dateTime={new Date(event.ts).toISOString()}>
        {formatClock(event.ts)}
      </time>
      <SeverityTag severity={event.severity} />
      {event.nodeId !== undefined && (
        <button
          type="button"
          className="event-row__node"
          title={`Select ${event.nodeId}`}
          onClick={() => select(event.nodeId!)}
        >
          {event.nodeId}
        </button>
      )}
      <span className="event-row__message" title={event.message}>
        {event.message}
      </span>
    </div>
  );
});
