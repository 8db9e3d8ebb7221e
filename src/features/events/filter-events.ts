import { SEVERITIES, type Severity } from '../../protocol/mesh.ts';
import type { MeshEvent } from '../../store/realtime.ts';

const RANK: Record<Severity, number> = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<Severity, number>;

export interface EventFilter {
  /** Events below this severity are hidden. */
  minSeverity: Severity;
  /** Case-insensitive; matches the message or the node id. */
  text: string;
}

export const NO_EVENT_FILTER: EventFilter = { minSeverity: 'debug', text: '' };

/** Returns `events` itself when nothing is filtered, so an unfiltered feed costs no copy. */
export function filterEvents(events: MeshEvent[], filter: EventFilter): MeshEvent[] {
  const min = RANK[filter.minSeverity];
  const text = filter.text.trim().toLowerCase();
  if (min === 0 && text === '') return events;
  return events.filter(
    (event) =>
      RANK[event.severity] >= min &&
      (text === '' || event.message.toLowerCase().includes(text) || (event.nodeId?.toLowerCase().includes(text) ?? false)),
  );
}

/** How many of `events` (newest first) arrived after `since`, the newest event the reader has seen. */
export function countNewer(events: MeshEvent[], since: MeshEvent | undefined): number {
  if (!since) return events.length;
  let count = 0;
  // Ids grow with arrival, so the scan stops at the first event already seen.
  while (count < events.length && events[count]!.id > since.id) count++;
  return count;
}
