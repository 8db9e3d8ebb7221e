/**
 * The state every view draws: the realtime store itself while the clock is
 * live, or the recorded state at the clock's moment while it is paused or
 * scrubbed. Views read `useShown(selector)` exactly as they would read
 * `useRealtime`; the connection's own status and counters stay on `useRealtime`.
 */
import { create } from 'zustand';
import { useRealtime, type RealtimeState } from './realtime.ts';

export const useShown = create<RealtimeState>()(() => useRealtime.getState());

const unsubscribe = useRealtime.subscribe((state) => {
  useShown.setState(state, true);
});
import.meta.hot?.dispose(unsubscribe);
