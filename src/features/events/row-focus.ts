const STEP: Partial<Record<string, number>> = { ArrowDown: 1, ArrowUp: -1 };

/**
 * Moves keyboard focus for `key` (ArrowDown, ArrowUp) among the rows a
 * virtual list has drawn inside `container`: from the row that has focus to
 * its neighbour, or from the list itself to the first row in view. A
 * neighbour is always drawn (the list draws a few rows beyond each edge),
 * and focusing it scrolls it into view, which moves the window on. Returns
 * the row focused, or null when the key is not one of these or there is no
 * row that way.
 */
export function moveRowFocus(container: HTMLElement, from: Element, key: string, rowHeight: number, rowSelector: string): HTMLElement | null {
  const step = STEP[key];
  if (step === undefined) return null;
  const item = from.closest('[role="listitem"]');
  let position: number;
  if (item !== null && container.contains(item)) {
    position = Number(item.getAttribute('aria-posinset')) + step;
  } else if (step > 0) {
    const scroller = container.querySelector<HTMLElement>('.virtual-list');
    position = Math.floor((scroller?.scrollTop ?? 0) / rowHeight) + 1;
  } else {
    return null;
  }
  const row = container.querySelector<HTMLElement>(`[role="listitem"][aria-posinset="${position}"] ${rowSelector}`);
  row?.focus();
  return row;
}
