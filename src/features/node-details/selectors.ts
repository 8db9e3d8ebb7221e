import type { RealtimeState } from '../../store/realtime.ts';

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
