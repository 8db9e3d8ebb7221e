/**
 * The shown state's `nodes` (the realtime store's while live), as a store of its own that notifies only when the
 * nodes change. Thousands of graph components read nodes; subscribed to the
 * realtime store, each of their selectors would run on every applied batch
 * (60 a second under load), although nodes change far more rarely than edge
 * stats, chart points and log lines. Here they run only when a node changed.
 */
import { create } from 'zustand';
import { type RealtimeState } from './realtime.ts';
import { useShown } from './shown.ts';

export interface MeshNodesState {
  nodes: RealtimeState['nodes'];
}

export const useMeshNodes = create<MeshNodesState>()(() => ({ nodes: useShown.getState().nodes }));

const unsubscribe = useShown.subscribe((state, previous) => {
  if (state.nodes !== previous.nodes) useMeshNodes.setState({ nodes: state.nodes });
});
// A module replaced in development (Vite's hot reload) leaves no second subscription behind.
import.meta.hot?.dispose(unsubscribe);

export const meshNodeById = (id: string) => (state: MeshNodesState) => state.nodes[id];
export const meshNodeStatusById = (id: string) => (state: MeshNodesState) => state.nodes[id]?.status;
