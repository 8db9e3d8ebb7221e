/**
 * The bookkeeping every incremental layout does first: nodes that left the
 * graph give up their position and pin, and their last position is kept for a
 * while so a node that comes back can return to it.
 */
import type { LayoutState, XY } from './layered.ts';

/** How many removed nodes' positions are remembered, like the layered layout. */
export const MAX_VACATED = 2_000;

export interface Vacated {
  positions: Map<string, XY>;
  pinned: Set<string>;
  vacated: Map<string, XY>;
  /** How many nodes were removed. */
  removed: number;
}

/**
 * Copies of `previous`'s maps without the nodes not in `ids`; the oldest
 * vacated positions are dropped past {@link MAX_VACATED}.
 */
export function vacateRemoved(previous: LayoutState, ids: ReadonlySet<string>): Vacated {
  const positions = new Map(previous.positions);
  const pinned = new Set(previous.pinned);
  const vacated = new Map(previous.vacated);
  let removed = 0;
  for (const [id, position] of previous.positions) {
    if (ids.has(id)) continue;
    // Deleted first, so a node removed again counts as the newest.
    vacated.delete(id);
    vacated.set(id, position);
    positions.delete(id);
    pinned.delete(id);
    removed++;
  }
  while (vacated.size > MAX_VACATED) vacated.delete(vacated.keys().next().value!);
  return { positions, pinned, vacated, removed };
}
