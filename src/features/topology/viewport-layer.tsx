/**
 * Like React Flow's ViewportPortal (children drawn in graph coordinates,
 * moving with pan and zoom), but it looks its target up once: the original
 * runs a querySelector over the whole graph on every change of React Flow's
 * store, which during a pan over 2,000 nodes is every frame.
 */
import { useMemo, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useStore, type ReactFlowState } from '@xyflow/react';

const selectDomNode = (state: ReactFlowState) => state.domNode;

export function ViewportLayer({ children }: { children: ReactNode }) {
  const domNode = useStore(selectDomNode);
  const target = useMemo(() => domNode?.querySelector('.react-flow__viewport-portal') ?? null, [domNode]);
  return target ? createPortal(children, target) : null;
}
