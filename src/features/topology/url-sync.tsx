/**
 * Keeps the shareable part of the view in the address bar: the find and its
 * mode, the layout, folded and unfolded groups and the selected node. Read
 * once on load; written with `replaceState` (a view change is not a page to
 * go back to).
 */
import { useEffect } from 'react';
import { useSelection } from '../../store/selection.ts';
import { readViewParams, writeViewParams } from './view-params.ts';
import { useTopologyView } from './view-store.ts';

export function UrlSync() {
  useEffect(() => {
    const params = readViewParams(window.location.search);
    useTopologyView.getState().setParams(params);
    if (params.node !== null) useSelection.getState().select(params.node);

    const write = () => {
      const next = writeViewParams(window.location.href, {
        ...useTopologyView.getState().params,
        node: useSelection.getState().selectedId,
      });
      if (next !== window.location.href) window.history.replaceState(window.history.state, '', next);
    };
    const stopView = useTopologyView.subscribe((state, previous) => {
      if (state.params !== previous.params) write();
    });
    const stopSelection = useSelection.subscribe((state, previous) => {
      if (state.selectedId !== previous.selectedId) write();
    });
    return () => {
      stopView();
      stopSelection();
    };
  }, []);
  return null;
}
