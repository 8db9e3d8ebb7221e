import { memo } from 'react';
import { BaseEdge, getBezierPath, type EdgeProps, type NodeProps } from '@xyflow/react';
import { NODE_SIZE } from './node-size.ts';
import type { GhostFlowEdge, GhostFlowNode } from './use-flow-graph.ts';

/** A node that just left the mesh, fading out where it was, so the eye catches what went. */
export const GhostNodeView = memo(function GhostNodeView({ data }: NodeProps<GhostFlowNode>) {
  return (
    <div className="mesh-node mesh-node--ghost" style={NODE_SIZE} aria-hidden="true">
      <span className="mesh-node__label">{data.label}</span>
    </div>
  );
});

/** An edge that just went away, fading out. */
export const GhostEdgeView = memo(function GhostEdgeView(props: EdgeProps<GhostFlowEdge>) {
  const [path] = getBezierPath(props);
  return <BaseEdge id={props.id} path={path} className="mesh-edge mesh-edge--ghost" />;
});
