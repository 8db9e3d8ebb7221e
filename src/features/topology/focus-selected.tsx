import { useEffect } from 'react';
import { useReactFlow, useStoreApi } from '@xyflow/react';
import { selectSelectedId, useSelection } from '../../store/selection.ts';

/**
 * Brings a node selected elsewhere (the event feed, say) into view. A node
 * already on screen is left where it is, so clicking in the graph never pans.
 */
export function FocusSelected() {
  const selectedId = useSelection(selectSelectedId);
  const { getInternalNode, getViewport, setCenter } = useReactFlow();
  const store = useStoreApi();

  useEffect(() => {
    if (!selectedId) return;
    const node = getInternalNode(selectedId);
    if (!node) return;
    const { x, y, zoom } = getViewport();
    const { width: paneWidth, height: paneHeight } = store.getState();
    const width = node.measured.width ?? 0;
    const height = node.measured.height ?? 0;
    const left = node.internals.positionAbsolute.x * zoom + x;
    const top = node.internals.positionAbsolute.y * zoom + y;
    const inView = left >= 0 && top >= 0 && left + width * zoom <= paneWidth && top + height * zoom <= paneHeight;
    if (!inView) {
      void setCenter(node.internals.positionAbsolute.x + width / 2, node.internals.positionAbsolute.y + height / 2, {
        zoom: Math.max(zoom, 0.6),
        duration: 300,
      });
    }
  }, [selectedId, getInternalNode, getViewport, setCenter, store]);

  return null;
}
