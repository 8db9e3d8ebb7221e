/** Something the store numbered in arrival order: feed events, log lines. */
interface Numbered {
  id: number;
}

/**
 * How many of `items` arrived after `seen`, the newest item the reader has
 * seen (all of them when nothing was seen yet). `newestFirst` says which end
 * of the list holds the newest. Ids grow with arrival, so the scan stops at
 * the first item already seen.
 */
export function countNewer(items: readonly Numbered[], seen: Numbered | undefined, newestFirst: boolean): number {
  if (!seen) return items.length;
  const at = newestFirst ? (i: number) => items[i]! : (i: number) => items[items.length - 1 - i]!;
  let count = 0;
  while (count < items.length && at(count).id > seen.id) count++;
  return count;
}
