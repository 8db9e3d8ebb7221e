import { useId, useMemo } from 'react';
import { useShown } from '../../store/shown.ts';
import { statusHistoryOf } from '../../store/selectors.ts';
import { StatusChanges } from './status-changes.tsx';
import { StatusStrip } from './status-strip.tsx';

/** The node's status over time: the last 10 minutes as a strip, and its latest changes. */
export function StatusHistory({ nodeId }: { nodeId: string }) {
  const changes = useShown(useMemo(() => statusHistoryOf(nodeId), [nodeId]));
  const headingId = useId();
  return (
    <section className="node-details__section" aria-labelledby={headingId}>
      <h3 id={headingId}>Status history</h3>
      {changes.length > 0 ? (
        <>
          <StatusStrip changes={changes} />
          <StatusChanges changes={changes} />
        </>
      ) : (
        <p className="node-details__none">none recorded</p>
      )}
    </section>
  );
}
