import { useCallback, useSyncExternalStore } from 'react';
import { type RealtimeState } from '../../store/realtime.ts';
import { useShown } from '../../store/shown.ts';

const noSubscription = () => () => {};

/**
 * `useShown(select)` while `enabled`; null, with no subscription at all,
 * otherwise. For what only one of thousands of components needs at a time
 * (the focused node's live numbers).
 */
export function useRealtimeWhile<T>(enabled: boolean, select: (state: RealtimeState) => T): T | null {
  const subscribe = enabled ? useShown.subscribe : noSubscription;
  const read = useCallback(() => (enabled ? select(useShown.getState()) : null), [enabled, select]);
  return useSyncExternalStore(subscribe, read, read);
}
