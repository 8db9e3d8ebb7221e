/**
 * Selectors more than one view needs, defined once (STYLE.md, 5). Each
 * returns a primitive or a reference the store keeps stable.
 */
import type { RealtimeState } from './types.ts';

const NO_SERIES: readonly string[] = [];

/** Bumps only on structural change: what graph lists and counts are rebuilt on. */
export const selectTopologyVersion = (state: RealtimeState): number => state.topologyVersion;

/** The store replaces a node's object only when that node changes. */
export const nodeById = (id: string) => (state: RealtimeState) => state.nodes[id];

/** Names of the series a node owns; the same array until ownership changes. */
export const seriesOwnedBy = (nodeId: string) => (state: RealtimeState) => state.seriesByNode[nodeId] ?? NO_SERIES;
