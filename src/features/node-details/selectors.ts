import type { MeshEvent, RealtimeState } from '../../store/realtime.ts';

/** The whole edge: the store replaces it when its stats change, and only then or on a rewire. */
export const edgeById = (id: string) => (state: RealtimeState) => state.edges[id];
export const nodeLabelById = (id: string) => (state: RealtimeState) => state.nodes[id]?.label;

/** Ids of the edges into and out of `nodeId`. Edge structure changes bump `topologyVersion`, so callers recompute on that alone. */
export function edgeIdsOf(state: Pick<RealtimeState, 'edges'>, nodeId: string): { incoming: string[]; outgoing: string[] } {
  const incoming: string[] = [];
  const outgoing: string[] = [];
  for (const edge of Object.values(state.edges)) {
    if (edge.target === nodeId) incoming.push(edge.id);
    if (edge.source === nodeId) outgoing.push(edge.id);
  }
  return { incoming, outgoing };
}

/** Events the details panel lists for its node. */
export const RECENT_EVENTS_LIMIT = 20;
const NO_EVENTS: readonly MeshEvent[] = [];

/**
 * A selector of the latest `limit` events about `nodeId`, newest first. The
 * store's events array changes with every event anywhere in the mesh; this
 * returns the same array until the node's own latest events change, so the
 * list re-renders only then. Create one per component (it remembers its last
 * answer), e.g. with `useMemo`.
 *
 * Shaped for speed: when nothing changed for the node, the scan compares ids
 * in place and allocates nothing.
 */
export function recentEventsOf(nodeId: string, limit = RECENT_EVENTS_LIMIT) {
  let seen: readonly MeshEvent[] | null = null;
  let result: readonly MeshEvent[] = NO_EVENTS;
  return (state: Pick<RealtimeState, 'events'>): readonly MeshEvent[] => {
    if (state.events === seen) return result;
    seen = state.events;
    if (!sameNodeEvents(state.events, nodeId, result, limit)) {
      const fresh: MeshEvent[] = [];
      for (const event of state.events) {
        if (event.nodeId !== nodeId) continue;
        fresh.push(event);
        if (fresh.length === limit) break;
      }
      result = fresh.length > 0 ? fresh : NO_EVENTS;
    }
    return result;
  };
}

/** Whether the latest `limit` events about `nodeId` in `events` are exactly `held`, by id and order. */
function sameNodeEvents(events: readonly MeshEvent[], nodeId: string, held: readonly MeshEvent[], limit: number): boolean {
  let matched = 0;
  for (const event of events) {
    if (event.nodeId !== nodeId) continue;
    if (matched === held.length || held[matched]!.id !== event.id) return false;
    if (++matched === limit) break;
  }
  return matched === held.length;
}
