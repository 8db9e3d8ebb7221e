/**
 * Binary searches over items kept in time order (a series' points, a node's
 * log lines): where a window or a moment cuts them, in O(log n).
 */

/** How many leading items have `timeOf(item) <= limit`: the index of the first one after it. */
export function countAtOrBefore<T>(items: readonly T[], limit: number, timeOf: (item: T) => number): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (timeOf(items[mid]!) <= limit) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** How many leading items have `timeOf(item) < limit`: the index of the first one at or after it. */
export function countBefore<T>(items: readonly T[], limit: number, timeOf: (item: T) => number): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (timeOf(items[mid]!) < limit) low = mid + 1;
    else high = mid;
  }
  return low;
}
