/**
 * A brief glow when something a viewer should notice happens to a node or
 * edge: it appeared, or its status (health) changed. Returns 0 (no glow) or
 * 1/2, alternating with each change, so the CSS animation (two names, one per
 * value) restarts even when changes come back to back. Counted during render
 * from the value itself: no extra render, no timer.
 */
import { useRef } from 'react';

/** Past this, a node scrolled into view is not "new" any more. */
const APPEARED_GLOW_MS = 2_000;

export function useGlow(value: string | undefined, appearedAt: number): 0 | 1 | 2 {
  const seen = useRef<{ value: string | undefined; changes: number; mountedAt: number } | null>(null);
  if (seen.current === null) {
    seen.current = { value, changes: appearedAt > 0 && Date.now() - appearedAt < APPEARED_GLOW_MS ? 1 : 0, mountedAt: Date.now() };
  } else if (seen.current.value !== value) {
    // The first value to arrive after an empty one is not a change.
    seen.current = { ...seen.current, value, changes: seen.current.value === undefined ? seen.current.changes : seen.current.changes + 1 };
  }
  const { changes } = seen.current;
  return changes === 0 ? 0 : changes % 2 === 1 ? 1 : 2;
}
