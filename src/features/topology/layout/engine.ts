/**
 * What the layout worker runs: it remembers the last layout of each view (an
 * algorithm and a set of collapsed groups) and continues it incrementally, so
 * a node placed once stays put across topology changes and view switches.
 * Pure apart from the clock; runs on the main thread too where there are no
 * workers (jsdom), with the same answers.
 */
import { forceLayout } from './force.ts';
import { gridLayout } from './grid.ts';
import type { LayoutHints } from './hints.ts';
import { emptyLayout, layoutGraph, pinPosition, type LayoutEdge, type LayoutState } from './layered.ts';
import type { LayoutAlgorithm, LayoutRequest, LayoutResponse, LayoutWorkerRequest } from './protocol.ts';

type Algorithm = (previous: LayoutState, ids: readonly string[], edges: readonly LayoutEdge[], hints: LayoutHints) => LayoutState;

const ALGORITHMS: Record<LayoutAlgorithm, Algorithm> = {
  layered: (previous, ids, edges) => layoutGraph(previous, ids, edges),
  force: (previous, ids, edges, hints) => forceLayout(previous, ids, edges, undefined, hints),
  grid: (previous, ids, edges, hints) => gridLayout(previous, ids, edges, undefined, hints),
};

/** Views remembered; past this, the one used longest ago is forgotten (and laid out afresh if it comes back). */
const MAX_REMEMBERED_VIEWS = 8;

export class LayoutEngine {
  private readonly views = new Map<string, LayoutState>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  handle(request: LayoutWorkerRequest): LayoutResponse {
    return this.layout(request);
  }

  private layout(request: LayoutRequest): LayoutResponse {
    const started = this.now();
    if (request.fresh) this.views.clear();
    const remembered = this.views.get(request.key);
    const previous = remembered ?? emptyLayout();

    let state = ALGORITHMS[request.algorithm](previous, request.nodeIds, request.edges, {
      groupOf: new Map(request.groups),
    });
    // Pins go on after the algorithm: a pinned node counts as settled, and a
    // layout that found one settled node would place all the rest one by one.
    for (const [id, position] of request.pins) {
      const current = state.positions.get(id);
      if (current && (!state.pinned.has(id) || current.x !== position.x || current.y !== position.y)) {
        state = pinPosition(state, id, position);
      }
    }

    this.views.delete(request.key);
    this.views.set(request.key, state);
    while (this.views.size > MAX_REMEMBERED_VIEWS) this.views.delete(this.views.keys().next().value!);

    const ids = [...state.positions.keys()];
    const xy = new Float64Array(ids.length * 2);
    ids.forEach((id, i) => {
      const p = state.positions.get(id)!;
      xy[i * 2] = p.x;
      xy[i * 2 + 1] = p.y;
    });
    return {
      type: 'layout',
      requestId: request.requestId,
      key: request.key,
      ids,
      xy,
      changed: state !== previous,
      ms: this.now() - started,
    };
  }
}
