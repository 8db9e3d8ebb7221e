import { useEffect, useState } from 'react';

/**
 * Expensive first drawings (a Recharts chart costs more than the whole graph,
 * and development React checks every element it creates) take turns: one per
 * task, each after the browser had a chance to paint. The page shows its
 * cheap parts at once and never blocks on all the expensive ones together.
 */
const waiting: Array<() => void> = [];
let turnScheduled = false;

function scheduleTurn(): void {
  turnScheduled = true;
  // A timer after the frame: the paint happens first. The timer alone also
  // runs in background tabs, where animation frames stop.
  const next = () => setTimeout(takeTurn, 0);
  if (typeof requestAnimationFrame === 'function' && document.visibilityState !== 'hidden') requestAnimationFrame(next);
  else next();
}

function takeTurn(): void {
  turnScheduled = false;
  for (const draw of waiting.splice(0)) draw();
}

/**
 * False until it is this component's turn after `wanted` became true, then
 * true for good (a chart that has been drawn redraws at once).
 */
export function useDrawInTurn(wanted: boolean): boolean {
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    if (!wanted || drawn) return;
    const draw = () => setDrawn(true);
    waiting.push(draw);
    if (!turnScheduled) scheduleTurn();
    return () => {
      const at = waiting.indexOf(draw);
      if (at >= 0) waiting.splice(at, 1);
    };
  }, [wanted, drawn]);
  return drawn;
}
