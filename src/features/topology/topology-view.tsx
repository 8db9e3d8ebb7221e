import '@xyflow/react/dist/style.css';
import './topology.css';
import { Controls, MiniMap, Panel, ReactFlow, type EdgeTypes, type NodeTypes } from '@xyflow/react';
import { useCallback } from 'react';
import { selectSelect, useSelection } from '../../store/selection.ts';
import { FocusSelected } from './focus-selected.tsx';
import { MeshEdgeView } from './mesh-edge.tsx';
import { MeshNodeView } from './mesh-node.tsx';
import { MiniMapMeshNode } from './minimap-node.tsx';
import { StatusLegend } from './status-legend.tsx';
import { useFlowGraph } from './use-flow-graph.ts';

// Module constants: React Flow remounts every node when these change identity.
const nodeTypes: NodeTypes = { mesh: MeshNodeView };
const edgeTypes: EdgeTypes = { mesh: MeshEdgeView };
const FIT_VIEW_OPTIONS = { padding: 0.1, maxZoom: 1.1 };
/** Past this many nodes, only what is in the viewport is mounted. */
const LARGE_MESH_NODES = 150;

/** The mesh as a graph: nodes coloured and shaped by status, edges labelled with throughput. */
export function TopologyView() {
  const { nodes, edges, onNodesChange } = useFlowGraph();
  const select = useSelection(selectSelect);
  const clearSelection = useCallback(() => select(null), [select]);

  return (
    <div className="topology">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onPaneClick={clearSelection}
        fitView
        fitViewOptions={FIT_VIEW_OPTIONS}
        minZoom={0.05}
        maxZoom={2}
        nodesConnectable={false}
        edgesFocusable={false}
        deleteKeyCode={null}
        onlyRenderVisibleElements={nodes.length > LARGE_MESH_NODES}
        colorMode="system"
        aria-label="Topology graph"
      >
        <MiniMap nodeComponent={MiniMapMeshNode} pannable zoomable ariaLabel="Topology overview" />
        <Controls showInteractive={false} />
        <Panel position="top-left">
          <StatusLegend />
        </Panel>
        <FocusSelected />
      </ReactFlow>
      {nodes.length === 0 && <p className="topology__empty">Waiting for the mesh…</p>}
    </div>
  );
}
