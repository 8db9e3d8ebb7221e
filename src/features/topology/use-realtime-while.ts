import { useCallback, useSyncExternalStore } from 'react';
import { useRealtime, type RealtimeState } from '../../store/realtime.ts';

const noSubscription = () => () => {};

/**
 * `useRealtime(select)` while `enabled`; null, with no subscription at all,
 * otherwise. For what only one of thousands of components needs at a time
 * (the focused node's live numbers).
 */
export function useRealtimeWhile<T>(enabled: boolean, select: (state: RealtimeState) => T): T | null {
  const subscribe = enabled ? useRealtime.subscribe : noSubscription;
  const read = useCallback(() => (enabled ? select(useRealtime.getState()) : null), [enabled, select]);
  return useSyncExternalStore(subscribe, read, read);
}
