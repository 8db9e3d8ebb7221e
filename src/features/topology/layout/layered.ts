/**
 * Where each node of the graph sits: a layered, left-to-right layout that
 * stays put as the mesh changes.
 *
 * The first set of nodes with structure is laid out by dagre. After that,
 * nothing that is placed moves: a new node joins its neighbours' rank (one
 * column right of its rightmost predecessor, or left of its leftmost
 * successor) and takes the free slot of that column nearest its neighbours;
 * a removed node frees its slot; a node the user dragged keeps its position.
 * A node with no edges has no rank yet, so it waits in the leftmost column
 * ("floating") and takes its place when its first edge arrives.
 *
 * Pure: no React, no store, so it can be tested table-driven and moved to a
 * worker unchanged.
 */
import dagre from '@dagrejs/dagre';

export interface XY {
  x: number;
  y: number;
}

export interface LayoutEdge {
  source: string;
  target: string;
}

export interface LayoutOptions {
  nodeWidth: number;
  nodeHeight: number;
  /** Horizontal gap between two ranks. */
  rankGap: number;
  /** Vertical gap between two nodes of one rank. */
  nodeGap: number;
}

export const DEFAULT_LAYOUT_OPTIONS: LayoutOptions = { nodeWidth: 180, nodeHeight: 56, rankGap: 76, nodeGap: 18 };

/**
 * Past this many nodes, dagre's first layout trades some crossing reduction
 * for time: at 500 nodes its defaults take about a second, these a third of it.
 */
const LARGE_LAYOUT_NODES = 200;

/** How many removed nodes' positions are remembered, so one that comes back returns to its place. */
const MAX_VACATED = 2_000;

export interface LayoutState {
  /** Top-left corner of every placed node (React Flow's `position`). */
  readonly positions: ReadonlyMap<string, XY>;
  /** Nodes the user dragged: never moved again. */
  readonly pinned: ReadonlySet<string>;
  /** Nodes placed while they had no edges; placed again, once, when they get one. */
  readonly floating: ReadonlySet<string>;
  /** Last position of recently removed nodes, oldest first. */
  readonly vacated: ReadonlyMap<string, XY>;
}

export function emptyLayout(): LayoutState {
  return { positions: new Map(), pinned: new Set(), floating: new Set(), vacated: new Map() };
}

/** Records a position the user chose by dragging; later layouts keep it. */
export function pinPosition(state: LayoutState, id: string, position: XY): LayoutState {
  if (!state.positions.has(id)) return state;
  const positions = new Map(state.positions);
  positions.set(id, { x: position.x, y: position.y });
  const pinned = new Set(state.pinned);
  pinned.add(id);
  const floating = new Set(state.floating);
  floating.delete(id);
  return { ...state, positions, pinned, floating };
}

interface Adjacency {
  predecessors: Map<string, string[]>;
  successors: Map<string, string[]>;
}

function adjacencyOf(ids: ReadonlySet<string>, edges: readonly LayoutEdge[]): Adjacency {
  const predecessors = new Map<string, string[]>();
  const successors = new Map<string, string[]>();
  for (const { source, target } of edges) {
    // Self-loops and edges to unknown nodes say nothing about rank.
    if (source === target || !ids.has(source) || !ids.has(target)) continue;
    (successors.get(source) ?? successors.set(source, []).get(source)!).push(target);
    (predecessors.get(target) ?? predecessors.set(target, []).get(target)!).push(source);
  }
  return { predecessors, successors };
}

function hasEdges(adjacency: Adjacency, id: string): boolean {
  return (adjacency.predecessors.get(id)?.length ?? 0) > 0 || (adjacency.successors.get(id)?.length ?? 0) > 0;
}

/**
 * Lays out `nodeIds` given the previous layout. Returns `previous` itself when
 * nothing had to move, so callers can compare by identity.
 */
export function layoutGraph(
  previous: LayoutState,
  nodeIds: readonly string[],
  edges: readonly LayoutEdge[],
  options: LayoutOptions = DEFAULT_LAYOUT_OPTIONS,
): LayoutState {
  const ids = new Set(nodeIds);
  const adjacency = adjacencyOf(ids, edges);

  const removed: string[] = [];
  for (const id of previous.positions.keys()) if (!ids.has(id)) removed.push(id);

  // A node is settled once placed with an edge, or pinned: it never moves again.
  const settled = new Set<string>();
  const pending: string[] = [];
  for (const id of nodeIds) {
    if (!previous.positions.has(id)) pending.push(id);
    else if (previous.pinned.has(id) || !previous.floating.has(id)) settled.add(id);
  }
  // Floating nodes move only when they have somewhere to go: a settled neighbour.
  const floatingToPlace: string[] = [];
  for (const id of previous.floating) {
    if (!ids.has(id) || previous.pinned.has(id)) continue;
    const neighbours = [...(adjacency.predecessors.get(id) ?? []), ...(adjacency.successors.get(id) ?? [])];
    if (neighbours.some((n) => settled.has(n))) floatingToPlace.push(id);
  }

  // Nothing is fixed yet and there is structure to go by: this is the first layout.
  const firstLayout = settled.size === 0 && nodeIds.some((id) => hasEdges(adjacency, id));

  if (!firstLayout && removed.length === 0 && pending.length === 0 && floatingToPlace.length === 0) {
    // Floating nodes that gained edges only among themselves are settled where they are.
    const stillFloating = [...previous.floating].filter((id) => !hasEdges(adjacency, id));
    if (stillFloating.length === previous.floating.size) return previous;
    return { ...previous, floating: new Set(stillFloating) };
  }

  const positions = new Map(previous.positions);
  const vacated = new Map(previous.vacated);
  const pinned = new Set(previous.pinned);
  for (const id of removed) {
    vacated.delete(id);
    vacated.set(id, positions.get(id)!);
    positions.delete(id);
    pinned.delete(id);
  }
  while (vacated.size > MAX_VACATED) vacated.delete(vacated.keys().next().value!);

  if (firstLayout) {
    const all = nodeIds.filter((id) => !pinned.has(id));
    for (const id of all) positions.delete(id);
    placeWithDagre(all, adjacency, positions, { x: 0, y: 0 }, options);
  } else {
    for (const id of floatingToPlace) positions.delete(id);
    placeIncrementally([...floatingToPlace, ...pending], adjacency, positions, vacated, options);
  }

  const floating = new Set<string>();
  for (const id of nodeIds) if (!pinned.has(id) && !hasEdges(adjacency, id) && !settledAlone(previous, id)) floating.add(id);
  return { positions, pinned, floating, vacated };
}

/** A node that was placed with edges and lost them all stays settled: it does not start to wander. */
function settledAlone(previous: LayoutState, id: string): boolean {
  return previous.positions.has(id) && !previous.floating.has(id);
}

/** Runs dagre over `ids` and writes their top-left positions, shifted so the layout starts at `origin`. */
function placeWithDagre(
  ids: readonly string[],
  adjacency: Adjacency,
  positions: Map<string, XY>,
  origin: XY,
  options: LayoutOptions,
): void {
  if (ids.length === 0) return;
  const large = ids.length > LARGE_LAYOUT_NODES;
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({
    rankdir: 'LR',
    ranksep: options.rankGap,
    nodesep: options.nodeGap,
    marginx: 0,
    marginy: 0,
    ranker: large ? 'tight-tree' : 'network-simplex',
  });
  graph.setDefaultEdgeLabel(() => ({}));
  // dagre keeps nodes in plain objects, where ids such as `constructor` or
  // `toString` break it: it sees stand-in names, one per index.
  const standIn = new Map(ids.map((id, i) => [id, `n${i}`]));
  for (const id of ids) graph.setNode(standIn.get(id)!, { width: options.nodeWidth, height: options.nodeHeight });
  for (const id of ids) {
    for (const target of adjacency.successors.get(id) ?? []) {
      const to = standIn.get(target);
      if (to !== undefined) graph.setEdge(standIn.get(id)!, to);
    }
  }
  dagre.layout(graph, { disableOptimalOrderHeuristic: large });
  const laid = new Map<string, XY>();
  for (const id of ids) {
    const node = graph.node(standIn.get(id)!) as { x: number; y: number };
    laid.set(id, { x: node.x - options.nodeWidth / 2, y: node.y - options.nodeHeight / 2 });
  }
  wrapTallRanks(laid, options);
  let minX = Infinity;
  let minY = Infinity;
  for (const p of laid.values()) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
  }
  for (const [id, p] of laid) positions.set(id, { x: origin.x + p.x - minX, y: origin.y + p.y - minY });
}

/** The most rows one rank's column may have in a first layout of `count` nodes. */
export function maxRowsPerRank(count: number): number {
  return Math.max(12, Math.ceil(Math.sqrt(count) * 1.5));
}

/**
 * Folds a rank taller than {@link maxRowsPerRank} (a pool of 300 fetchers)
 * into side-by-side columns, keeping dagre's order, and moves the ranks to
 * its right over to make room; then squeezes every rank's vertical positions
 * by the same factor, so the small ranks stay level with the pools they
 * connect. Without it, a large pool makes the graph a strip too tall to fit
 * on screen at any readable zoom.
 */
function wrapTallRanks(laid: Map<string, XY>, options: LayoutOptions): void {
  const maxRows = maxRowsPerRank(laid.size);
  const ranks = new Map<number, string[]>();
  for (const [id, p] of laid) {
    const key = Math.round(p.x);
    (ranks.get(key) ?? ranks.set(key, []).get(key)!).push(id);
  }
  const rowsOf = (count: number) => (count <= maxRows ? count : Math.ceil(count / Math.ceil(count / maxRows)));
  let tallestRows = 0;
  let wraps = false;
  for (const members of ranks.values()) {
    tallestRows = Math.max(tallestRows, rowsOf(members.length));
    if (members.length > maxRows) wraps = true;
  }
  if (!wraps) return;

  const rowStep = options.nodeHeight + options.nodeGap;
  const subColumnStep = options.nodeWidth + options.nodeGap * 2;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const p of laid.values()) {
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  const scale = Math.min(1, (tallestRows * rowStep) / Math.max(1, maxY - minY));
  const squeeze = (y: number) => minY + (y - minY) * scale;

  let shift = 0;
  for (const x of [...ranks.keys()].sort((a, b) => a - b)) {
    const members = ranks.get(x)!.sort((a, b) => laid.get(a)!.y - laid.get(b)!.y);
    if (members.length <= maxRows) {
      // Squeezed, then pushed apart again where two came closer than a row.
      let previous = -Infinity;
      for (const id of members) {
        const y = Math.max(squeeze(laid.get(id)!.y), previous + rowStep);
        laid.set(id, { x: x + shift, y });
        previous = y;
      }
      continue;
    }
    const columns = Math.ceil(members.length / maxRows);
    const rows = rowsOf(members.length);
    const centre = squeeze(members.reduce((sum, id) => sum + laid.get(id)!.y, 0) / members.length);
    const top = centre - ((rows - 1) * rowStep) / 2;
    members.forEach((id, i) => {
      laid.set(id, { x: x + shift + Math.floor(i / rows) * subColumnStep, y: top + (i % rows) * rowStep });
    });
    shift += (columns - 1) * subColumnStep;
  }
}

/**
 * Places `todo` one by one next to nodes already placed, spreading out from
 * them; whatever is left has no placed neighbour (a new, separate part of the
 * mesh) and is laid out by dagre on its own, below everything.
 */
function placeIncrementally(
  todo: readonly string[],
  adjacency: Adjacency,
  positions: Map<string, XY>,
  vacated: ReadonlyMap<string, XY>,
  options: LayoutOptions,
): void {
  const columnStep = options.nodeWidth + options.rankGap;
  let remaining = todo.filter((id) => !positions.has(id));
  let progressed = true;
  while (remaining.length > 0 && progressed) {
    progressed = false;
    const next: string[] = [];
    for (const id of remaining) {
      const preds = (adjacency.predecessors.get(id) ?? []).filter((n) => positions.has(n));
      const succs = (adjacency.successors.get(id) ?? []).filter((n) => positions.has(n));
      const reference = preds.length > 0 ? preds : succs;
      if (reference.length === 0) {
        next.push(id);
        continue;
      }
      const refs = reference.map((n) => positions.get(n)!);
      const x =
        preds.length > 0
          ? Math.max(...refs.map((p) => p.x)) + columnStep
          : Math.min(...refs.map((p) => p.x)) - columnStep;
      const anchorY = refs.reduce((sum, p) => sum + p.y, 0) / refs.length;
      positions.set(id, freeSlot(id, x, anchorY, positions, vacated, options, 'nearest'));
      progressed = true;
    }
    remaining = next;
  }
  if (remaining.length === 0) return;

  const isolated = remaining.filter((id) => !hasEdges(adjacency, id));
  const connected = remaining.filter((id) => hasEdges(adjacency, id));
  let minX = Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const p of positions.values()) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  if (minX === Infinity) minX = minY = maxY = 0;
  // A node with no edges waits in the leftmost column, in its first free slot from the top.
  for (const id of isolated) positions.set(id, freeSlot(id, minX, minY, positions, vacated, options, 'downward'));
  if (connected.length > 0) {
    let bottom = -Infinity;
    for (const p of positions.values()) bottom = Math.max(bottom, p.y);
    const origin = { x: minX, y: (bottom === -Infinity ? 0 : bottom + options.nodeHeight) + options.nodeGap * 3 };
    placeWithDagre(connected, adjacency, positions, origin, options);
  }
}

/**
 * The free slot of the column at `x` nearest `anchorY`: the node's own former
 * position if it is free, then positions vacated in this column and rows a
 * node height apart from the anchor, by distance. `downward` looks only below.
 */
function freeSlot(
  id: string,
  x: number,
  anchorY: number,
  positions: ReadonlyMap<string, XY>,
  vacated: ReadonlyMap<string, XY>,
  options: LayoutOptions,
  direction: 'nearest' | 'downward',
): XY {
  const clearX = options.nodeWidth + options.rankGap / 2;
  // Dagre puts neighbours of one rank exactly height + gap apart; anything closer overlaps.
  const clearY = options.nodeHeight + options.nodeGap / 2;
  const rowStep = options.nodeHeight + options.nodeGap;
  const occupants: number[] = [];
  for (const p of positions.values()) if (Math.abs(p.x - x) < clearX) occupants.push(p.y);
  const isFree = (y: number) => occupants.every((oy) => Math.abs(oy - y) >= clearY);

  const own = vacated.get(id);
  if (own && Math.abs(own.x - x) < 1 && isFree(own.y)) return { x, y: own.y };

  const candidates: number[] = [];
  for (const p of vacated.values()) {
    if (Math.abs(p.x - x) < 1 && (direction === 'nearest' || p.y >= anchorY)) candidates.push(p.y);
  }
  // Enough rows that one of them must be free.
  for (let k = 0; k <= occupants.length + 1; k++) {
    candidates.push(anchorY + k * rowStep);
    if (k > 0 && direction === 'nearest') candidates.push(anchorY - k * rowStep);
  }
  candidates.sort((a, b) => Math.abs(a - anchorY) - Math.abs(b - anchorY) || b - a);
  for (const y of candidates) if (isFree(y)) return { x, y };
  return { x, y: anchorY + (occupants.length + 2) * rowStep };
}
