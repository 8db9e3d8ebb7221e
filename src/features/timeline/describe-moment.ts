/** How far back a moment is, for the timeline's label: `now`, `12 s ago`, `2 min 31 s ago`. */
export function describeAgo(moment: number, now: number): string {
  const seconds = Math.round((now - moment) / 1000);
  if (seconds <= 0) return 'now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min ago` : `${minutes} min ${rest} s ago`;
}

/** The span held, for the timeline's note: `holds 4 min 10 s`, with the step when coarser than a second. */
export function describeHeld(from: number, to: number, stepMs: number): string {
  const seconds = Math.round((to - from) / 1000);
  const span = seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min${seconds % 60 ? ` ${seconds % 60} s` : ''}`;
  return stepMs > 1_500 ? `holds ${span}, in steps of up to ${Math.round(stepMs / 1000)} s` : `holds ${span}`;
}
