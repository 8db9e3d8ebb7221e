import { useState } from 'react';
import { useRealtime } from './realtime.ts';
import type { RealtimeState } from './types.ts';

const selectStatus = (state: RealtimeState) => state.status;
const selectStatusSince = (state: RealtimeState) => state.connection.since;
const selectHasData = (state: RealtimeState) => state.stream.received > 0 || state.topologyVersion > 0;

/**
 * When the data on screen stopped being live: the moment the link left
 * `open`, kept through every retry that follows, or null while live or
 * before any data. Every panel that shows data says how old it is with it.
 */
export function useStaleSince(): number | null {
  const status = useRealtime(selectStatus);
  const since = useRealtime(selectStatusSince);
  const hasData = useRealtime(selectHasData);
  const [lostAt, setLostAt] = useState<number | null>(null);
  // The store says when the status last changed; the first change away from
  // `open` is the one that matters, so it is remembered here.
  if (status === 'open' && lostAt !== null) setLostAt(null);
  if (status !== 'open' && hasData && lostAt === null) setLostAt(since);
  return status === 'open' || !hasData ? null : (lostAt ?? since);
}
