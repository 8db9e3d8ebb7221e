/**
 * Selectors more than one view needs, defined once (STYLE.md, 5). Each
 * returns a primitive or a reference the store keeps stable.
 */
import type { BatchInfo, RealtimeState, StatusChange } from './types.ts';

const NO_SERIES: readonly string[] = [];
const NO_CHANGES: readonly StatusChange[] = [];

/** Bumps only on structural change: what graph lists and counts are rebuilt on. */
export const selectTopologyVersion = (state: RealtimeState): number => state.topologyVersion;

/** The store replaces a node's object only when that node changes. */
export const nodeById = (id: string) => (state: RealtimeState) => state.nodes[id];

/** Names of the series a node owns; the same array until ownership changes. */
export const seriesOwnedBy = (nodeId: string) => (state: RealtimeState) => state.seriesByNode[nodeId] ?? NO_SERIES;

/** A node's status changes, oldest first; the same array until its status changes. */
export const statusHistoryOf = (nodeId: string) => (state: RealtimeState) => state.statusHistory[nodeId] ?? NO_CHANGES;

/** The last received batch's size and publish-time range; a new object per received batch. */
export const selectLastBatch = (state: RealtimeState): BatchInfo | null => state.stream.lastBatch;
