import { useEffect } from 'react';
import { useReactFlow, useStoreApi } from '@xyflow/react';
import { selectSelectedId, useSelection } from '../../store/selection.ts';
import { NODE_SIZE } from './node-size.ts';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/**
 * Whether any part of a node's box (in graph coordinates) shows in the pane.
 * A node the user can click is at least partly in view, so this is what
 * keeps a click in the graph from panning.
 */
export function overlapsPane(node: Box, viewport: Viewport, pane: { width: number; height: number }): boolean {
  const left = node.x * viewport.zoom + viewport.x;
  const top = node.y * viewport.zoom + viewport.y;
  const right = left + node.width * viewport.zoom;
  const bottom = top + node.height * viewport.zoom;
  return left < pane.width && top < pane.height && right > 0 && bottom > 0;
}

/**
 * Brings a node selected elsewhere (the event feed, say) into view. A node
 * that shows at all, even partly, is left where it is, so clicking in the
 * graph never pans.
 */
export function FocusSelected() {
  const selectedId = useSelection(selectSelectedId);
  const { getInternalNode, getViewport, setCenter } = useReactFlow();
  const store = useStoreApi();

  useEffect(() => {
    if (!selectedId) return;
    const node = getInternalNode(selectedId);
    if (!node) return;
    const { x, y } = node.internals.positionAbsolute;
    // Just handed to React Flow (it was drawn in bulk), a node is not measured yet: every card is this size.
    const width = node.measured.width || NODE_SIZE.width;
    const height = node.measured.height || NODE_SIZE.height;
    const viewport = getViewport();
    if (!overlapsPane({ x, y, width, height }, viewport, store.getState())) {
      void setCenter(x + width / 2, y + height / 2, { zoom: Math.max(viewport.zoom, 0.6), duration: 300 });
    }
  }, [selectedId, getInternalNode, getViewport, setCenter, store]);

  return null;
}
