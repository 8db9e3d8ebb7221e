import { useRef } from 'react';

/**
 * `list`, or the list returned last time when it holds the same items in the
 * same order: a list derived on every frame (the node ids in a feed, say)
 * then changes identity only when its content does, and what renders it is
 * left alone.
 */
export function useStableList<T>(list: readonly T[]): readonly T[] {
  const previous = useRef(list);
  if (previous.current !== list && !sameItems(previous.current, list)) previous.current = list;
  return previous.current;
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
