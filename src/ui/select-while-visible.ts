/**
 * `select` while `visible`; otherwise a selector that keeps returning its
 * first result. A hidden chart's subscription then never sees a change, so
 * it does not re-render (Recharts redraws cost more than the rest of a frame)
 * and keeps showing the points it drew last.
 */
export function selectWhileVisible<S, R>(select: (state: S) => R, visible: boolean): (state: S) => R {
  if (visible) return select;
  let held: { value: R } | undefined;
  return (state) => (held ??= { value: select(state) }).value;
}
