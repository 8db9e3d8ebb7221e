/**
 * What the user has selected, kept apart from the realtime store: selecting a
 * node must not notify the thousands of listeners on mesh data, and mesh
 * updates must not touch the selection.
 */
import { create } from 'zustand';

export interface SelectionState {
  /** The selected mesh node's id, or null. It may name a node that has since left the mesh. */
  selectedId: string | null;
  select: (id: string | null) => void;
}

export const useSelection = create<SelectionState>()((set) => ({
  selectedId: null,
  select: (id) => set({ selectedId: id }),
}));

export const selectSelectedId = (state: SelectionState): string | null => state.selectedId;
export const selectSelect = (state: SelectionState): SelectionState['select'] => state.select;
