import { memo } from 'react';
import { formatClock } from '../../lib/format.ts';
import type { MeshEvent } from '../../store/realtime.ts';
import { selectFocus, useSelection } from '../../store/selection.ts';
import { SeverityTag } from '../../ui/severity-tag.tsx';

/** A click that ends a text selection (the reader copying a message) is not a request to go to the node. */
const isSelectingText = () => {
  const selection = typeof window === 'undefined' ? null : window.getSelection();
  return selection !== null && !selection.isCollapsed && selection.toString() !== '';
};

/**
 * One event. Events never change once stored, so a row renders once per
 * appearance. Clicking it, or Enter while it has focus (the feed moves focus
 * between rows with the arrow keys), selects its node and brings it into
 * view in the graph.
 */
export const EventRow = memo(function EventRow({ event }: { event: MeshEvent }) {
  const focus = useSelection(selectFocus);
  const nodeId = event.nodeId;
  return (
    <div
      className="event-row"
      data-severity={event.severity}
      data-has-node={nodeId !== undefined || undefined}
      // Reached with the arrow keys from the list, not with Tab: a tab stop per row would trap the reader in 2,000 of them.
      tabIndex={-1}
      onClick={() => {
        if (nodeId !== undefined && !isSelectingText()) focus(nodeId);
      }}
      onKeyDown={(keyEvent) => {
        if (keyEvent.key === 'Enter' && nodeId !== undefined) {
          keyEvent.preventDefault();
          focus(nodeId);
        }
      }}
    >
      <time className="event-row__time" dateTime={new Date(event.ts).toISOString()}>
        {formatClock(event.ts)}
      </time>
      <SeverityTag severity={event.severity} />
      {nodeId !== undefined && (
        <button
          type="button"
          className="event-row__node"
          title={`Show ${nodeId} in the graph`}
          // The row is the keyboard's way in (Enter); this button is the mouse's.
          tabIndex={-1}
          onClick={(clickEvent) => {
            clickEvent.stopPropagation();
            focus(nodeId);
          }}
        >
          {nodeId}
        </button>
      )}
      <span className="event-row__message" title={event.message}>
        {event.message}
      </span>
    </div>
  );
});
