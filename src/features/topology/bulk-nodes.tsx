/**
 * Nodes drawn in bulk, zoomed out on a large graph.
 *
 * Even with nothing changing, React Flow keeps a wrapper, a measurement and
 * several store subscriptions per node: with 2,000 mounted, every frame of a
 * pan runs thousands of selectors and hit-tests thousands of boxes (about
 * 11 fps, measured). Zoomed out too far to read (where a node is a small
 * status box anyway) and past BULK_NODES_ABOVE drawn nodes, the graph hands
 * React Flow only the folded groups, the selected node and the keyboard's
 * node, and draws the rest here: one `<svg>`, one path of boxes and one of
 * shapes per status and find mark. Clicks are hit-tested by the view
 * (nodeAt). Zoom in and every node is a React Flow node again.
 */
import { memo, useMemo } from 'react';
import type { NodeStatus } from '../../protocol/mesh.ts';
import { useMeshNodes } from '../../store/mesh-nodes.ts';
import { useFindResult, type FindMark } from './find-store.ts';
import type { XY } from './layout/layered.ts';
import { NODE_SIZE } from './node-size.ts';
import { ViewportLayer } from './viewport-layer.tsx';

/** Past this many drawn nodes, zoomed out, nodes are drawn in bulk. */
export const BULK_NODES_ABOVE = 1_000;

const { width: W, height: H } = NODE_SIZE;
const R = 14;

/** The status's shape (StatusGlyph's, in outline), centred in a box at (x, y). */
function shape(status: NodeStatus, x: number, y: number): string {
  const cx = x + W / 2;
  const cy = y + H / 2;
  switch (status) {
    case 'healthy':
      return `M${cx - R} ${cy}a${R} ${R} 0 1 0 ${2 * R} 0a${R} ${R} 0 1 0 ${-2 * R} 0Z`;
    case 'degraded':
      return `M${cx} ${cy - R}L${cx + R} ${cy + R}H${cx - R}Z`;
    case 'down':
      return `M${cx - R} ${cy - R}L${cx + R} ${cy + R}M${cx + R} ${cy - R}L${cx - R} ${cy + R}`;
    case 'starting':
      return `M${cx} ${cy}V${cy - R}A${R} ${R} 0 0 1 ${cx + R} ${cy}Z`;
    case 'unknown':
      return `M${cx} ${cy - R}L${cx + R} ${cy}L${cx} ${cy + R}L${cx - R} ${cy}Z`;
  }
}

interface BulkNodesProps {
  ids: readonly string[];
  positions: ReadonlyMap<string, XY>;
}

export const BulkNodes = memo(function BulkNodes({ ids, positions }: BulkNodesProps) {
  const nodes = useMeshNodes((s) => s.nodes);
  const matches = useFindResult((s) => s.matches);
  const groups = useMemo(() => {
    const boxes = new Map<string, { status: NodeStatus; mark: FindMark; boxes: string[]; shapes: string[] }>();
    for (const id of ids) {
      const node = nodes[id];
      const p = positions.get(id);
      if (!node || !p) continue;
      const mark: FindMark = matches === null ? 'none' : matches.has(id) ? 'match' : 'miss';
      const key = `${node.status}|${mark}`;
      const group = boxes.get(key) ?? boxes.set(key, { status: node.status, mark, boxes: [], shapes: [] }).get(key)!;
      group.boxes.push(`M${p.x} ${p.y}h${W}v${H}h${-W}Z`);
      group.shapes.push(shape(node.status, p.x, p.y));
    }
    return [...boxes.values()];
  }, [ids, positions, nodes, matches]);

  return (
    <ViewportLayer>
      <svg className="bulk-nodes" aria-hidden="true" data-count={ids.length}>
        {groups.map((g) => (
          <g key={`${g.status}|${g.mark}`} data-status={g.status} data-find={g.mark === 'none' ? undefined : g.mark}>
            <path className="bulk-nodes__box" d={g.boxes.join('')} />
            <path className="bulk-nodes__shape" d={g.shapes.join('')} />
          </g>
        ))}
      </svg>
    </ViewportLayer>
  );
});

/** The bulk-drawn node under a point in graph coordinates, if any. */
export function nodeAt(point: XY, ids: readonly string[], positions: ReadonlyMap<string, XY>): string | null {
  for (let i = ids.length - 1; i >= 0; i--) {
    const p = positions.get(ids[i]!);
    if (p && point.x >= p.x && point.x <= p.x + W && point.y >= p.y && point.y <= p.y + H) return ids[i]!;
  }
  return null;
}
