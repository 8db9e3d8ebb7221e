import { memo, useId, useMemo } from 'react';
import { formatClock } from '../../lib/format.ts';
import { type MeshEvent } from '../../store/realtime.ts';
import { useShown } from '../../store/shown.ts';
import { SeverityTag } from '../../ui/severity-tag.tsx';
import { recentEventsOf } from './selectors.ts';

/** The latest events about the node, newest first; it re-renders only when those change, not on every event in the mesh. */
export function RecentEvents({ nodeId }: { nodeId: string }) {
  const events = useShown(useMemo(() => recentEventsOf(nodeId), [nodeId]));
  const headingId = useId();
  return (
    <section className="node-details__section" aria-labelledby={headingId}>
      <h3 id={headingId}>
        Recent events{' '}
        <span className="panel__count">{events.length}</span>
      </h3>
      {events.length > 0 ? (
        <ol className="recent-events">
          {events.map((event) => (
            <RecentEvent key={event.id} event={event} />
          ))}
        </ol>
      ) : (
        <p className="node-details__none">none</p>
      )}
    </section>
  );
}

/** Events never change once stored, so a row renders once per appearance. */
const RecentEvent = memo(function RecentEvent({ event }: { event: MeshEvent }) {
  return (
    <li className="recent-events__row">
      <time className="recent-events__time" dateTime={new Date(event.ts).toISOString()}>
        {formatClock(event.ts)}
      </time>
      <SeverityTag severity={event.severity} />
      <span className="recent-events__message" title={event.message}>
        {event.message}
      </span>
    </li>
  );
});
