import '@xyflow/react/dist/style.css';
import './topology.css';
import { Controls, MiniMap, Panel, ReactFlow, ReactFlowProvider, useReactFlow, useStore, useStoreApi, type EdgeTypes, type NodeMouseHandler, type NodeTypes } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { selectSelect, selectSelectedId, useSelection } from '../../store/selection.ts';
import { BULK_EDGES_ABOVE, BulkEdges } from './bulk-edges.tsx';
import { AnimationGuard } from './animation-guard.tsx';
import { FindRunner } from './find-runner.tsx';
import { FitController } from './fit-controller.tsx';
import { FocusSelected, overlapsPane } from './focus-selected.tsx';
import { GhostEdgeView, GhostNodeView } from './ghost-node.tsx';
import { DetailContext, GraphHandleContext, type GraphHandle } from './graph-context.ts';
import { GroupFrames } from './group-frames.tsx';
import { GroupNodeView } from './group-node.tsx';
import { HealthAnnouncements } from './health-announcements.tsx';
import { MeshEdgeView } from './mesh-edge.tsx';
import { MeshNodeView } from './mesh-node.tsx';
import { MiniMapMeshNode } from './minimap-node.tsx';
import { EdgeLegend, StatusLegend } from './status-legend.tsx';
import { TopologyToolbar } from './topology-toolbar.tsx';
import { UrlSync } from './url-sync.tsx';
import { selectShowDetail } from './selectors.ts';
import { useFlowGraph, type MeshEdgeFlowEdge, type MeshFlowEdge, type MeshFlowNode } from './use-flow-graph.ts';
import { useTopologyView } from './view-store.ts';

// Module constants: React Flow remounts every node when these change identity.
const nodeTypes: NodeTypes = { mesh: MeshNodeView, meshGroup: GroupNodeView, ghost: GhostNodeView };
const edgeTypes: EdgeTypes = { mesh: MeshEdgeView, ghost: GhostEdgeView };
const PRO_OPTIONS = { hideAttribution: false };
const NO_BULK_EDGES: MeshEdgeFlowEdge[] = [];
/** Past this many nodes, only what is in the viewport is mounted (when zoomed in enough to read them). */
const LARGE_MESH_NODES = 150;

/** Focuses a drawn node's card, if it is mounted. */
function focusCard(id: string): void {
  for (const wrapper of document.querySelectorAll<HTMLElement>('.topology .react-flow__node')) {
    if (wrapper.dataset.id === id) wrapper.querySelector<HTMLElement>('[role="button"]')?.focus({ preventScroll: true });
  }
}

/** The mesh as a graph: nodes coloured and shaped by status, edges labelled with their traffic. */
export function TopologyView({ project }: { project: string }) {
  return (
    <ReactFlowProvider>
      <UrlSync />
      <TopologyGraph project={project} />
    </ReactFlowProvider>
  );
}

function TopologyGraph({ project }: { project: string }) {
  const { nodes, edges, onNodesChange, structure, resetLayout, positions, layoutState } = useFlowGraph(project);
  // Thousands of edges are drawn in bulk, except the selected node's, which React Flow draws with labels and arrows.
  const selectedId = useSelection(selectSelectedId);
  const bulk = edges.length > BULK_EDGES_ABOVE;
  const { flowEdges, bulkEdges } = useMemo(() => {
    if (!bulk) return { flowEdges: edges, bulkEdges: NO_BULK_EDGES };
    const touches = (e: MeshFlowEdge) => e.source === selectedId || e.target === selectedId;
    return {
      flowEdges: edges.filter((e) => e.type !== 'mesh' || touches(e)),
      bulkEdges: edges.filter((e): e is MeshEdgeFlowEdge => e.type === 'mesh' && !touches(e)),
    };
  }, [bulk, edges, selectedId]);
  // Bulk edges and group boxes follow the layout and finished drags, not every frame of a drag: a dragged
  // node is selected, so its own edges are React Flow's and follow it.
  const select = useSelection(selectSelect);
  const clearSelection = useCallback(() => select(null), [select]);
  const endKeyboard = useTopologyView((s) => s.endKeyboard);
  // Zoomed out, every node is a small box and most are on screen anyway: all stay mounted, so a pan
  // moves one picture instead of mounting and unmounting hundreds of nodes at the edges every frame.
  const detailed = useStore(selectShowDetail);
  const { getViewport, setCenter } = useReactFlow();
  const store = useStoreApi();

  // Read by node components in their key handlers only: refreshed every render, never a reason to re-render them.
  const handle = useRef<GraphHandle>({ current: { successors: new Map(), predecessors: new Map(), positions: new Map(), drawn: new Set(), inbound: new Map(), outbound: new Map() }, reveal: () => {} }).current;
  handle.current = useMemo(
    () => ({
      successors: structure.successors,
      predecessors: structure.predecessors,
      positions,
      drawn: new Set(nodes.filter((n) => n.type !== 'ghost').map((n) => n.id)),
      inbound: structure.inbound,
      outbound: structure.outbound,
    }),
    [structure, positions, nodes],
  );
  handle.reveal = (id: string) => {
    const position = handle.current.positions.get(id);
    if (!position) return;
    const box = { ...position, width: 180, height: 56 };
    const viewport = getViewport();
    if (!overlapsPane(box, viewport, store.getState())) void setCenter(box.x + 90, box.y + 28, { zoom: Math.max(viewport.zoom, 0.6), duration: 200 });
  };

  // Double-click: the node and its neighbours fill the view; a folded group unfolds (its own handler).
  const onNodeDoubleClick = useCallback<NodeMouseHandler<MeshFlowNode>>(
    (_, node) => {
      if (node.type !== 'mesh') return;
      select(node.id);
      const around = [node.id, ...(structure.successors.get(node.id) ?? []), ...(structure.predecessors.get(node.id) ?? [])];
      useTopologyView.getState().requestFit(around);
    },
    [select, structure],
  );

  // A press in the graph focuses the canvas too (it is focusable): that is the mouse, not the keyboard arriving.
  const pressedAt = useRef(0);
  const onGraphPointerDown = useCallback(() => {
    pressedAt.current = performance.now();
    endKeyboard();
  }, [endKeyboard]);

  // Tabbing into the graph lands on the selected node, or the first one.
  const onGraphFocus = useCallback(
    (event: React.FocusEvent) => {
      if (event.target !== event.currentTarget) return;
      // Shift+Tab from a node inside, or a focus that came with a press: let it be.
      if (event.relatedTarget instanceof Node && event.currentTarget.contains(event.relatedTarget)) return;
      if (performance.now() - pressedAt.current < 500) return;
      const view = useTopologyView.getState();
      const selected = useSelection.getState().selectedId;
      const target = [view.keyboardTarget, selected].find((id) => id && handle.current.drawn.has(id)) ?? nodes.find((n) => n.type !== 'ghost')?.id;
      if (!target) return;
      handle.reveal(target);
      view.setKeyboardTarget(target);
      // Already the target (so no effect runs) and drawn: focus it here.
      focusCard(target);
    },
    [handle, nodes],
  );

  // Focus gone elsewhere (the panel, the feed): the keyboard is no longer moving through the graph.
  const onGraphBlur = useCallback(
    (event: React.FocusEvent) => {
      if (!(event.relatedTarget instanceof Node && event.currentTarget.contains(event.relatedTarget))) endKeyboard();
    },
    [endKeyboard],
  );

  // The keyboard's target was not drawn when it was chosen (a group just unfolded, a node off screen): bring it into view once it is.
  const keyboardTarget = useTopologyView((s) => (s.keyboardActive ? s.keyboardTarget : null));
  useEffect(() => {
    if (keyboardTarget && handle.current.drawn.has(keyboardTarget) && !document.activeElement?.closest('.topology')) handle.reveal(keyboardTarget);
  }, [keyboardTarget, nodes, handle]);

  const layoutNote = layoutState.pending && nodes.length === 0 && structure.graph.nodeIds.length > 0
    ? `Laying out ${structure.graph.nodeIds.length.toLocaleString('en')} nodes…`
    : null;

  return (
    <GraphHandleContext value={handle}>
      <DetailContext value={detailed}>
      <div className="topology">
        <TopologyToolbar project={project} structure={structure} positions={positions} onResetLayout={resetLayout} layoutNote={layoutNote} />
        <div
          className="topology__canvas"
          tabIndex={0}
          onFocus={onGraphFocus}
          onBlur={onGraphBlur}
          onPointerDown={onGraphPointerDown}
          aria-label="Topology graph. Arrow keys move between connected nodes, Enter opens a node's details or unfolds a group, Escape closes."
        >
          <ReactFlow
            nodes={nodes}
            edges={flowEdges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            onNodesChange={onNodesChange}
            onNodeDoubleClick={onNodeDoubleClick}
            onPaneClick={clearSelection}
            zoomOnDoubleClick={false}
            minZoom={0.03}
            maxZoom={2}
            nodesConnectable={false}
            nodesFocusable={false}
            edgesFocusable={false}
            disableKeyboardA11y
            deleteKeyCode={null}
            onlyRenderVisibleElements={nodes.length > LARGE_MESH_NODES && detailed}
            colorMode="system"
            proOptions={PRO_OPTIONS}
            aria-label="Topology graph"
          >
            <MiniMap nodeComponent={MiniMapMeshNode} pannable zoomable ariaLabel="Topology overview" />
            <Controls showInteractive={false} showFitView={false} />
            <Panel position="top-left">
              <StatusLegend />
              <EdgeLegend />
            </Panel>
            <GroupFrames structure={structure} positions={positions} />
            {bulk && <BulkEdges edges={bulkEdges} positions={positions} />}
            <FocusSelected />
            <FitController layoutSerial={layoutState.answers} />
          </ReactFlow>
          {nodes.length === 0 && <p className="topology__empty">{layoutNote ?? 'Waiting for the mesh…'}</p>}
        </div>
        <FindRunner structure={structure} />
        <AnimationGuard />
        <HealthAnnouncements />
      </div>
      </DetailContext>
    </GraphHandleContext>
  );
}
