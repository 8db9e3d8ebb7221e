import { useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useShown } from '../../store/shown.ts';
import { selectWhileVisible } from '../../ui/select-while-visible.ts';
import type { RealtimeState } from '../../store/types.ts';
import { groupSeries, ownershipFrom, type PanelGroup } from './group-series.ts';

// The store replaces `charts` on every point; the sorted names, compared
// element by element, change only when a series comes or goes.
const selectSeriesNames = (state: RealtimeState): string[] => Object.keys(state.charts).sort();
const selectSeriesByNode = (state: RealtimeState) => state.seriesByNode;
/** Each owning node's pool (`group`, else `kind`); a Map compared entry by entry, so a status change does not count. */
const selectOwnerPools = (state: RealtimeState): Map<string, string> => {
  const pools = new Map<string, string>();
  for (const nodeId of Object.keys(state.seriesByNode)) {
    const node = state.nodes[nodeId];
    if (node) pools.set(nodeId, node.group ?? node.kind);
  }
  return pools;
};

const sameLines = (a: PanelGroup, b: PanelGroup) =>
  a.title === b.title &&
  a.lines.length === b.lines.length &&
  a.lines.every((line, i) => line.series === b.lines[i]!.series && line.label === b.lines[i]!.label) &&
  (a.nodeIds === null ? b.nodeIds === null : b.nodeIds !== null && a.nodeIds.join('\n') === b.nodeIds.join('\n'));

/**
 * The dashboard's panels, regrouped only when the set of series names, their
 * owners or the owners' pools change, and only while `visible` (a hidden
 * tab renders nothing, not even a new panel). A panel that comes out of a
 * regrouping unchanged keeps its object, so its (memoised) component does
 * not re-render.
 */
export function usePanelGroups(visible: boolean): readonly PanelGroup[] {
  const names = useShown(useShallow(useMemo(() => selectWhileVisible(selectSeriesNames, visible), [visible])));
  const seriesByNode = useShown(useMemo(() => selectWhileVisible(selectSeriesByNode, visible), [visible]));
  const pools = useShown(useShallow(useMemo(() => selectWhileVisible(selectOwnerPools, visible), [visible])));
  const previous = useRef(new Map<string, PanelGroup>());
  return useMemo(() => {
    const panels = groupSeries(names, ownershipFrom(seriesByNode, pools)).map((panel) => {
      const before = previous.current.get(panel.id);
      return before && sameLines(before, panel) ? before : panel;
    });
    previous.current = new Map(panels.map((panel) => [panel.id, panel]));
    return panels;
  }, [names, seriesByNode, pools]);
}
