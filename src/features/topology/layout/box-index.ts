/**
 * Which spots of the canvas are taken. Every placed node's box is bucketed by
 * the room one node needs (its box plus the gap), so whether a spot is free
 * is answered from the 3×3 buckets around it, however many nodes there are.
 */
import type { LayoutOptions, XY } from './layered.ts';

/** Positions closer than a whole step by less than this still count as clear: float sums of whole steps. */
const EPSILON = 1e-6;
/** Past this many boxes around a spot, trying every pair of their edges costs more than a lattice search. */
const MAX_EXACT_BOXES = 24;

export class BoxIndex {
  /** Horizontal distance between two top-left corners below which boxes are too close. */
  readonly stepX: number;
  /** Vertical distance between two top-left corners below which boxes are too close. */
  readonly stepY: number;
  private readonly buckets = new Map<number, XY[]>();

  constructor(options: LayoutOptions, positions: Iterable<XY> = []) {
    this.stepX = options.nodeWidth + options.nodeGap;
    this.stepY = options.nodeHeight + options.nodeGap;
    for (const p of positions) this.add(p);
  }

  add(p: XY): void {
    const key = this.keyOf(Math.floor(p.x / this.stepX), Math.floor(p.y / this.stepY));
    const bucket = this.buckets.get(key);
    if (bucket) bucket.push(p);
    else this.buckets.set(key, [p]);
  }

  /** Whether a node whose top-left corner is at (x, y) would keep the gap to every box in the index. */
  isFree(x: number, y: number): boolean {
    const bx = Math.floor(x / this.stepX);
    const by = Math.floor(y / this.stepY);
    const clearX = this.stepX - EPSILON;
    const clearY = this.stepY - EPSILON;
    for (let i = bx - 1; i <= bx + 1; i++) {
      for (let j = by - 1; j <= by + 1; j++) {
        const bucket = this.buckets.get(this.keyOf(i, j));
        if (!bucket) continue;
        for (const p of bucket) if (Math.abs(p.x - x) < clearX && Math.abs(p.y - y) < clearY) return false;
      }
    }
    return true;
  }

  /**
   * The free spot nearest (x, y), in whole pixels when node sizes are whole.
   *
   * The spots a box may not take form one rectangle around each placed box,
   * so the nearest free spot is (x, y) itself, or on the edge of one of them,
   * or where the edges of two cross: every pair of edge lines from the boxes
   * around is tried, nearest first, in a window that doubles until it holds
   * a free spot. Where the window would hold too many boxes for that (deep in
   * a crowd), a lattice of half steps, searched ring by ring, stands in.
   */
  nearestFree(x: number, y: number): XY {
    const px = Math.round(x);
    const py = Math.round(y);
    if (this.isFree(px, py)) return { x: px, y: py };
    for (let reach = Math.max(this.stepX, this.stepY); ; reach *= 2) {
      const around = this.boxesNear(px, py, reach);
      if (around.length > MAX_EXACT_BOXES) return this.nearestOnLattice(px, py);
      const xs = [px];
      const ys = [py];
      for (const p of around) {
        xs.push(p.x - this.stepX, p.x + this.stepX);
        ys.push(p.y - this.stepY, p.y + this.stepY);
      }
      const candidates: [number, number, number][] = [];
      for (const cx of xs) {
        for (const cy of ys) {
          const d2 = (cx - px) * (cx - px) + (cy - py) * (cy - py);
          // Beyond the reach, a box outside the window could hide a nearer spot.
          if (d2 <= reach * reach) candidates.push([d2, cx, cy]);
        }
      }
      candidates.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
      for (const [, cx, cy] of candidates) if (this.isFree(cx, cy)) return { x: cx, y: cy };
    }
  }

  /** Every box whose no-go rectangle comes within `reach` of (x, y) on both axes. */
  private boxesNear(x: number, y: number, reach: number): XY[] {
    const found: XY[] = [];
    const reachX = this.stepX + reach;
    const reachY = this.stepY + reach;
    for (let i = Math.floor((x - reachX) / this.stepX); i <= Math.floor((x + reachX) / this.stepX); i++) {
      for (let j = Math.floor((y - reachY) / this.stepY); j <= Math.floor((y + reachY) / this.stepY); j++) {
        for (const p of this.buckets.get(this.keyOf(i, j)) ?? []) {
          if (Math.abs(p.x - x) < reachX && Math.abs(p.y - y) < reachY) found.push(p);
        }
      }
    }
    return found;
  }

  /** A free spot near (x, y) on a lattice of half steps around it, searched ring by ring until no ring can hold a nearer one. */
  private nearestOnLattice(x: number, y: number): XY {
    const hx = this.stepX / 2;
    const hy = this.stepY / 2;
    const ringGrowth = Math.min(hx, hy);
    let best: XY | undefined;
    let bestD2 = Infinity;
    const consider = (i: number, j: number) => {
      const cx = Math.round(x + i * hx);
      const cy = Math.round(y + j * hy);
      const d2 = (cx - x) * (cx - x) + (cy - y) * (cy - y);
      if (d2 < bestD2 && this.isFree(cx, cy)) {
        best = { x: cx, y: cy };
        bestD2 = d2;
      }
    };
    for (let r = 1; ; r++) {
      // Every point of ring r is at least r * ringGrowth away, less half a pixel of rounding.
      const nearest = r * ringGrowth - 1;
      if (best && nearest * nearest > bestD2) return best;
      for (let i = -r; i <= r; i++) {
        consider(i, -r);
        consider(i, r);
      }
      for (let j = -r + 1; j <= r - 1; j++) {
        consider(-r, j);
        consider(r, j);
      }
    }
  }

  /** Any two distinct buckets may share a key: every candidate is checked by its real position anyway. */
  private keyOf(bx: number, by: number): number {
    return bx * 1_048_583 + by;
  }
}
