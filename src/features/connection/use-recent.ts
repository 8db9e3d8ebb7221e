import { useEffect, useReducer } from 'react';

/**
 * Whether wall-clock time `at` was less than `forMs` ago. One timer per
 * change of `at`, rather than a clock ticking for the whole time.
 */
export function useRecent(at: number | null, forMs: number): boolean {
  const [, expire] = useReducer((n: number) => n + 1, 0);
  const remaining = at === null ? 0 : at + forMs - Date.now();
  const live = remaining > 0;
  useEffect(() => {
    if (!live) return;
    const timer = setTimeout(expire, remaining);
    return () => clearTimeout(timer);
    // `remaining` is read when `at` changes; re-arming on every render would only push the timer back.
  }, [at, forMs, live]);
  return live;
}
