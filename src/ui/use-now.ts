import { useEffect, useState } from 'react';

/**
 * The wall-clock time, re-read every `intervalMs` while `active`. Lets a
 * countdown tick without the store changing.
 */
export function useNow(active: boolean, intervalMs = 250): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}
