/**
 * A Fruchterman–Reingold simulation on points: edges pull (d²/k), nodes push
 * (k²/d), gravity pulls towards a centre, and every move is capped by a
 * temperature that cools to nothing over a fixed number of iterations.
 *
 * Pushes come either from every body (Barnes–Hut, for a whole layout) or only
 * from bodies closer than 2k (a grid of 2k-wide cells, O(1) per body: enough
 * for a few new nodes settling among fixed ones). Positions live in typed
 * arrays; only movable bodies' forces are computed.
 */
import { partingDirection, RepulsionTree } from './repulsion-tree.ts';

export interface Bodies {
  /** Positions; bodies [0, movable) move, the rest only push and pull. */
  u: Float64Array;
  v: Float64Array;
  movable: number;
  /** Edges as pairs of body indices. */
  from: Int32Array;
  to: Int32Array;
  /** How hard each edge pulls, 1 for plain Fruchterman–Reingold. */
  weight: Float64Array;
}

export interface RelaxOptions {
  /** k: the distance at which an edge's pull and a neighbour's push balance. */
  spacing: number;
  iterations: number;
  /** The furthest a body may move in the first iteration. */
  startTemperature: number;
  /** Pull towards `centre`, per unit of distance; keeps separate parts together. */
  gravity: number;
  centre: { x: number; y: number };
  /** `all`: every body pushes every other; `near`: only bodies closer than 2k push. */
  pushes: 'all' | 'near';
}

/** How coarsely far bodies are grouped: a group pushes as one when its cell is smaller than THETA times its distance. */
const THETA = 1.2;

/** Moves the movable bodies in place. */
export function relax(bodies: Bodies, options: RelaxOptions): void {
  const { u, v, movable, from, to, weight } = bodies;
  if (movable === 0) return;
  const k = options.spacing;
  const du = new Float64Array(movable);
  const dv = new Float64Array(movable);
  const tree = options.pushes === 'all' ? new RepulsionTree() : undefined;
  const grid = options.pushes === 'near' ? new NearGrid(u.length) : undefined;

  for (let iteration = 0; iteration < options.iterations; iteration++) {
    const temperature = options.startTemperature * (1 - iteration / options.iterations);
    du.fill(0);
    dv.fill(0);

    if (tree) {
      tree.build(u, v, u.length);
      for (let i = 0; i < movable; i++) tree.pushOn(i, k * k, THETA, du, dv);
    } else {
      grid!.build(u, v, 2 * k);
      for (let i = 0; i < movable; i++) grid!.pushOn(i, k * k, du, dv);
    }

    for (let e = 0; e < from.length; e++) {
      const a = from[e]!;
      const b = to[e]!;
      const dx = u[a]! - u[b]!;
      const dy = v[a]! - v[b]!;
      const f = (weight[e]! * Math.sqrt(dx * dx + dy * dy)) / k;
      if (a < movable) {
        du[a]! -= dx * f;
        dv[a]! -= dy * f;
      }
      if (b < movable) {
        du[b]! += dx * f;
        dv[b]! += dy * f;
      }
    }

    for (let i = 0; i < movable; i++) {
      const fu = du[i]! - options.gravity * (u[i]! - options.centre.x);
      const fv = dv[i]! - options.gravity * (v[i]! - options.centre.y);
      const length = Math.sqrt(fu * fu + fv * fv);
      if (length === 0) continue;
      const step = Math.min(length, temperature) / length;
      u[i]! += fu * step;
      v[i]! += fv * step;
    }
  }
}

/**
 * Bodies bucketed in cells at least as wide as the push's reach (a counting
 * sort per iteration), so a body's pushes are found in the 3×3 cells around it.
 */
class NearGrid {
  private readonly cellOf: Int32Array;
  private readonly order: Int32Array;
  private start = new Int32Array(1);
  private columns = 1;
  private rows = 1;
  private reach2 = 0;
  private u: Float64Array = new Float64Array(0);
  private v: Float64Array = new Float64Array(0);

  constructor(count: number) {
    this.cellOf = new Int32Array(count);
    this.order = new Int32Array(count);
  }

  build(u: Float64Array, v: Float64Array, reach: number): void {
    this.u = u;
    this.v = v;
    this.reach2 = reach * reach;
    const count = u.length;
    let minU = Infinity;
    let minV = Infinity;
    let maxU = -Infinity;
    let maxV = -Infinity;
    for (let i = 0; i < count; i++) {
      minU = Math.min(minU, u[i]!);
      maxU = Math.max(maxU, u[i]!);
      minV = Math.min(minV, v[i]!);
      maxV = Math.max(maxV, v[i]!);
    }
    // Cells no narrower than the reach, and no more than a few per body however far apart bodies are.
    let size = reach;
    const area = (maxU - minU + size) * (maxV - minV + size);
    if (area / (size * size) > 4 * count + 64) size = Math.sqrt(area / (4 * count + 64));
    const columns = Math.floor((maxU - minU) / size) + 1;
    const rows = Math.floor((maxV - minV) / size) + 1;
    const start = new Int32Array(columns * rows + 1);
    for (let i = 0; i < count; i++) {
      const cell = Math.floor((v[i]! - minV) / size) * columns + Math.floor((u[i]! - minU) / size);
      this.cellOf[i] = cell;
      start[cell + 1]!++;
    }
    for (let c = 0; c < columns * rows; c++) start[c + 1]! += start[c]!;
    const next = start.slice(0, columns * rows);
    for (let i = 0; i < count; i++) {
      const cell = this.cellOf[i]!;
      this.order[next[cell]!] = i;
      next[cell]!++;
    }
    this.start = start;
    this.columns = columns;
    this.rows = rows;
  }

  /** Adds to (du[i], dv[i]) the push of every body within reach of body i. */
  pushOn(i: number, k2: number, du: Float64Array, dv: Float64Array): void {
    const { u, v, order, start, columns, rows, reach2 } = this;
    const cell = this.cellOf[i]!;
    const column = cell % columns;
    const row = (cell - column) / columns;
    const ui = u[i]!;
    const vi = v[i]!;
    let fu = 0;
    let fv = 0;
    for (let r = Math.max(0, row - 1); r <= Math.min(rows - 1, row + 1); r++) {
      for (let c = Math.max(0, column - 1); c <= Math.min(columns - 1, column + 1); c++) {
        const neighbourCell = r * columns + c;
        for (let p = start[neighbourCell]!; p < start[neighbourCell + 1]!; p++) {
          const j = order[p]!;
          if (j === i) continue;
          let dx = ui - u[j]!;
          let dy = vi - v[j]!;
          let d2 = dx * dx + dy * dy;
          if (d2 >= reach2) continue;
          if (d2 < 1e-12) {
            [dx, dy] = partingDirection(i, j, k2);
            d2 = dx * dx + dy * dy;
          }
          const f = k2 / d2;
          fu += dx * f;
          fv += dy * f;
        }
      }
    }
    du[i]! += fu;
    dv[i]! += fv;
  }
}
