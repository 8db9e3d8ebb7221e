/**
 * Fits the view on request only (the Fit button, a focus, a find in focus
 * mode), and after every layout when auto-fit is on (wall screens). The first
 * drawing of a mesh is fitted once; after that the user's pan and zoom stay.
 */
import { useEffect, useRef } from 'react';
import { useReactFlow, useStore } from '@xyflow/react';
import { useTopologyView } from './view-store.ts';

const FIT = { padding: 0.1, maxZoom: 1.1, duration: 250 } as const;
const selectNodeCount = (s: { nodeLookup: Map<string, unknown> }) => s.nodeLookup.size;

export function FitController({ layoutSerial }: { layoutSerial: number }) {
  const { fitView } = useReactFlow();
  const request = useTopologyView((s) => s.fitRequest);
  const autoFit = useTopologyView((s) => s.autoFit);
  const drawn = useStore(selectNodeCount);
  const fittedOnce = useRef(false);

  useEffect(() => {
    if (request.serial === 0) return;
    void fitView({ ...FIT, nodes: request.ids.length > 0 ? request.ids.map((id) => ({ id })) : undefined });
  }, [request, fitView]);

  useEffect(() => {
    if (drawn === 0) return;
    if (!fittedOnce.current || autoFit) {
      fittedOnce.current = true;
      // A frame later, so nodes just added are measured.
      const frame = requestAnimationFrame(() => void fitView({ ...FIT, duration: autoFit ? FIT.duration : 0 }));
      return () => cancelAnimationFrame(frame);
    }
  }, [layoutSerial, autoFit, drawn > 0, fitView]);

  return null;
}
