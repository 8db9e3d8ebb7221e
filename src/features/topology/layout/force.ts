/**
 * A force-directed layout that stays put as the mesh changes.
 *
 * The first set of nodes with structure is laid out by a Fruchterman–Reingold
 * simulation (edges pull, every node pushes, gravity holds the whole in an
 * evenly dense disc and keeps separate parts together), then every node, from
 * the centre out, takes the nearest spot where its box overlaps no other.
 *
 * After that nothing placed moves. New nodes start at the centre of their
 * placed neighbours, only they are relaxed against the fixed rest, and each
 * then takes the free spot nearest where it came to rest; a new part of the
 * mesh with no edge to the placed one is laid out on its own and set right of
 * everything. A node that comes back returns to its old spot if it is free; a
 * removed node leaves its spot empty; a node the user dragged keeps its
 * position.
 *
 * Like the layered layout, a node with no edges has nowhere to be pulled to:
 * it waits in rows below the layout ("floating") and is placed once, next to
 * its neighbours, when its first edge to a placed node arrives.
 *
 * Pure and deterministic: starting points come from a hash of each node's id.
 */
import { BoxIndex } from './box-index.ts';
import { bodiesOf, SimulationSpace, SPACING, startingPoint } from './force-space.ts';
import type { LayoutHints } from './hints.ts';
import { DEFAULT_LAYOUT_OPTIONS, type LayoutEdge, type LayoutOptions, type LayoutState, type XY } from './layered.ts';
import { relax, type Bodies } from './simulation.ts';
import { vacateRemoved } from './vacate.ts';
import { park } from './waiting-rows.ts';

/** Iterations of a first layout: with fewer, the two pools of a 2,000-node crawl mesh stay tangled together. */
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
    placeAmongFixed(stillToPlace.filter(hasEdges), neighbours, positions, index, space, options);
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

/** The first layout of `ids` (all with edges), clear of whatever is already placed (dragged nodes). */
function placeFirst(
  ids: readonly string[],
  neighbours: ReadonlyMap<string, ReadonlySet<string>>,
  positions: Map<string, XY>,
  space: SimulationSpace,
  options: LayoutOptions,
): void {
  const laid = layOutAlone(ids, neighbours, space, options);
  if (positions.size === 0) {
    for (const [id, p] of laid) positions.set(id, p);
    return;
  }
  const index = new BoxIndex(options, positions.values());
  for (const [id, p] of laid) {
    const free = index.nearestFree(p.x, p.y);
    index.add(free);
    positions.set(id, free);
  }
}

/**
 * Lays `ids` (all with edges) out on their own, the way a first layout is:
 * simulated from starting points in a disc, then every node, from the centre
 * out, takes the nearest spot where its box overlaps no other. Top-left
 * corners, the layout's top-left at the origin.
 */
function layOutAlone(
  ids: readonly string[],
  neighbours: ReadonlyMap<string, ReadonlySet<string>>,
  space: SimulationSpace,
  options: LayoutOptions,
): Map<string, XY> {
  const laid = new Map<string, XY>();
  if (ids.length === 0) return laid;
  const centre = { x: 0, y: 0 };
  // A disc about as large as the finished layout, so the first iterations spread rather than explode.
  const radius = SPACING * Math.sqrt(ids.length) * 0.6;
  const start = new Map(ids.map((id) => [id, startingPoint(id, centre, radius)]));
  const bodies = bodiesOf(ids, start, new Map(), neighbours, space, true);
  relax(bodies, {
    spacing: SPACING,
    iterations: FIRST_ITERATIONS,
    startTemperature: radius / 4,
    gravity: space.gravity,
    centre,
    pushes: 'all',
  });
  spreadToDensity(bodies, centre, space.boxArea);

  // Centre outwards, so the nodes that must give way are pushed out of the crowd, not into it.
  const order = ids.map((_, i) => i);
  const distance = order.map((i) => Math.hypot(bodies.u[i]! - centre.x, bodies.v[i]! - centre.y));
  order.sort((a, b) => distance[a]! - distance[b]! || a - b);
  const index = new BoxIndex(options);
  let left = Infinity;
  let top = Infinity;
  for (const i of order) {
    const wanted = space.toScreen(bodies.u[i]!, bodies.v[i]!);
    const p = index.nearestFree(wanted.x, wanted.y);
    index.add(p);
    laid.set(ids[i]!, p);
    left = Math.min(left, p.x);
    top = Math.min(top, p.y);
  }
  for (const [id, p] of laid) laid.set(id, { x: p.x - left, y: p.y - top });
  return laid;
}

/**
 * Scales the bodies about `centre` so that the crowded parts
 * (the 90th percentile of local density) have at least `areaPerNode` each.
 * A safety net: a mesh shaped unlike any tried could still crush a pool into
 * a ball, and removing overlaps from a ball means long searches for free
 * spots, so it is spread first. Never shrinks.
 */
function spreadToDensity(bodies: Bodies, centre: XY, areaPerNode: number): void {
  const { u, v } = bodies;
  const count = u.length;
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
 * Places `ids` (all with edges) among the fixed, placed nodes. Each starts at
 * its placed (or already started) neighbours' centre; only they are relaxed,
 * then each takes the free spot nearest where it came to rest. Those with no
 * way to a placed node form new, separate parts of the mesh: each is laid
 * out on its own and set right of everything, parts stacked downwards.
 */
function placeAmongFixed(
  ids: readonly string[],
  neighbours: ReadonlyMap<string, ReadonlySet<string>>,
  positions: Map<string, XY>,
  index: BoxIndex,
  space: SimulationSpace,
  options: LayoutOptions,
): void {
  if (ids.length === 0) return;
  const start = new Map<string, XY>();
  const known = (id: string) => {
    const placed = positions.get(id);
    return placed ? space.toSimulation(placed) : start.get(id);
  };
  // Rounds, so that a chain of new nodes grows out from the placed one it hangs off.
  let remaining = [...ids];
  for (;;) {
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
      // A little apart, so nodes that share neighbours do not start on one point.
      if (count > 0) start.set(id, startingPoint(id, { x: sumX / count, y: sumY / count }, SPACING / 2));
      else next.push(id);
    }
    if (next.length === remaining.length) break;
    remaining = next;
  }

  placeNewParts(remaining, neighbours, positions, index, space, options);

  const movable = [...start.keys()];
  if (movable.length === 0) return;
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

/** Lays out each connected part of `ids` on its own and sets it right of everything placed, the parts stacked downwards. */
function placeNewParts(
  ids: readonly string[],
  neighbours: ReadonlyMap<string, ReadonlySet<string>>,
  positions: Map<string, XY>,
  index: BoxIndex,
  space: SimulationSpace,
  options: LayoutOptions,
): void {
  if (ids.length === 0) return;
  let right = -Infinity;
  let top = Infinity;
  for (const p of positions.values()) {
    right = Math.max(right, p.x + options.nodeWidth);
    top = Math.min(top, p.y);
  }
  const margin = options.nodeGap * 3;
  const left = right === -Infinity ? 0 : right + margin;
  let nextTop = top === Infinity ? 0 : top;
  const unplaced = new Set(ids);
  for (const seed of ids) {
    if (!unplaced.has(seed)) continue;
    const part = connectedPart(seed, neighbours, unplaced);
    for (const id of part) unplaced.delete(id);
    let bottom = nextTop;
    for (const [id, p] of layOutAlone(part, neighbours, space, options)) {
      // Free already unless a dragged node is in the way.
      const free = index.nearestFree(left + p.x, nextTop + p.y);
      index.add(free);
      positions.set(id, free);
      bottom = Math.max(bottom, free.y + options.nodeHeight);
    }
    nextTop = bottom + margin;
  }
}

/** `seed` and every node of `candidates` connected to it through others of them, in the order found. */
function connectedPart(
  seed: string,
  neighbours: ReadonlyMap<string, ReadonlySet<string>>,
  candidates: ReadonlySet<string>,
): string[] {
  const seen = new Set([seed]);
  const queue = [seed];
  for (let i = 0; i < queue.length; i++) {
    for (const n of neighbours.get(queue[i]!) ?? []) {
      if (candidates.has(n) && !seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return queue;
}
