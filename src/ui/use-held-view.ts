import { useCallback, useEffect, useRef, useState } from 'react';

export interface HeldView<T> {
  /** `live`, or what it was when the hold began. */
  shown: T;
  held: boolean;
  /** How many items arrived since the hold began; 0 when not held. */
  newCount: number;
  /** Wire to the list's `onAwayChange`: the view holds while the reader is away from the newest items. */
  setAway: (away: boolean) => void;
  /** Ends a hold taken for scrolling away (the owner scrolls the list back to the newest). */
  release: () => void;
}

/**
 * Holds a live list still while its reader is elsewhere: scrolled away from
 * the newest items, or `paused`. Lists place rows by index, and a full buffer
 * drops items from its far end as new ones arrive, so without a hold the rows
 * slide under a reader on every frame.
 *
 * A change of `resetKey` drops the hold taken for scrolling away, and what
 * it held: a list that now shows something else (the dashboard's clock went
 * back to Live from a moment) must not go on showing what it held before.
 * `onReset` runs after that change is drawn: the owner scrolls the list back
 * to the newest items there, so the list's idea of "away" agrees. A hold for
 * `paused` is taken again at once, from the new `live`.
 */
export function useHeldView<T>(
  live: T,
  countNew: (live: T, shown: T) => number,
  paused = false,
  resetKey?: unknown,
  onReset?: () => void,
): HeldView<T> {
  const [away, setAway] = useState(false);
  // Boxed, so a held value of `undefined` still counts as held.
  const [frozen, setFrozen] = useState<{ value: T } | null>(null);
  const [key, setKey] = useState(resetKey);
  // Adjusted during render, so the render that sees the new key already shows `live`.
  const reset = !Object.is(key, resetKey);
  if (reset) {
    setKey(resetKey);
    setAway(false);
  }
  const held = paused || (away && !reset);
  const current = reset ? null : frozen;
  // Take or release the held view when `held` flips, during render so the two never disagree.
  if (held && current === null) setFrozen({ value: live });
  if (!held && frozen !== null) setFrozen(null);
  const shown = held && current !== null ? current.value : live;
  const release = useCallback(() => setAway(false), []);
  const onResetRef = useRef(onReset);
  useEffect(() => {
    onResetRef.current = onReset;
  });
  const drawnKey = useRef(resetKey);
  useEffect(() => {
    if (Object.is(drawnKey.current, resetKey)) return;
    drawnKey.current = resetKey;
    onResetRef.current?.();
  }, [resetKey]);
  return { shown, held, newCount: held ? countNew(live, shown) : 0, setAway, release };
}
