/**
 * The graph's controls: find, layout, groups, fit, animation, export.
 */
import { useCallback } from 'react';
import { useReactFlow } from '@xyflow/react';
import { useShown } from '../../store/shown.ts';
import { FindBox } from './find-box.tsx';
import { GroupsMenu } from './groups-menu.tsx';
import { downloadBlob } from '../../lib/download.ts';
import { exportFileName } from './export/file-name.ts';
import { exportViewPng } from './export/png.ts';
import { topologyToJson } from './export/topology-json.ts';
import type { GraphStructure } from './graph-structure.ts';
import type { XY } from './layout/layered.ts';
import { LAYOUT_ALGORITHMS, type LayoutAlgorithm } from './layout/protocol.ts';
import { useTopologyView } from './view-store.ts';

interface ToolbarProps {
  project: string;
  structure: GraphStructure;
  positions: ReadonlyMap<string, XY>;
  onResetLayout: () => void;
  layoutNote: string | null;
}

export function TopologyToolbar({ project, structure, positions, onResetLayout, layoutNote }: ToolbarProps) {
  const layout = useTopologyView((s) => s.params.layout);
  const autoFit = useTopologyView((s) => s.autoFit);
  const animate = useTopologyView((s) => s.animate);
  const animationStopped = useTopologyView((s) => s.animationStopped);
  const view = useTopologyView.getState;
  const { getViewport } = useReactFlow();

  const exportJson = useCallback(() => {
    const { nodes, edges } = useShown.getState();
    const json = topologyToJson({ project, nodes, edges, positions, exportedAt: Date.now(), layout });
    downloadBlob(exportFileName(project, 'json', new Date()), new Blob([json], { type: 'application/json' }));
  }, [project, positions, layout]);

  const exportPng = useCallback(async () => {
    const pane = document.querySelector<HTMLElement>('.topology .react-flow');
    const viewport = document.querySelector<HTMLElement>('.topology .react-flow__viewport');
    if (!pane || !viewport) return;
    const background = getComputedStyle(pane).backgroundColor || '#ffffff';
    try {
      const blob = await exportViewPng(viewport, { width: pane.clientWidth, height: pane.clientHeight, background, transform: getViewport() });
      downloadBlob(exportFileName(project, 'png', new Date()), blob);
    } catch (error) {
      console.error('meshwatch: PNG export failed', error);
    }
  }, [project, getViewport]);

  return (
    <div className="topology-toolbar" role="toolbar" aria-label="Graph controls">
      <FindBox />
      <label className="topology-toolbar__item">
        layout
        <select className="field" value={layout} onChange={(e) => view().setLayout(e.target.value as LayoutAlgorithm)}>
          {LAYOUT_ALGORITHMS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="button" onClick={onResetLayout} title="Forget dragged positions and lay out afresh">
        Reset layout
      </button>
      <button type="button" className="button" onClick={() => view().requestFit()}>
        Fit
      </button>
      <label className="topology-toolbar__item" title="Fit the whole graph after every change (wall screens)">
        <input type="checkbox" checked={autoFit} onChange={(e) => view().setAutoFit(e.target.checked)} /> auto-fit
      </label>
      <GroupsMenu structure={structure} />
      <label className="topology-toolbar__item" title="Moving dashes on edges with traffic; switched off by itself if frames get slow">
        <input type="checkbox" checked={animate} onChange={(e) => view().setAnimate(e.target.checked)} /> animate traffic
      </label>
      <span className="topology-toolbar__export">
        export
        <button type="button" className="button" onClick={() => void exportPng()}>
          PNG
        </button>
        <button type="button" className="button" onClick={exportJson}>
          JSON
        </button>
      </span>
      {(animationStopped || layoutNote) && (
        <span className="topology-toolbar__note" role="status">
          {animationStopped ?? layoutNote}
        </span>
      )}
    </div>
  );
}
