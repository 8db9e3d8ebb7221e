import type { RealtimeState } from '../../store/realtime.ts';

export const selectStatus = (state: RealtimeState) => state.status;
/** Replaced only by `setConnection`, never by data. */
export const selectConnection = (state: RealtimeState) => state.connection;
export const selectStatusSince = (state: RealtimeState) => state.connection.since;
export const selectHasData = (state: RealtimeState) => state.stream.received > 0 || state.topologyVersion > 0;
