/**
 * Edges drawn in bulk, for graphs too large for one React Flow edge each.
 *
 * React Flow draws every edge as its own `<svg>`; at 7,000 edges the browser
 * spends most of each frame compositing them (over 80 ms a frame, measured
 * in headless Chromium), even when none changed. Past BULK_EDGES_ABOVE drawn
 * edges the graph draws them here instead: one `<svg>` under the nodes, one
 * `<path>` per look (health, width step, traffic or not), each holding every
 * edge of that look as a sub-path. Looks are read from the store at most four
 * times a second. What bulk edges lack: labels, arrowheads, glows and hover;
 * the selected node's edges are drawn by React Flow as usual, with all of it.
 */
import { memo, useEffect, useMemo, useState } from 'react';
import { Position, getBezierPath } from '@xyflow/react';
import { ViewportLayer } from './viewport-layer.tsx';
import { type RealtimeState } from '../../store/realtime.ts';
import { useShown } from '../../store/shown.ts';
import { edgeLook, parseLook } from './edge-look.ts';
import { sumStats } from './live-metrics.ts';
import type { XY } from './layout/layered.ts';
import { NODE_SIZE } from './node-size.ts';
import type { MeshEdgeFlowEdge } from './use-flow-graph.ts';
import { useTopologyView } from './view-store.ts';

/** Past this many drawn edges, they are drawn in bulk. */
export const BULK_EDGES_ABOVE = 1_500;
const LOOK_REFRESH_MS = 250;

function looksOf(state: Pick<RealtimeState, 'edges'>, edges: readonly MeshEdgeFlowEdge[]): string[] {
  return edges.map((edge) => {
    const members = edge.data!.members;
    const single = members.length === 1 && members[0] === edge.id;
    return edgeLook(single ? state.edges[edge.id]?.stats : sumStats(state.edges, members));
  });
}

/**
 * Each edge's look, in the order of `edges`, refreshed at most every
 * LOOK_REFRESH_MS while the store changes. A new list of edges gets its looks
 * in the same render, so no edge ever shows another's colour.
 */
function useLooks(edges: readonly MeshEdgeFlowEdge[]): string[] {
  const [state, setState] = useState(() => ({ edges, looks: looksOf(useShown.getState(), edges) }));
  let current = state;
  if (state.edges !== edges) {
    current = { edges, looks: looksOf(useShown.getState(), edges) };
    setState(current);
  }
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const refresh = () => {
      timer = null;
      const next = looksOf(useShown.getState(), edges);
      setState((previous) =>
        previous.edges === edges && previous.looks.length === next.length && previous.looks.every((look, i) => look === next[i])
          ? previous
          : { edges, looks: next },
      );
    };
    const stop = useShown.subscribe(() => {
      timer ??= setTimeout(refresh, LOOK_REFRESH_MS);
    });
    return () => {
      stop();
      if (timer) clearTimeout(timer);
    };
  }, [edges]);
  return current.looks;
}

/** The same curve React Flow draws, from the right side of the source's card to the left side of the target's. */
export function bulkEdgePath(source: XY, target: XY): string {
  const [path] = getBezierPath({
    sourceX: source.x + NODE_SIZE.width,
    sourceY: source.y + NODE_SIZE.height / 2,
    sourcePosition: Position.Right,
    targetX: target.x,
    targetY: target.y + NODE_SIZE.height / 2,
    targetPosition: Position.Left,
  });
  return path;
}

interface BulkEdgesProps {
  edges: readonly MeshEdgeFlowEdge[];
  /** Where each drawn node is: the layout's positions and finished drags. */
  positions: ReadonlyMap<string, XY>;
}

export const BulkEdges = memo(function BulkEdges({ edges, positions }: BulkEdgesProps) {
  const looks = useLooks(edges);
  const animate = useTopologyView((s) => s.animate);
  const paths = useMemo(() => edges.map((edge) => {
    const source = positions.get(edge.source);
    const target = positions.get(edge.target);
    return source && target ? bulkEdgePath(source, target) : '';
  }), [edges, positions]);
  const groups = useMemo(() => {
    const byLook = new Map<string, string[]>();
    paths.forEach((d, i) => {
      if (d === '') return;
      const look = looks[i] ?? '';
      (byLook.get(look) ?? byLook.set(look, []).get(look)!).push(d);
    });
    return [...byLook].map(([look, ds]) => ({ look: parseLook(look), key: look, d: ds.join(' ') }));
  }, [paths, looks]);

  return (
    <ViewportLayer>
      <svg className="bulk-edges" aria-hidden="true">
        {groups.map(({ key, look, d }) => (
          <path
            key={key}
            className={`react-flow__edge-path mesh-edge mesh-edge--${look.health}${animate && look.flowing ? ' mesh-edge--moving' : ''}`}
            d={d}
            style={{ strokeWidth: look.width }}
          />
        ))}
      </svg>
    </ViewportLayer>
  );
});
