import type { RealtimeState } from '../../store/realtime.ts';

/** Newest first; the store replaces the array only when events arrive. */
export const selectEvents = (state: RealtimeState) => state.events;
