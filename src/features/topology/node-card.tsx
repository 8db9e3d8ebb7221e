import { Handle, Position } from '@xyflow/react';
import type { KeyboardEvent, RefObject } from 'react';
import type { MeshNode } from '../../protocol/mesh.ts';
import { KindIcon } from '../../ui/kind-icon.tsx';
import { StatusGlyph } from '../../ui/status-glyph.tsx';
import type { FindMark } from './find-store.ts';
import { NODE_SIZE } from './node-size.ts';

/** The status shapes of StatusGlyph as characters: healthy ●, degraded ▲, down ✕, starting ◔, unknown ◇. */
const STATUS_CHARACTERS: Record<MeshNode['status'], string> = {
  healthy: '\u25CF',
  degraded: '\u25B2',
  down: '\u2715',
  starting: '\u25D4',
  unknown: '\u25C7',
};

/** What makes a card reachable by keyboard and speakable. */
export interface CardFocus {
  ref: RefObject<HTMLDivElement | null>;
  tabIndex: number;
  onKeyDown: (event: KeyboardEvent) => void;
  onFocus: () => void;
  /** Spoken name: label, kind, status (and live numbers while focused). */
  label: string;
}

interface NodeCardProps {
  node: MeshNode;
  selected: boolean;
  /** Zoomed too far out to read: a box in the status colour with its glyph, and no text. */
  compact?: boolean;
  /** What the find expression says of this node. */
  mark?: FindMark;
  /** 0: none; 1 or 2: glowing (alternates so back-to-back changes restart it). */
  glow?: 0 | 1 | 2;
  focus?: CardFocus;
}

/** How one mesh node looks in the graph. */
export function NodeCard({ node, selected, compact = false, mark = 'none', glow = 0, focus }: NodeCardProps) {
  return (
    <div
      ref={focus?.ref}
      className="mesh-node"
      data-status={node.status}
      data-selected={selected || undefined}
      data-compact={compact || undefined}
      data-find={mark === 'none' ? undefined : mark}
      data-glow={glow || undefined}
      style={NODE_SIZE}
      title={`${node.label} (${node.kind}) · ${node.status}`}
      role="button"
      aria-pressed={selected}
      aria-label={focus?.label}
      tabIndex={focus?.tabIndex}
      onKeyDown={focus?.onKeyDown}
      onFocus={focus?.onFocus}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      {compact ? (
        // A character, not the glyph's SVG: zoomed out, 2,000 inline SVGs cost the browser more to paint than everything else in the graph.
        <span className="mesh-node__glyph" aria-hidden="true">
          {STATUS_CHARACTERS[node.status]}
        </span>
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
