/**
 * Where the user dragged nodes, per project and layout, kept in local storage
 * so the map looks the same tomorrow. Bounded: at most MAX_PINS per project
 * and layout (the oldest go first), and whatever storage holds is validated,
 * since anything may have written it.
 */
import type { XY } from './layout/layered.ts';
import type { LayoutAlgorithm } from './layout/protocol.ts';

const MAX_PINS = 5_000;
const keyOf = (project: string, layout: LayoutAlgorithm) => `meshwatch:pins:${project}:${layout}`;

export type Pins = ReadonlyMap<string, XY>;

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // access denied (sandboxed frames, some privacy modes)
  }
}

export function loadPins(project: string, layout: LayoutAlgorithm): Map<string, XY> {
  const pins = new Map<string, XY>();
  try {
    const raw = storage()?.getItem(keyOf(project, layout));
    if (!raw) return pins;
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return pins;
    for (const entry of parsed.slice(-MAX_PINS)) {
      if (!Array.isArray(entry) || entry.length !== 3) continue;
      const [id, x, y] = entry as unknown[];
      if (typeof id === 'string' && Number.isFinite(x) && Number.isFinite(y)) pins.set(id, { x: x as number, y: y as number });
    }
  } catch {
    // Unreadable pins are no pins; the layout places everything itself.
  }
  return pins;
}

export function savePins(project: string, layout: LayoutAlgorithm, pins: Pins): void {
  const entries = [...pins].slice(-MAX_PINS).map(([id, p]) => [id, Math.round(p.x), Math.round(p.y)]);
  try {
    const store = storage();
    if (entries.length === 0) store?.removeItem(keyOf(project, layout));
    else store?.setItem(keyOf(project, layout), JSON.stringify(entries));
  } catch {
    // Full or denied storage: the pins still hold for this page's life.
  }
}

/** A copy with `id` moved to the end (newest) at `position`. */
export function withPin(pins: Pins, id: string, position: XY): Map<string, XY> {
  const next = new Map(pins);
  next.delete(id);
  next.set(id, { x: position.x, y: position.y });
  return next;
}
