import type { RealtimeState } from '../../store/realtime.ts';

/** Newest first; the store replaces the array only when events arrive. */
export const selectEvents = (state: RealtimeState) => state.events;
/** For the kind filter: an event's kind is its node's. */
export const selectNodes = (state: RealtimeState) => state.nodes;
const NO_NODES: RealtimeState['nodes'] = Object.freeze(Object.create(null) as RealtimeState['nodes']);
/** In place of {@link selectNodes} while no kind is asked for: a constant, so node updates do not re-render the feed. */
export const selectNoNodes = (_state: RealtimeState) => NO_NODES;
