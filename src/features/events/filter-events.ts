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
