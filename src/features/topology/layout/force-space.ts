/**
 * Where the force layout's simulation happens: node centres in units of a
 * node's width (see ASPECT), bodies and edges in typed arrays, and starting
 * points drawn from each node's id so that layouts are repeatable.
 */
import type { LayoutOptions, XY } from './layered.ts';
import type { Bodies } from './simulation.ts';
import { hashSeed, mulberry32 } from '../../../lib/prng.ts';

/**
 * The simulation runs in units where a node's width plus the gap is 1
 * horizontally and 1/ASPECT vertically: a round cloud there is a cloud
 * ASPECT times wider than tall on screen, with wide boxes packed about as
 * densely across as down.
 */
const ASPECT = 1.6;
/** Preferred distance between neighbours, in simulation units. */
export const SPACING = 1.15;
/** How much of the first layout's area node boxes (and gaps) cover. */
const FILL = 0.45;

/** Converts between top-left corners on screen and node centres in the simulation's units. */
export class SimulationSpace {
  private readonly unitX: number;
  private readonly unitY: number;
  private readonly halfWidth: number;
  private readonly halfHeight: number;
  private readonly height: number;
  private readonly gap: number;

  constructor(options: LayoutOptions) {
    this.height = options.nodeHeight;
    this.gap = options.nodeGap;
    this.unitX = options.nodeWidth + options.nodeGap;
    this.unitY = this.unitX / ASPECT;
    this.halfWidth = options.nodeWidth / 2;
    this.halfHeight = options.nodeHeight / 2;
  }

  /** A node's box and the gap around it, in square simulation units. */
  get boxArea(): number {
    return (this.height + this.gap) / this.unitY;
  }

  /**
   * Gravity that holds nodes in a disc of even density, about FILL of it
   * covered by boxes: pushes of k²/d from every node and a pull towards the
   * centre growing with distance balance where density is gravity / (π k²).
   * It also keeps the parts of a mesh that share no edge together.
   */
  get gravity(): number {
    return (Math.PI * SPACING * SPACING * FILL) / this.boxArea;
  }

  toSimulation(p: XY): XY {
    return { x: (p.x + this.halfWidth) / this.unitX, y: (p.y + this.halfHeight) / this.unitY };
  }

  toScreen(u: number, v: number): XY {
    return { x: u * this.unitX - this.halfWidth, y: v * this.unitY - this.halfHeight };
  }
}

/** A point in a disc of `radius` around `centre`, the same for the same id every time. */
export function startingPoint(id: string, centre: XY, radius: number): XY {
  const random = mulberry32(hashSeed(id));
  const angle = random() * 2 * Math.PI;
  const r = radius * Math.sqrt(random());
  return { x: centre.x + r * Math.cos(angle), y: centre.y + r * Math.sin(angle) };
}

/**
 * Simulation-space bodies: `movable` ids (starting at `start`, in simulation
 * units) first, then every node of `fixed` (top-left corners on screen), with
 * the edges that touch a movable one. `busyPullLess`: edges between busy
 * nodes pull less (for a whole layout).
 */
export function bodiesOf(
  movable: readonly string[],
  start: ReadonlyMap<string, XY>,
  fixed: ReadonlyMap<string, XY>,
  neighbours: ReadonlyMap<string, ReadonlySet<string>>,
  space: SimulationSpace,
  busyPullLess: boolean,
): Bodies {
  const order = new Map<string, number>();
  for (const id of movable) order.set(id, order.size);
  for (const id of fixed.keys()) if (!order.has(id)) order.set(id, order.size);
  const u = new Float64Array(order.size);
  const v = new Float64Array(order.size);
  for (const [id, i] of order) {
    const p = i < movable.length ? start.get(id)! : space.toSimulation(fixed.get(id)!);
    u[i] = p.x;
    v[i] = p.y;
  }
  const from: number[] = [];
  const to: number[] = [];
  movable.forEach((id, i) => {
    for (const n of neighbours.get(id) ?? []) {
      const j = order.get(n);
      // Each edge once: between two movable nodes, from the lower index.
      if (j === undefined || (j < movable.length && j < i)) continue;
      from.push(i);
      to.push(j);
    }
  });
  // Pulls weakened between busy nodes: otherwise a thousand fetchers pulled towards the same four
  // services crush into a ball many times denser than the spacing asks for.
  const degree = Int32Array.from(order.keys(), (id) => neighbours.get(id)?.size ?? 1);
  const weight = Float64Array.from(from, (a, e) => (busyPullLess ? 1 / Math.sqrt(degree[a]! * degree[to[e]!]!) : 1));
  return { u, v, movable: movable.length, from: Int32Array.from(from), to: Int32Array.from(to), weight };
}
