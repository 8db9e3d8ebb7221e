import { memo, useMemo } from 'react';
import { formatCompact } from '../lib/format.ts';
import { useRealtime, type RealtimeState } from '../store/realtime.ts';
import { selectTopologyVersion } from '../store/selectors.ts';

// Primitives, and a memoised Counter: each counter re-renders only when its number changes.
const selectReceived = (state: RealtimeState) => state.stream.received;
const selectRejected = (state: RealtimeState) => state.stream.rejected;

/** Small stream counters for the header; the rejected count stays visible so bad input is never silent. */
export function Counters() {
  // Counting keys walks every node and edge: do it when the topology changes, not on every frame.
  const topologyVersion = useRealtime(selectTopologyVersion);
  const { nodes, edges } = useMemo(() => {
    const state = useRealtime.getState();
    return { nodes: Object.keys(state.nodes).length, edges: Object.keys(state.edges).length };
  }, [topologyVersion]);
  const received = useRealtime(selectReceived);
  const rejected = useRealtime(selectRejected);
  return (
    <dl className="counters" aria-label="Stream counters">
      <Counter name="nodes" value={nodes} />
      <Counter name="edges" value={edges} />
      <Counter name="received" value={received} title={`${received} messages received`} />
      <Counter
        name="rejected"
        value={rejected}
        title={`${rejected} messages or frames failed validation and were dropped`}
        alert={rejected > 0}
      />
    </dl>
  );
}

interface CounterProps {
  name: string;
  value: number;
  title?: string;
  alert?: boolean;
}

const Counter = memo(function Counter({ name, value, title, alert }: CounterProps) {
  return (
    <div className="counter" data-alert={alert || undefined} title={title}>
      <dt>{name}</dt>
      <dd>{formatCompact(value)}</dd>
    </div>
  );
});
