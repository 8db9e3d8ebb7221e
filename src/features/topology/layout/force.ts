/**
 * A force-directed layout that stays put as the mesh changes.
 *
 * The first set of nodes with structure is laid out by a Fruchterman–Reingold
 * simulation (edges pull, nearby nodes push, a little gravity keeps separate
 * parts together), then every node is moved to the nearest spot where its box
 * overlaps no other. After that nothing placed moves: new nodes start at the
 * centre of their placed neighbours (a new, separate part of the mesh starts
 * right of everything), only they are relaxed against the fixed rest, and each
 * then takes the free spot nearest where it came to rest. A node that comes
 * back returns to its old spot if it is free; a removed node leaves its spot
 * empty; a node the user dragged keeps its position.
 *
 * Like the layered layout, a node with no edges has nowhere to be pulled to:
 * it waits in rows below the layout ("floating") and is placed once, next to
 * its neighbours, when its first edge to a placed node arrives.
 *
 * Pure and deterministic: starting points come from a hash of each node's id.
 */
import { BoxIndex } from './box-index.ts';
import { gridColumns } from './grid.ts';
import type { LayoutHints } from './hints.ts';
import { DEFAULT_LAYOUT_OPTIONS, type LayoutEdge, type LayoutOptions, type LayoutState, type XY } from './layered.ts';
import { relax, type Bodies } from './simulation.ts';
import { vacateRemoved } from './vacate.ts';
import { hashSeed, mulberry32 } from '../../../lib/prng.ts';

/**
 * The simulation runs in units where a node's width plus the gap is 1
 * horizontally and 1/ASPECT vertically: a round cloud there is a cloud
 * ASPECT times wider than tall on screen, with wide boxes packed about as
 * densely across as down.
 */
const ASPECT = 1.6;
/** Preferred distance between neighbours, in simulation units. */
const SPACING = 1.15;
/** How much of the first layout's area node boxes (and gaps) cover. */
const FILL = 0.45;
const FIRST_ITERATIONS = 150;
/** Iterations for new nodes among fixed ones: they start next to their neighbours, so little is left to settle. */
const RELAX_ITERATIONS = 40;

export function forceLayout(
  previous: LayoutState,
  nodeIds: readonly string[],
  edges: readonly LayoutEdge[],
  options: LayoutOptions = DEFAULT_LAYOUT_OPTIONS,
  _hints?: LayoutHints,
): LayoutState {
  const ids = new Set(nodeIds);
  const neighbours = neighboursOf(ids, edges);
  const hasEdges = (id: string) => (neighbours.get(id)?.size ?? 0) > 0;

  let removed = false;
  for (const id of previous.positions.keys()) if (!ids.has(id)) removed = true;

  // A node is settled once placed with an edge, or pinned: it never moves again.
  const settled = new Set<string>();
  const pending: string[] = [];
  for (const id of ids) {
    if (!previous.positions.has(id)) pending.push(id);
    else if (previous.pinned.has(id) || !previous.floating.has(id)) settled.add(id);
  }
  // Floating nodes move only when they have somewhere to go: a settled neighbour.
  const floatingToPlace: string[] = [];
  for (const id of previous.floating) {
    if (!ids.has(id) || previous.pinned.has(id)) continue;
    for (const n of neighbours.get(id) ?? []) {
      if (settled.has(n)) {
        floatingToPlace.push(id);
        break;
      }
    }
  }
  const firstLayout = settled.size === 0 && [...ids].some(hasEdges);

  if (!firstLayout && !removed && pending.length === 0 && floatingToPlace.length === 0) {
    // Floating nodes that gained edges only among themselves are settled where they are.
    const stillFloating = [...previous.floating].filter((id) => !hasEdges(id));
    if (stillFloating.length === previous.floating.size) return previous;
    return { ...previous, floating: new Set(stillFloating) };
  }

  const { positions, pinned, vacated } = vacateRemoved(previous, ids);
  const space = new SimulationSpace(options);
  const floating = new Set<string>();
  for (const id of ids) if (!pinned.has(id) && !hasEdges(id) && !settledAlone(previous, id)) floating.add(id);

  let toPark: string[];
  if (firstLayout) {
    const all = [...ids].filter((id) => !pinned.has(id));
    for (const id of all) positions.delete(id);
    placeFirst(all.filter(hasEdges), neighbours, positions, space, options);
    toPark = all.filter((id) => !hasEdges(id));
  } else {
    for (const id of floatingToPlace) positions.delete(id);
    const todo = [...floatingToPlace, ...pending];
    const index = new BoxIndex(options, positions.values());
    const stillToPlace = returnToVacated(todo, vacated, positions, index);
    placeAmongFixed(stillToPlace.filter(hasEdges), neighbours, positions, index, space);
    toPark = stillToPlace.filter((id) => !hasEdges(id));
  }
  park(toPark, positions, floating, options);
  return { positions, pinned, floating, vacated };
}

/** A node that was placed with edges and lost them all stays settled: it does not start to wander. */
function settledAlone(previous: LayoutState, id: string): boolean {
  return previous.positions.has(id) && !previous.floating.has(id);
}

/** Each node's neighbours either way; self-loops, duplicates and edges to unknown nodes left out. */
function neighboursOf(ids: ReadonlySet<string>, edges: readonly LayoutEdge[]): Map<string, Set<string>> {
  const neighbours = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    const set = neighbours.get(a);
    if (set) set.add(b);
    else neighbours.set(a, new Set([b]));
  };
  for (const { source, target } of edges) {
    if (source === target || !ids.has(source) || !ids.has(target)) continue;
    link(source, target);
    link(target, source);
  }
  return neighbours;
}

/** Converts between top-left corners on screen and node centres in the simulation's units. */
class SimulationSpace {
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
function startingPoint(id: string, centre: XY, radius: number): XY {
  const random = mulberry32(hashSeed(id));
  const angle = random() * 2 * Math.PI;
  const r = radius * Math.sqrt(random());
  return { x: centre.x + r * Math.cos(angle), y: centre.y + r * Math.sin(angle) };
}

/**
 * Simulation-space bodies: `movable` ids first, then every node in `fixed`,
 * with the edges that touch a movable one. `busyPullLess`: edges between busy
 * nodes pull less (for a whole layout; see below).
 */
function bodiesOf(
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

/** The first layout of `ids` (all with edges), around whatever is already placed (dragged nodes). */
function placeFirst(
  ids: readonly string[],
  neighbours: ReadonlyMap<string, ReadonlySet<string>>,
  positions: Map<string, XY>,
  space: SimulationSpace,
  options: LayoutOptions,
): void {
  if (ids.length === 0) return;
  const fixedCount = positions.size;
  let centre = { x: 0, y: 0 };
  if (fixedCount > 0) {
    for (const p of positions.values()) {
      const s = space.toSimulation(p);
      centre = { x: centre.x + s.x / fixedCount, y: centre.y + s.y / fixedCount };
    }
  }
  // A disc about as large as the finished layout, so the first iterations spread rather than explode.
  const radius = SPACING * Math.sqrt(ids.length) * 0.6;
  const start = new Map(ids.map((id) => [id, startingPoint(id, centre, radius)]));
  const bodies = bodiesOf(ids, start, positions, neighbours, space, true);
  relax(bodies, {
    spacing: SPACING,
    iterations: FIRST_ITERATIONS,
    startTemperature: radius / 4,
    gravity: space.gravity,
    centre,
    pushes: 'all',
  });
  spreadToDensity(bodies, ids.length, centre, space.boxArea);

  // Centre outwards, so the nodes that must give way are pushed out of the crowd, not into it.
  const order = ids.map((_, i) => i);
  const distance = order.map((i) => Math.hypot(bodies.u[i]! - centre.x, bodies.v[i]! - centre.y));
  order.sort((a, b) => distance[a]! - distance[b]! || a - b);
  const index = new BoxIndex(options, positions.values());
  const laid = new Map<string, XY>();
  for (const i of order) {
    const wanted = space.toScreen(bodies.u[i]!, bodies.v[i]!);
    const p = index.nearestFree(wanted.x, wanted.y);
    index.add(p);
    laid.set(ids[i]!, p);
  }

  // With nothing fixed, the layout starts at the origin like the others; dragged nodes keep it where it is.
  let shiftX = 0;
  let shiftY = 0;
  if (fixedCount === 0) {
    shiftX = Infinity;
    shiftY = Infinity;
    for (const p of laid.values()) {
      shiftX = Math.min(shiftX, p.x);
      shiftY = Math.min(shiftY, p.y);
    }
  }
  for (const [id, p] of laid) positions.set(id, { x: p.x - shiftX, y: p.y - shiftY });
}

/**
 * Scales the first `count` bodies about `centre` so that the crowded parts
 * (the 90th percentile of local density) have at least `areaPerNode` each.
 * A safety net: a mesh shaped unlike any tried could still crush a pool into
 * a ball, and removing overlaps from a ball means long searches for free
 * spots, so it is spread first. Never shrinks.
 */
function spreadToDensity(bodies: Bodies, count: number, centre: XY, areaPerNode: number): void {
  const { u, v } = bodies;
  const CELL = 2;
  const cellKey = (i: number) => Math.floor(u[i]! / CELL) * 1_048_583 + Math.floor(v[i]! / CELL);
  const counts = new Map<number, number>();
  for (let i = 0; i < count; i++) counts.set(cellKey(i), (counts.get(cellKey(i)) ?? 0) + 1);
  const densities = new Float64Array(count);
  for (let i = 0; i < count; i++) densities[i] = counts.get(cellKey(i))! / (CELL * CELL);
  densities.sort();
  const crowded = densities[Math.floor(count * 0.9)] ?? 0;
  const scale = Math.sqrt(crowded * areaPerNode);
  if (!(scale > 1)) return;
  for (let i = 0; i < count; i++) {
    u[i] = centre.x + (u[i]! - centre.x) * scale;
    v[i] = centre.y + (v[i]! - centre.y) * scale;
  }
}

/** Nodes coming back to a free spot of theirs take it; returns the others. */
function returnToVacated(
  todo: readonly string[],
  vacated: ReadonlyMap<string, XY>,
  positions: Map<string, XY>,
  index: BoxIndex,
): string[] {
  const rest: string[] = [];
  for (const id of todo) {
    const own = vacated.get(id);
    if (own && index.isFree(own.x, own.y)) {
      positions.set(id, own);
      index.add(own);
    } else rest.push(id);
  }
  return rest;
}

/**
 * Places `ids` (all with edges) among the fixed, placed nodes: each starts at
 * its placed (or already started) neighbours' centre, a new separate part of
 * the mesh right of everything; only they are relaxed; then each takes the
 * free spot nearest where it came to rest.
 */
function placeAmongFixed(
  ids: readonly string[],
  neighbours: ReadonlyMap<string, ReadonlySet<string>>,
  positions: Map<string, XY>,
  index: BoxIndex,
  space: SimulationSpace,
): void {
  if (ids.length === 0) return;
  const fixed = new Map<string, XY>();
  let right = -Infinity;
  let top = Infinity;
  for (const [id, p] of positions) {
    const s = space.toSimulation(p);
    fixed.set(id, s);
    right = Math.max(right, s.x);
    top = Math.min(top, s.y);
  }
  if (right === -Infinity) right = top = 0;

  const start = new Map<string, XY>();
  const known = (id: string) => fixed.get(id) ?? start.get(id);
  let remaining = [...ids];
  // New parts of the mesh are stacked top to bottom, right of the layout.
  let nextPartTop = top;
  while (remaining.length > 0) {
    const next: string[] = [];
    for (const id of remaining) {
      let sumX = 0;
      let sumY = 0;
      let count = 0;
      for (const n of neighbours.get(id) ?? []) {
        const p = known(n);
        if (!p) continue;
        sumX += p.x;
        sumY += p.y;
        count++;
      }
      if (count === 0) {
        next.push(id);
        continue;
      }
      // A little apart, so nodes that share neighbours do not start on one point.
      start.set(id, startingPoint(id, { x: sumX / count, y: sumY / count }, SPACING / 2));
    }
    if (next.length === remaining.length) {
      // No one left has a known neighbour: the first of them starts a new part, the rest grow from it.
      const seed = next.shift()!;
      const radius = SPACING * Math.sqrt(partSize(seed, neighbours, new Set(next))) * 0.6;
      start.set(seed, { x: right + SPACING * 2 + radius, y: nextPartTop + radius });
      nextPartTop += radius * 2 + SPACING * 2;
    }
    remaining = next;
  }

  const movable = [...start.keys()];
  // Full pulls here: a new node should end up by its neighbours, wherever the pushes around them send it.
  const bodies = bodiesOf(movable, start, positions, neighbours, space, false);
  relax(bodies, {
    spacing: SPACING,
    iterations: RELAX_ITERATIONS,
    // Cool from the start: new nodes begin next to their neighbours and need only find room there.
    startTemperature: SPACING / 2,
    gravity: 0,
    centre: { x: 0, y: 0 },
    pushes: 'near',
  });
  movable.forEach((id, i) => {
    const wanted = space.toScreen(bodies.u[i]!, bodies.v[i]!);
    const p = index.nearestFree(wanted.x, wanted.y);
    index.add(p);
    positions.set(id, p);
  });
}

/** How many of `candidates` are connected to `seed`, counting it. */
function partSize(seed: string, neighbours: ReadonlyMap<string, ReadonlySet<string>>, candidates: ReadonlySet<string>): number {
  const seen = new Set([seed]);
  const queue = [seed];
  while (queue.length > 0) {
    for (const n of neighbours.get(queue.pop()!) ?? []) {
      if (candidates.has(n) && !seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return seen.size;
}

/**
 * Nodes with no edges wait in rows below the rest of the layout, in the first
 * free cells from its left edge, as wide as the layout (or a near-square block
 * if there is none). The rows start below the nodes that do not wait, so they
 * do not creep downwards as they fill.
 */
function park(ids: readonly string[], positions: Map<string, XY>, floating: ReadonlySet<string>, options: LayoutOptions): void {
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
