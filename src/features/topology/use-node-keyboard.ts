/**
 * Keyboard behaviour of a drawn node: one node of the graph is in the tab
 * order at a time (a roving tabindex: tabbing through 2,000 nodes would trap
 * the user); arrows move to a neighbour, Enter acts, Escape lets go.
 */
import { useCallback, useEffect, useRef, type KeyboardEvent } from 'react';
import { useGraphHandle } from './graph-context.ts';
import { neighbourIn, type NavKey } from './graph-nav.ts';
import { useTopologyView } from './view-store.ts';

const NAV_KEYS = new Set<string>(['ArrowRight', 'ArrowLeft', 'ArrowUp', 'ArrowDown']);

export function useNodeKeyboard(id: string, onEnter: () => void, onEscape?: () => void) {
  const isTarget = useTopologyView(useCallback((s) => s.keyboardTarget === id, [id]));
  const takesFocus = useTopologyView(useCallback((s) => s.keyboardTarget === id && s.keyboardActive, [id]));
  const setTarget = useTopologyView((s) => s.setKeyboardTarget);
  const graph = useGraphHandle();
  const ref = useRef<HTMLDivElement>(null);

  // The keyboard moved here: take focus once drawn (it may have just been scrolled into view and mounted,
  // after the node it left was unmounted and focus fell to the page).
  useEffect(() => {
    const active = document.activeElement;
    // Never taken from elsewhere on the page (a filter being typed in): only from nowhere, or from within the graph.
    const free = active === null || active === document.body || ref.current?.closest('.topology__canvas')?.contains(active);
    if (takesFocus && ref.current && active !== ref.current && free) ref.current.focus({ preventScroll: true });
  }, [takesFocus]);

  const onKeyDown = useCallback(
    (event: KeyboardEvent) => {
      if (NAV_KEYS.has(event.key)) {
        event.preventDefault();
        event.stopPropagation();
        const next = neighbourIn(graph.current, id, event.key as NavKey);
        if (next) {
          graph.reveal(next);
          setTarget(next);
        }
      } else if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        onEnter();
      } else if (event.key === 'Escape' && onEscape) {
        onEscape();
      }
    },
    [graph, id, setTarget, onEnter, onEscape],
  );
  // Focus by mouse or by the graph's own Tab stop makes this node the roving one.
  const onFocus = useCallback(() => {
    if (!isTarget) setTarget(id, false);
  }, [isTarget, setTarget, id]);

  return { ref, tabIndex: isTarget ? 0 : -1, onKeyDown, onFocus, isTarget };
}
