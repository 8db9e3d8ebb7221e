/**
 * What the user has selected, kept apart from the realtime store: selecting a
 * node must not notify the thousands of listeners on mesh data, and mesh
 * updates must not touch the selection.
 */
import { create } from 'zustand';

export interface SelectionState {
  /** The selected mesh node's id, or null. It may name a node that has since left the mesh. */
  selectedId: string | null;
  /**
   * Bumped by every `focus`, never by `select`. The graph brings the selected
   * node into view when this changes, so asking again for the node already
   * selected (the user panned away since) still brings it back.
   */
  focusRequest: number;
  select: (id: string | null) => void;
  /** Selects `id` and asks the graph to bring it into view (an event's node, clicked in the feed). */
  focus: (id: string) => void;
}

export const useSelection = create<SelectionState>()((set) => ({
  selectedId: null,
  focusRequest: 0,
  select: (id) => set({ selectedId: id }),
  focus: (id) => set((state) => ({ selectedId: id, focusRequest: state.focusRequest + 1 })),
}));

export const selectSelectedId = (state: SelectionState): string | null => state.selectedId;
export const selectSelect = (state: SelectionState): SelectionState['select'] => state.select;
export const selectFocus = (state: SelectionState): SelectionState['focus'] => state.focus;
export const selectFocusRequest = (state: SelectionState): number => state.focusRequest;
