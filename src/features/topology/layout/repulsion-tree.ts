/**
 * Barnes–Hut repulsion: every body pushes every other (k²/d), but a far group
 * of bodies pushes as one body at its centre of mass, so a body's push costs
 * about O(log n) instead of O(n).
 *
 * Why not only nearby pushes (a cut-off, which would be O(1) per body): in a
 * mesh with hubs, a thousand fetchers all pulled towards the same four
 * services crush together until their local pushes balance the pull of the
 * whole pool, at tens of times the density wanted. Only pushes from the whole
 * pool hold it open.
 *
 * The tree lives in typed arrays, rebuilt for each iteration.
 */

/** Bodies a leaf holds before it is split; small leaves are summed exactly. */
const LEAF_SIZE = 6;
/** Bodies closer than this are kept in one leaf rather than split for ever. */
const MAX_DEPTH = 24;

export class RepulsionTree {
  private order = new Int32Array(0);
  private scratch = new Int32Array(0);
  private capacity = 0;
  private nodes = 0;
  private first = new Int32Array(0);
  private end = new Int32Array(0);
  /** Index of the first of four consecutive children, or -1 for a leaf. */
  private child = new Int32Array(0);
  private mass = new Float64Array(0);
  private centreU = new Float64Array(0);
  private centreV = new Float64Array(0);
  private left = new Float64Array(0);
  private top = new Float64Array(0);
  private size = new Float64Array(0);
  /** A traversal holds at most three siblings per level plus four children. */
  private readonly stack = new Int32Array(3 * MAX_DEPTH + 8);
  private u: Float64Array = new Float64Array(0);
  private v: Float64Array = new Float64Array(0);

  /** Indexes bodies [0, count) at their current positions. */
  build(u: Float64Array, v: Float64Array, count: number): void {
    this.u = u;
    this.v = v;
    if (this.order.length < count) {
      this.order = new Int32Array(count);
      this.scratch = new Int32Array(count);
    }
    let minU = Infinity;
    let minV = Infinity;
    let maxU = -Infinity;
    let maxV = -Infinity;
    for (let i = 0; i < count; i++) {
      this.order[i] = i;
      minU = Math.min(minU, u[i]!);
      maxU = Math.max(maxU, u[i]!);
      minV = Math.min(minV, v[i]!);
      maxV = Math.max(maxV, v[i]!);
    }
    this.nodes = 0;
    if (count === 0) return;
    // A square a little larger than the bodies, so none sits on its far edge.
    const side = Math.max(maxU - minU, maxV - minV) * 1.0001 + 1e-9;
    this.buildNode(this.allocate(1), 0, count, minU, minV, side, 0);
  }

  /** Adds to (du[i], dv[i]) the push of every other body on body i. */
  pushOn(i: number, k2: number, theta: number, du: Float64Array, dv: Float64Array): void {
    if (this.nodes === 0) return;
    const { u, v, order, first, end, child, mass, centreU, centreV, left, top, size } = this;
    const ui = u[i]!;
    const vi = v[i]!;
    const theta2 = theta * theta;
    let fu = 0;
    let fv = 0;
    const stack = this.stack;
    let depth = 0;
    stack[depth++] = 0;
    while (depth > 0) {
      const n = stack[--depth]!;
      if (mass[n] === 0) continue;
      const c = child[n]!;
      if (c < 0) {
        for (let p = first[n]!; p < end[n]!; p++) {
          const j = order[p]!;
          if (j === i) continue;
          let dx = ui - u[j]!;
          let dy = vi - v[j]!;
          let d2 = dx * dx + dy * dy;
          if (d2 < 1e-12) {
            [dx, dy] = partingDirection(i, j, k2);
            d2 = dx * dx + dy * dy;
          }
          const f = k2 / d2;
          fu += dx * f;
          fv += dy * f;
        }
        continue;
      }
      const dx = ui - centreU[n]!;
      const dy = vi - centreV[n]!;
      const d2 = dx * dx + dy * dy;
      const s = size[n]!;
      const inside = ui >= left[n]! && ui < left[n]! + s && vi >= top[n]! && vi < top[n]! + s;
      if (!inside && s * s < theta2 * d2) {
        const f = (mass[n]! * k2) / d2;
        fu += dx * f;
        fv += dy * f;
      } else {
        stack[depth++] = c;
        stack[depth++] = c + 1;
        stack[depth++] = c + 2;
        stack[depth++] = c + 3;
      }
    }
    du[i]! += fu;
    dv[i]! += fv;
  }

  private buildNode(n: number, from: number, to: number, left: number, top: number, side: number, depth: number): void {
    const { u, v, order } = this;
    this.first[n] = from;
    this.end[n] = to;
    this.left[n] = left;
    this.top[n] = top;
    this.size[n] = side;
    let sumU = 0;
    let sumV = 0;
    for (let p = from; p < to; p++) {
      sumU += u[order[p]!]!;
      sumV += v[order[p]!]!;
    }
    const count = to - from;
    this.mass[n] = count;
    this.centreU[n] = count > 0 ? sumU / count : 0;
    this.centreV[n] = count > 0 ? sumV / count : 0;
    if (count <= LEAF_SIZE || depth >= MAX_DEPTH) {
      this.child[n] = -1;
      return;
    }

    // Sort the range into quadrants: 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right.
    const half = side / 2;
    const midU = left + half;
    const midV = top + half;
    const counts = [0, 0, 0, 0];
    const scratch = this.scratch;
    for (let p = from; p < to; p++) {
      const j = order[p]!;
      counts[(u[j]! >= midU ? 1 : 0) + (v[j]! >= midV ? 2 : 0)]!++;
    }
    const starts = [from, from + counts[0]!, from + counts[0]! + counts[1]!, from + counts[0]! + counts[1]! + counts[2]!];
    const next = [...starts];
    for (let p = from; p < to; p++) {
      const j = order[p]!;
      scratch[next[(u[j]! >= midU ? 1 : 0) + (v[j]! >= midV ? 2 : 0)]!++] = j;
    }
    order.set(scratch.subarray(from, to), from);

    const c = this.allocate(4);
    this.child[n] = c;
    for (let q = 0; q < 4; q++) {
      const qLeft = q & 1 ? midU : left;
      const qTop = q & 2 ? midV : top;
      this.buildNode(c + q, starts[q]!, starts[q]! + counts[q]!, qLeft, qTop, half, depth + 1);
    }
  }

  /** Reserves `count` consecutive nodes, growing the arrays when full; returns the first. */
  private allocate(count: number): number {
    const n = this.nodes;
    this.nodes += count;
    if (this.nodes > this.capacity) {
      const capacity = Math.max(64, this.nodes * 2);
      const grow = <T extends Int32Array | Float64Array>(old: T, make: (size: number) => T): T => {
        const fresh = make(capacity);
        fresh.set(old);
        return fresh;
      };
      const ints = (size: number) => new Int32Array(size);
      const floats = (size: number) => new Float64Array(size);
      this.first = grow(this.first, ints);
      this.end = grow(this.end, ints);
      this.child = grow(this.child, ints);
      this.mass = grow(this.mass, floats);
      this.centreU = grow(this.centreU, floats);
      this.centreV = grow(this.centreV, floats);
      this.left = grow(this.left, floats);
      this.top = grow(this.top, floats);
      this.size = grow(this.size, floats);
      this.capacity = capacity;
    }
    return n;
  }
}

/** Two bodies on one point: a tiny push apart along a direction fixed by the pair, opposite for each. */
export function partingDirection(i: number, j: number, k2: number): [number, number] {
  const angle = (Math.min(i, j) * 2.399963) % (2 * Math.PI);
  const length = 1e-3 * Math.sqrt(k2) * (i < j ? 1 : -1);
  return [Math.cos(angle) * length, Math.sin(angle) * length];
}
