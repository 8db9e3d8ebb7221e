import '@xyflow/react/dist/style.css';
import './topology.css';
import { Controls, MiniMap, Panel, ReactFlow, ReactFlowProvider, useReactFlow, useStore, useStoreApi, type ReactFlowState, type EdgeTypes, type NodeMouseHandler, type NodeTypes } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { selectFocusRequest, selectSelect, selectSelectedId, useSelection } from '../../store/selection.ts';
import { BULK_EDGES_ABOVE, BulkEdges } from './bulk-edges.tsx';
import { BULK_NODES_ABOVE, BulkNodes, nodeAt } from './bulk-nodes.tsx';
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
import { NODE_SIZE } from './node-size.ts';
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
const NO_IDS: readonly string[] = [];
/** The selected node's neighbours stay React Flow nodes in bulk drawing (its edges keep labels and arrows), up to this many. */
const MAX_KEPT_NEIGHBOURS = 100;
/** Bulk drawing starts below the first zoom and ends above the second (selectShowDetail's threshold is between). */
const selectFarOut = (s: ReactFlowState) => s.transform[2] < 0.33;
const selectNearIn = (s: ReactFlowState) => s.transform[2] > 0.37;
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
  const keyboardNode = useTopologyView((s) => s.keyboardTarget);
  // Zoomed out on a large graph, most nodes are drawn in bulk too (bulk-nodes.tsx); React Flow keeps
  // the folded groups, ghosts, the selected node and its neighbours, and the keyboard's node. With some
  // hysteresis, so a pinch hovering at the threshold does not switch back and forth.
  const detailed = useStore(selectShowDetail);
  const farOut = useStore(selectFarOut);
  const nearIn = useStore(selectNearIn);
  const zoomedOut = useRef(false);
  if (farOut) zoomedOut.current = true;
  else if (nearIn) zoomedOut.current = false;
  const bulkNodeMode = zoomedOut.current && nodes.length > BULK_NODES_ABOVE;
  // What React Flow keeps, by id: stable across the frames of a drag (which change `nodes` every frame).
  const membership = useMemo(() => nodes.map((n) => n.id).join('\n'), [nodes]);
  const keptIds = useMemo(() => {
    if (!bulkNodeMode) return null;
    const kept = new Set<string>();
    for (const n of nodes) if (n.type !== 'mesh') kept.add(n.id);
    if (keyboardNode) kept.add(keyboardNode);
    if (selectedId) {
      kept.add(selectedId);
      const around = [...(structure.successors.get(selectedId) ?? []), ...(structure.predecessors.get(selectedId) ?? [])];
      for (const id of around.slice(0, MAX_KEPT_NEIGHBOURS)) kept.add(id);
    }
    return kept;
    // `membership` stands for which nodes there are; positions do not matter here.
  }, [bulkNodeMode, membership, keyboardNode, selectedId, structure]);
  const bulkNodeIds = useMemo(() => (keptIds ? nodes.filter((n) => !keptIds.has(n.id)).map((n) => n.id) : NO_IDS), [keptIds, membership]);
  // Every render (a dragged node's object changes every frame), but only a filter.
  const flowNodes = keptIds ? nodes.filter((n) => keptIds.has(n.id)) : nodes;
  const bulk = edges.length > BULK_EDGES_ABOVE || bulkNodeMode;
  const { flowEdges, bulkEdges } = useMemo(() => {
    if (!bulk) return { flowEdges: edges, bulkEdges: NO_BULK_EDGES };
    const inFlow = (id: string) => keptIds === null || keptIds.has(id);
    // React Flow draws the selected node's edges (and ghosts), when both ends are its own nodes; the rest are drawn in bulk.
    const byFlow = (e: MeshFlowEdge) => inFlow(e.source) && inFlow(e.target) && (e.type !== 'mesh' || e.source === selectedId || e.target === selectedId);
    return {
      flowEdges: edges.filter(byFlow),
      bulkEdges: edges.filter((e): e is MeshEdgeFlowEdge => e.type === 'mesh' && !byFlow(e)),
    };
  }, [bulk, edges, keptIds, selectedId]);
  // Bulk edges and group boxes follow the layout and finished drags, not every frame of a drag: a dragged
  // node is selected, so its own edges are React Flow's and follow it (zoomed in; drawn in bulk, they wait for the drop).
  const select = useSelection(selectSelect);
  const endKeyboard = useTopologyView((s) => s.endKeyboard);
  const { getViewport, setCenter, screenToFlowPosition } = useReactFlow();
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
    const box = { ...position, ...NODE_SIZE };
    const viewport = getViewport();
    if (!overlapsPane(box, viewport, store.getState())) {
      void setCenter(box.x + NODE_SIZE.width / 2, box.y + NODE_SIZE.height / 2, { zoom: Math.max(viewport.zoom, 0.6), duration: 200 });
    }
  };

  // A click on the pane may land on a node drawn in bulk: it selects it, as a click on a card would.
  const bulkHit = useCallback(
    (event: { clientX: number; clientY: number }) =>
      bulkNodeIds.length === 0 ? null : nodeAt(screenToFlowPosition({ x: event.clientX, y: event.clientY }), bulkNodeIds, positions),
    [bulkNodeIds, positions, screenToFlowPosition],
  );
  const onPaneClick = useCallback((event: React.MouseEvent) => select(bulkHit(event)), [bulkHit, select]);
  const onCanvasDoubleClick = useCallback(
    (event: React.MouseEvent) => {
      // Only on the graph itself: not the controls, panels or React Flow's own nodes.
      const target = event.target instanceof Element ? event.target : null;
      if (!target?.closest('.react-flow__pane') || target.closest('.react-flow__node, .react-flow__panel, .react-flow__controls')) return;
      const id = bulkHit(event);
      if (id === null) return;
      select(id);
      useTopologyView.getState().requestFit([id, ...(structure.successors.get(id) ?? []), ...(structure.predecessors.get(id) ?? [])]);
    },
    [bulkHit, select, structure],
  );

  // A focus asked for elsewhere (an event clicked in the feed): the node, or the
  // folded group's box it is drawn in, and its neighbours fill the view.
  const focusRequest = useSelection(selectFocusRequest);
  const structureRef = useRef(structure);
  structureRef.current = structure;
  useEffect(() => {
    const id = useSelection.getState().selectedId;
    if (focusRequest === 0 || id === null) return;
    const current = structureRef.current;
    const drawn = current.graph.drawnAs.get(id);
    if (drawn === undefined) return;
    useTopologyView.getState().requestFit([drawn, ...(current.successors.get(drawn) ?? []), ...(current.predecessors.get(drawn) ?? [])]);
  }, [focusRequest]);

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
          onDoubleClick={onCanvasDoubleClick}
          aria-label="Topology graph. Arrow keys move between connected nodes, Enter opens a node's details or unfolds a group, Escape closes."
        >
          <ReactFlow
            nodes={flowNodes}
            edges={flowEdges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            onNodesChange={onNodesChange}
            onNodeDoubleClick={onNodeDoubleClick}
            onPaneClick={onPaneClick}
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
            {/* Zoomed out on a large graph, the graph itself is the overview (and the minimap would show only React Flow's few nodes). */}
            {!bulkNodeMode && <MiniMap nodeComponent={MiniMapMeshNode} pannable zoomable ariaLabel="Topology overview" />}
            <Controls showInteractive={false} showFitView={false} />
            <Panel position="top-left">
              <StatusLegend />
              <EdgeLegend />
            </Panel>
            <GroupFrames structure={structure} positions={positions} />
            {bulk && <BulkEdges edges={bulkEdges} positions={positions} />}
            {bulkNodeMode && <BulkNodes ids={bulkNodeIds} positions={positions} />}
            <FocusSelected />
            <FitController layoutSerial={layoutState.answers} positions={positions} drawn={nodes.length} />
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
