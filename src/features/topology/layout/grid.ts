/**
 * A grid layout that stays put as the mesh changes: nodes in rows, sorted by
 * group then id, each group starting on a fresh row so it reads as a block.
 *
 * The first layout fills a near-square grid (wider than tall, for a wide
 * screen). After that nothing placed moves: a new node takes the first free
 * cell from the start of its group's block on (a hole its group left, or else
 * the cell after the group's last), a node of a group not yet on the grid
 * starts a fresh row below, and a removed node leaves a hole for later ones.
 * The grid grows downwards. A node that comes back returns to its old cell if
 * it is free; dragged nodes keep their position and their boxes are kept
 * clear. Nodes without a group form one group of their own.
 *
 * Edges do not matter here; the parameter is there so every layout can be
 * called the same way. Pure, like the layered layout.
 */
import { BoxIndex } from './box-index.ts';
import type { LayoutHints } from './hints.ts';
import { DEFAULT_LAYOUT_OPTIONS, type LayoutEdge, type LayoutOptions, type LayoutState, type XY } from './layered.ts';
import { vacateRemoved } from './vacate.ts';

/** Columns over rows of a first layout: about the shape of a wide screen. */
const COLUMNS_PER_ROW = 1.6;

/** How much narrower than a first layout of the same nodes a grid may get before it widens. */
const NARROWEST = 0.75;

/** How many columns a grid of `count` nodes has when laid out at once. */
export function gridColumns(count: number): number {
  return Math.max(1, Math.ceil(Math.sqrt(count * COLUMNS_PER_ROW)));
}

interface Cell {
  row: number;
  column: number;
}

/** A group key; `undefined` is the group of nodes without one, laid out after the named groups. */
type Group = string | undefined;

export function gridLayout(
  previous: LayoutState,
  nodeIds: readonly string[],
  _edges: readonly LayoutEdge[],
  options: LayoutOptions = DEFAULT_LAYOUT_OPTIONS,
  hints: LayoutHints = {},
): LayoutState {
  const ids = new Set(nodeIds);
  const pending = [...ids].filter((id) => !previous.positions.has(id));
  let removed = false;
  for (const id of previous.positions.keys()) if (!ids.has(id)) removed = true;
  if (!removed && pending.length === 0) return previous;

  const { positions, pinned, vacated } = vacateRemoved(previous, ids);
  const groupOf = (id: string): Group => hints.groupOf?.get(id);
  pending.sort(byGroupThenId(groupOf));
  const grid = new Grid(options);
  const index = new BoxIndex(options, positions.values());
  let firstLayout = true;
  for (const id of positions.keys()) if (!pinned.has(id)) firstLayout = false;

  if (firstLayout) fillBlocks(pending, groupOf, grid, gridColumns(ids.size), positions, index);
  else placeIncrementally(pending, groupOf, grid, ids.size, positions, pinned, vacated, index);
  return { positions, pinned, floating: new Set(), vacated };
}

function byGroupThenId(groupOf: (id: string) => Group): (a: string, b: string) => number {
  return (a, b) => {
    const ga = groupOf(a);
    const gb = groupOf(b);
    if (ga !== gb) {
      if (ga === undefined) return 1;
      if (gb === undefined) return -1;
      return ga < gb ? -1 : 1;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  };
}

/** Cell geometry: columns a little further apart than rows, so edges between neighbours have room. */
class Grid {
  readonly columnStep: number;
  readonly rowStep: number;

  constructor(options: LayoutOptions) {
    this.columnStep = options.nodeWidth + options.nodeGap * 2;
    this.rowStep = options.nodeHeight + options.nodeGap;
  }

  positionOf(cell: Cell): XY {
    return { x: cell.column * this.columnStep, y: cell.row * this.rowStep };
  }

  /** The cell a position sits exactly on, if it does (dragged nodes usually do not). */
  cellAt(p: XY): Cell | undefined {
    const column = Math.round(p.x / this.columnStep);
    const row = Math.round(p.y / this.rowStep);
    if (column < 0 || row < 0) return undefined;
    if (Math.abs(p.x - column * this.columnStep) > 0.5 || Math.abs(p.y - row * this.rowStep) > 0.5) return undefined;
    return { row, column };
  }
}

function isBefore(a: Cell, b: Cell): boolean {
  return a.row < b.row || (a.row === b.row && a.column < b.column);
}

/** The first layout: row after row, each group from a fresh row. */
function fillBlocks(
  order: readonly string[],
  groupOf: (id: string) => Group,
  grid: Grid,
  columns: number,
  positions: Map<string, XY>,
  index: BoxIndex,
): void {
  let cell: Cell = { row: 0, column: 0 };
  let group: Group | null = null;
  for (const id of order) {
    const own = groupOf(id);
    if (own !== group && cell.column !== 0) cell = { row: cell.row + 1, column: 0 };
    group = own;
    // Skips cells that a dragged node's box reaches into.
    cell = firstFreeCell(grid, index, cell, columns);
    place(id, grid.positionOf(cell), positions, index);
    cell = nextCell(cell, columns);
  }
}

function placeIncrementally(
  order: readonly string[],
  groupOf: (id: string) => Group,
  grid: Grid,
  count: number,
  positions: Map<string, XY>,
  pinned: ReadonlySet<string>,
  vacated: ReadonlyMap<string, XY>,
  index: BoxIndex,
): void {
  // Where each group's block starts, how wide the grid is and how far down it goes, from the nodes on it.
  const groupStart = new Map<Group, Cell>();
  let width = 0;
  let lastRow = -1;
  for (const [id, p] of positions) {
    const cell = grid.cellAt(p);
    if (!cell) continue;
    lastRow = Math.max(lastRow, cell.row);
    if (pinned.has(id)) continue;
    width = Math.max(width, cell.column + 1);
    const group = groupOf(id);
    const start = groupStart.get(group);
    if (!start || isBefore(cell, start)) groupStart.set(group, cell);
  }
  // The grid keeps its width and grows downwards, unless it has grown far past the size it was
  // laid out for (a first layout of a handful of nodes): then it widens, so it does not become a tower.
  const ideal = gridColumns(count);
  const columns = width >= ideal * NARROWEST ? width : ideal;

  // Nodes coming back first, so a newcomer filling holes does not take their old cell.
  const rest: string[] = [];
  for (const id of order) {
    const own = vacated.get(id);
    if (own && index.isFree(own.x, own.y)) {
      place(id, own, positions, index);
      const cell = grid.cellAt(own);
      if (cell) lastRow = Math.max(lastRow, cell.row);
    } else rest.push(id);
  }

  // Within one call, cells a group's scan passed stay taken, so its next scan resumes there.
  const cursor = new Map<Group, Cell>();
  for (const id of rest) {
    const group = groupOf(id);
    const from = cursor.get(group) ?? groupStart.get(group) ?? { row: lastRow + 1, column: 0 };
    const cell = firstFreeCell(grid, index, from, columns);
    place(id, grid.positionOf(cell), positions, index);
    cursor.set(group, cell);
    if (!groupStart.has(group)) groupStart.set(group, cell);
    lastRow = Math.max(lastRow, cell.row);
  }
}

function nextCell(cell: Cell, columns: number): Cell {
  return cell.column + 1 >= columns ? { row: cell.row + 1, column: 0 } : { row: cell.row, column: cell.column + 1 };
}

/** `from` or the first cell after it, row by row, that no box reaches into; rows below everything are always free. */
function firstFreeCell(grid: Grid, index: BoxIndex, from: Cell, columns: number): Cell {
  let cell = from;
  for (;;) {
    const p = grid.positionOf(cell);
    if (index.isFree(p.x, p.y)) return cell;
    cell = nextCell(cell, columns);
  }
}

function place(id: string, p: XY, positions: Map<string, XY>, index: BoxIndex): void {
  positions.set(id, p);
  index.add(p);
}
