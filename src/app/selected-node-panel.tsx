import { useCallback } from 'react';
import { NodeSeries } from '../features/charts/node-series.tsx';
import { NodeDetails } from '../features/node-details/node-details.tsx';
import { NodeLogs } from '../features/logs/node-logs.tsx';
import { selectSelect, selectSelectedId, useSelection } from '../store/selection.ts';

/** The selected node's details, its own metrics and its live log; nothing when no node is selected. */
export function SelectedNodePanel() {
  const selectedId = useSelection(selectSelectedId);
  const select = useSelection(selectSelect);
  const close = useCallback(() => select(null), [select]);
  if (selectedId === null) return null;
  return (
    <section className="selected-node" aria-label="Selected node">
      <NodeDetails nodeId={selectedId} onClose={close} />
      <NodeSeries nodeId={selectedId} />
      {/* Keyed so the log's filter and scroll start afresh for each node. */}
      <NodeLogs key={selectedId} nodeId={selectedId} />
    </section>
  );
}
