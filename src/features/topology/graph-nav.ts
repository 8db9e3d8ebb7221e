/**
 * Moving between nodes with the keyboard. Right and Left follow the data flow
 * (to the successor or predecessor nearest on screen), Up and Down step to
 * the nearest node above or below in the same column. Pure: it reads the
 * drawn structure and positions it is given.
 */
import type { XY } from './layout/layered.ts';

export type NavKey = 'ArrowRight' | 'ArrowLeft' | 'ArrowUp' | 'ArrowDown';

export interface NavGraph {
  successors: ReadonlyMap<string, readonly string[]>;
  predecessors: ReadonlyMap<string, readonly string[]>;
  positions: ReadonlyMap<string, XY>;
  /** Only these may be moved to (drawn, not hidden by a find). */
  drawn: ReadonlySet<string>;
}

const COLUMN_TOLERANCE = 90;

export function neighbourIn(graph: NavGraph, from: string, key: NavKey): string | null {
  const origin = graph.positions.get(from);
  if (!origin) return null;
  const distance = (id: string) => {
    const p = graph.positions.get(id)!;
    return Math.abs(p.y - origin.y) * 2 + Math.abs(p.x - origin.x);
  };
  const nearest = (ids: Iterable<string>, keep: (p: XY) => boolean) => {
    let best: string | null = null;
    let bestDistance = Infinity;
    for (const id of ids) {
      const p = graph.positions.get(id);
      if (id === from || !p || !graph.drawn.has(id) || !keep(p)) continue;
      const d = distance(id);
      if (d < bestDistance || (d === bestDistance && best !== null && id < best)) {
        best = id;
        bestDistance = d;
      }
    }
    return best;
  };
  switch (key) {
    case 'ArrowRight':
      return nearest(graph.successors.get(from) ?? [], () => true) ?? nearest(graph.positions.keys(), (p) => p.x > origin.x + COLUMN_TOLERANCE);
    case 'ArrowLeft':
      return nearest(graph.predecessors.get(from) ?? [], () => true) ?? nearest(graph.positions.keys(), (p) => p.x < origin.x - COLUMN_TOLERANCE);
    case 'ArrowDown':
      return nearest(graph.positions.keys(), (p) => Math.abs(p.x - origin.x) < COLUMN_TOLERANCE && p.y > origin.y);
    case 'ArrowUp':
      return nearest(graph.positions.keys(), (p) => Math.abs(p.x - origin.x) < COLUMN_TOLERANCE && p.y < origin.y);
  }
}
