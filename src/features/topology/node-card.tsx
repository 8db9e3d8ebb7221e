import { Handle, Position } from '@xyflow/react';
import type { MeshNode } from '../../protocol/mesh.ts';
import { KindIcon } from '../../ui/kind-icon.tsx';
import { StatusGlyph } from '../../ui/status-glyph.tsx';
import { DEFAULT_LAYOUT_OPTIONS } from './layout/layered.ts';

/** The size the layout reserves for a node; the card is drawn exactly this size. */
const SIZE = { width: DEFAULT_LAYOUT_OPTIONS.nodeWidth, height: DEFAULT_LAYOUT_OPTIONS.nodeHeight };

interface NodeCardProps {
  node: MeshNode;
  selected: boolean;
  /** Zoomed too far out to read: a box in the status colour with its glyph, and no text. */
  compact?: boolean;
}

/** How one mesh node looks in the graph. */
export function NodeCard({ node, selected, compact = false }: NodeCardProps) {
  return (
    <div
      className="mesh-node"
      data-status={node.status}
      data-selected={selected || undefined}
      data-compact={compact || undefined}
      style={SIZE}
      title={`${node.label} (${node.kind}) · ${node.status}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      {compact ? (
        <StatusGlyph status={node.status} size={28} />
      ) : (
        <>
          <div className="mesh-node__title">
            <KindIcon kind={node.kind} />
            <span className="mesh-node__label">{node.label || node.id}</span>
          </div>
          <div className="mesh-node__status">
            <StatusGlyph status={node.status} size={12} />
            <span>{node.status}</span>
            <span className="mesh-node__kind">{node.kind}</span>
          </div>
        </>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}
