import { useRef } from 'react';
import { sameItems } from '../lib/same-items.ts';

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

