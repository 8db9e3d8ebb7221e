/**
 * The items stamped at or before `moment` (all of them while live, when
 * `moment` is null). Returns `items` itself when nothing is cut, so a view
 * that is already clipped (the shown state clips logs) keeps its identity and
 * clipping twice costs one scan.
 */
export function upToMoment<T extends { ts: number }>(items: T[], moment: number | null): T[] {
  if (moment === null) return items;
  for (let i = 0; i < items.length; i++) {
    if (items[i]!.ts > moment) return items.filter((item) => item.ts <= moment);
  }
  return items;
}
