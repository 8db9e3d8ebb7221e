/**
 * How the user looks at the graph, apart from the mesh itself: the find
 * expression and what it does, the layout, which groups are folded, fit and
 * animation choices. The parts worth sharing live in the URL (view-params.ts);
 * the rest are this tab's.
 */
import { create } from 'zustand';
import { DEFAULT_VIEW_PARAMS, type FindMode, type ViewParams } from './view-params.ts';
import type { LayoutAlgorithm } from './layout/protocol.ts';

export interface TopologyViewState {
  params: ViewParams;
  /** Fit the whole graph again after every layout (wall screens). */
  autoFit: boolean;
  /** Dashes moving along edges with traffic. Off by default: it costs every frame. */
  animate: boolean;
  /** Why animation was switched off for the user, if it was. */
  animationStopped: string | null;
  /** Bumped to ask the graph to fit these node ids (all when empty). */
  fitRequest: { ids: readonly string[]; serial: number };
  /** The drawn node that holds the graph's one tab stop (and takes focus once drawn, while the keyboard is in use). */
  keyboardTarget: string | null;
  /** The user is moving through the graph with the keyboard: a target that mounts takes focus. A pointer in the graph ends it. */
  keyboardActive: boolean;

  setParams: (params: ViewParams) => void;
  setFind: (find: string) => void;
  setMode: (mode: FindMode) => void;
  setLayout: (layout: LayoutAlgorithm) => void;
  /** Folds or unfolds one group, overriding the automatic choice. */
  setGroupCollapsed: (group: string, collapsed: boolean) => void;
  expandAll: () => void;
  /** Back to the automatic choice: big groups folded when the mesh is large. */
  automaticGroups: () => void;
  setAutoFit: (on: boolean) => void;
  setAnimate: (on: boolean) => void;
  stopAnimation: (reason: string) => void;
  requestFit: (ids?: readonly string[]) => void;
  /** `fromKeyboard` (default true) says the keyboard moved there, so the node takes focus once drawn. */
  setKeyboardTarget: (id: string | null, fromKeyboard?: boolean) => void;
  endKeyboard: () => void;
}

const without = (list: readonly string[], item: string) => list.filter((entry) => entry !== item);

export const useTopologyView = create<TopologyViewState>()((set) => ({
  params: DEFAULT_VIEW_PARAMS,
  autoFit: false,
  animate: false,
  animationStopped: null,
  fitRequest: { ids: [], serial: 0 },
  keyboardTarget: null,
  keyboardActive: false,

  setParams: (params) => set({ params }),
  setFind: (find) => set((s) => ({ params: { ...s.params, find } })),
  setMode: (mode) => set((s) => ({ params: { ...s.params, mode } })),
  setLayout: (layout) => set((s) => ({ params: { ...s.params, layout } })),
  setGroupCollapsed: (group, collapsed) =>
    set((s) => {
      const { expanded, collapsed: folded } = s.params;
      return {
        params: {
          ...s.params,
          expanded: collapsed ? without(expanded, group) : expanded.includes('*') ? expanded : [...without(expanded, group), group],
          collapsed: collapsed ? [...without(folded, group), group] : without(folded, group),
        },
      };
    }),
  expandAll: () => set((s) => ({ params: { ...s.params, expanded: ['*'], collapsed: [] } })),
  automaticGroups: () => set((s) => ({ params: { ...s.params, expanded: [], collapsed: [] } })),
  setAutoFit: (autoFit) => set({ autoFit }),
  setAnimate: (animate) => set({ animate, animationStopped: null }),
  stopAnimation: (reason) => set({ animate: false, animationStopped: reason }),
  requestFit: (ids = []) => set((s) => ({ fitRequest: { ids, serial: s.fitRequest.serial + 1 } })),
  setKeyboardTarget: (keyboardTarget, fromKeyboard = true) => set(fromKeyboard ? { keyboardTarget, keyboardActive: true } : { keyboardTarget }),
  endKeyboard: () => set((s) => (s.keyboardActive ? { keyboardActive: false } : s)),
}));

export const selectLayout = (s: TopologyViewState) => s.params.layout;
export const selectCollapseChoice = (s: TopologyViewState) => s.params.expanded.join('\n') + '\u0000' + s.params.collapsed.join('\n');
