/**
 * Unfolded groups drawn as boxes around their members, each with its name,
 * size, status counts and a button to fold it again: "collapsible boxes".
 * Only where the members form a block of their own (a pool in the layered
 * layout, any group in the grid): a box that would enclose other nodes (the
 * core services of one group spread over several ranks) is left out rather
 * than drawn across the graph.
 */
import { memo, useMemo } from 'react';
import { ViewportLayer } from './viewport-layer.tsx';
import { useMeshNodes } from '../../store/mesh-nodes.ts';
import type { GraphStructure } from './graph-structure.ts';
import { GroupStatusCounts } from './group-status-counts.tsx';
import type { XY } from './layout/layered.ts';
import { groupStatusSelector } from './live-metrics.ts';
import { NODE_SIZE } from './node-size.ts';
import { useTopologyView } from './view-store.ts';
import { groupNodeId } from './visible-graph.ts';

const PADDING = 14;
const HEADER = 26;

export interface GroupFrame {
  name: string;
  members: readonly string[];
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The frames worth drawing: unfolded groups whose members' bounding box holds no other drawn node. */
export function groupFrames(structure: GraphStructure, positions: ReadonlyMap<string, XY>): GroupFrame[] {
  const frames: GroupFrame[] = [];
  for (const group of structure.graph.groups.values()) {
    if (group.collapsed) continue;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    let placed = 0;
    for (const id of group.members) {
      const p = positions.get(id);
      if (!p) continue;
      placed++;
      minX = Math.min(minX, p.x);
      minY = Math.min(minY, p.y);
      maxX = Math.max(maxX, p.x + NODE_SIZE.width);
      maxY = Math.max(maxY, p.y + NODE_SIZE.height);
    }
    if (placed < 2) continue;
    const members = new Set(group.members);
    let intruded = false;
    for (const [id, p] of positions) {
      if (members.has(id) || !structure.graph.drawnAs.has(id) && !structure.graph.boxes.has(id)) continue;
      const cx = p.x + NODE_SIZE.width / 2;
      const cy = p.y + NODE_SIZE.height / 2;
      if (cx > minX - PADDING && cx < maxX + PADDING && cy > minY - PADDING - HEADER && cy < maxY + PADDING) {
        intruded = true;
        break;
      }
    }
    if (intruded) continue;
    frames.push({
      name: group.name,
      members: group.members,
      x: minX - PADDING,
      y: minY - PADDING - HEADER,
      width: maxX - minX + PADDING * 2,
      height: maxY - minY + PADDING * 2 + HEADER,
    });
  }
  return frames;
}

const Frame = memo(function Frame({ frame }: { frame: GroupFrame }) {
  const summary = useMeshNodes(useMemo(() => groupStatusSelector(frame.members), [frame.members]));
  const fold = (event: React.MouseEvent<HTMLButtonElement>) => {
    const view = useTopologyView.getState();
    // Folded from the keyboard, the button goes away under the focus: the group's box takes it once drawn.
    if (document.activeElement === event.currentTarget && event.detail === 0) view.setKeyboardTarget(groupNodeId(frame.name));
    view.setGroupCollapsed(frame.name, true);
  };
  return (
    <div
      className="group-frame"
      data-status={summary.worst}
      style={{ transform: `translate(${frame.x}px, ${frame.y}px)`, width: frame.width, height: frame.height }}
    >
      <div className="group-frame__header">
        <span className="group-frame__name">{frame.name}</span>
        <span className="group-frame__count">× {summary.present}</span>
        <GroupStatusCounts counts={summary.counts} omit="healthy" />
        <button type="button" className="group-button group-frame__fold nodrag nopan" onClick={fold} aria-label={`Fold ${frame.name}`} title="Fold into one box">
          −
        </button>
      </div>
    </div>
  );
});

export const GroupFrames = memo(function GroupFrames({ structure, positions }: { structure: GraphStructure; positions: ReadonlyMap<string, XY> }) {
  const frames = useMemo(() => groupFrames(structure, positions), [structure, positions]);
  if (frames.length === 0) return null;
  return (
    <ViewportLayer>
      <div className="group-frames">
        {frames.map((frame) => (
          <Frame key={frame.name} frame={frame} />
        ))}
      </div>
    </ViewportLayer>
  );
});
