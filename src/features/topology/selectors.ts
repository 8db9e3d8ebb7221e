/**
 * The topology's subscriptions. Each returns a primitive or a reference the
 * store keeps stable, so a component re-renders only when its own piece changed.
 */
import type { ReactFlowState } from '@xyflow/react';
import type { RealtimeState } from '../../store/realtime.ts';
import type { SelectionState } from '../../store/selection.ts';

/** `edge-stats` replaces the edge's `stats` object; nothing else does. */
export const edgeStatsById = (id: string) => (state: RealtimeState) => state.edges[id]?.stats;

export const isSelected = (id: string) => (state: SelectionState) => state.selectedId === id;
export const touchesSelection = (source: string, target: string) => (state: SelectionState) =>
  state.selectedId !== null && (state.selectedId === source || state.selectedId === target);

/**
 * Below this zoom, text in the graph is too small to read: nodes draw as
 * coloured boxes and edges drop their labels, which at 500 nodes saves most
 * of the browser's layout and paint work.
 */
const DETAIL_MIN_ZOOM = 0.35;
/** A boolean, so a pan or a zoom that stays on one side of the threshold re-renders nothing. */
export const selectShowDetail = (state: ReactFlowState): boolean => state.transform[2] >= DETAIL_MIN_ZOOM;
