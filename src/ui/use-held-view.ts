import { useCallback, useState } from 'react';

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
 */
export function useHeldView<T>(live: T, countNew: (live: T, shown: T) => number, paused = false): HeldView<T> {
  const [away, setAway] = useState(false);
  // Boxed, so a held value of `undefined` still counts as held.
  const [frozen, setFrozen] = useState<{ value: T } | null>(null);
  const held = paused || away;
  // Take or release the held view when `held` flips, during render so the two never disagree.
  if (held && frozen === null) setFrozen({ value: live });
  if (!held && frozen !== null) setFrozen(null);
  const shown = held && frozen !== null ? frozen.value : live;
  const release = useCallback(() => setAway(false), []);
  return { shown, held, newCount: held ? countNew(live, shown) : 0, setAway, release };
}
