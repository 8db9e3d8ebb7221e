import debounce from 'lodash.debounce';
import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';

export interface DebouncedCallback {
  /** Calls `callback` with `value` once calls pause for the delay. */
  later: (value: string) => void;
  /** Calls it at once, dropping a pending call. */
  now: (value: string) => void;
}

/**
 * A text box's owner told of the text once typing pauses. The latest
 * callback is read when the delay ends (an owner that re-renders with a new
 * inline callback must not restart or drop the pending call), and a pending
 * call is delivered, not dropped, when the box goes: no timer outlives it.
 */
export function useDebouncedCallback(callback: (value: string) => void, delayMs: number): DebouncedCallback {
  const callbackRef = useRef(callback);
  useLayoutEffect(() => {
    callbackRef.current = callback;
  });
  const debounced = useMemo(() => debounce((value: string) => callbackRef.current(value), delayMs), [delayMs]);
  useEffect(() => () => debounced.flush(), [debounced]);
  return useMemo(
    () => ({
      later: debounced,
      now: (value: string) => {
        debounced.cancel();
        callbackRef.current(value);
      },
    }),
    [debounced],
  );
}
