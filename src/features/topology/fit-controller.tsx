/**
 * Fits the view on request only (the Fit button, a focus, a find in focus
 * mode), and after every layout when auto-fit is on (wall screens). The first
 * drawing of a mesh is fitted once; after that the user's pan and zoom stay.
 *
 * Bounds come from the drawn positions, not React Flow's nodes: zoomed out on
 * a large graph most nodes are drawn in bulk and React Flow holds only a few.
 */
import { useEffect, useRef } from 'react';
import { getViewportForBounds, useReactFlow, useStoreApi } from '@xyflow/react';
import type { XY } from './layout/layered.ts';
import { NODE_SIZE } from './node-size.ts';
import { useTopologyView } from './view-store.ts';

const FIT = { padding: 0.1, duration: 250 } as const;
/** Never closer than this, so a fit to one node still shows where it is. */
const FIT_MAX_ZOOM = 1.1;

/** The box around `ids` (every drawn node when empty), or null when none has a position. */
export function boundsOf(ids: readonly string[], positions: ReadonlyMap<string, XY>): { x: number; y: number; width: number; height: number } | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const add = (p: XY | undefined) => {
    if (!p) return;
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x + NODE_SIZE.width);
    maxY = Math.max(maxY, p.y + NODE_SIZE.height);
  };
  if (ids.length > 0) for (const id of ids) add(positions.get(id));
  else for (const p of positions.values()) add(p);
  return minX === Infinity ? null : { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

export function FitController({ layoutSerial, positions, drawn }: { layoutSerial: number; positions: ReadonlyMap<string, XY>; drawn: number }) {
  const { setViewport } = useReactFlow();
  const store = useStoreApi();
  const request = useTopologyView((s) => s.fitRequest);
  const autoFit = useTopologyView((s) => s.autoFit);
  const fittedOnce = useRef(false);
  const latest = useRef(positions);
  latest.current = positions;

  const fit = (ids: readonly string[], duration: number) => {
    const bounds = boundsOf(ids, latest.current);
    const { width, height, minZoom } = store.getState();
    if (!bounds || width === 0 || height === 0) return;
    void setViewport(getViewportForBounds(bounds, width, height, minZoom, FIT_MAX_ZOOM, FIT.padding), { duration });
  };
  const fitRef = useRef(fit);
  fitRef.current = fit;

  useEffect(() => {
    if (request.serial === 0) return;
    fitRef.current(request.ids, FIT.duration);
  }, [request]);

  const hasNodes = drawn > 0;
  useEffect(() => {
    if (!hasNodes) return;
    if (!fittedOnce.current || autoFit) {
      fittedOnce.current = true;
      const frame = requestAnimationFrame(() => fitRef.current([], autoFit ? FIT.duration : 0));
      return () => cancelAnimationFrame(frame);
    }
  }, [layoutSerial, autoFit, hasNodes]);

  return null;
}
