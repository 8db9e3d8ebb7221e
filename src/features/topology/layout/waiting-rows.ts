/**
 * Where nodes without edges wait: they have nothing to be pulled towards, so
 * the force layout keeps them in tidy rows out of the way until an edge comes.
 */
import { BoxIndex } from './box-index.ts';
import { gridColumns } from './grid.ts';
import type { LayoutOptions, XY } from './layered.ts';

/**
 * Nodes with no edges wait in rows below the rest of the layout, in the first
 * free cells from its left edge, as wide as the layout (or a near-square block
 * if there is none). The rows start below the nodes that do not wait, so they
 * do not creep downwards as they fill.
 */
export function park(
  ids: readonly string[],
  positions: Map<string, XY>,
  floating: ReadonlySet<string>,
  options: LayoutOptions,
): void {
  if (ids.length === 0) return;
  const columnStep = options.nodeWidth + options.nodeGap * 2;
  const rowStep = options.nodeHeight + options.nodeGap;
  let left = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const [id, p] of positions) {
    if (floating.has(id)) continue;
    left = Math.min(left, p.x);
    right = Math.max(right, p.x);
    bottom = Math.max(bottom, p.y);
  }
  const origin = left === Infinity ? { x: 0, y: 0 } : { x: left, y: bottom + options.nodeHeight + options.nodeGap * 3 };
  const columns = Math.max(gridColumns(floating.size), left === Infinity ? 1 : Math.floor((right - left) / columnStep) + 1);
  const index = new BoxIndex(options, positions.values());
  let cell = 0;
  for (const id of ids) {
    for (;; cell++) {
      const p = {
        x: origin.x + (cell % columns) * columnStep,
        y: origin.y + Math.floor(cell / columns) * rowStep,
      };
      if (!index.isFree(p.x, p.y)) continue;
      positions.set(id, p);
      index.add(p);
      break;
    }
  }
}
