import { SEVERITIES, type MeshNode, type Severity } from '../../protocol/mesh.ts';
import type { MeshEvent } from '../../store/realtime.ts';

const RANK: Record<Severity, number> = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<Severity, number>;

/** The kind of an event about no node: it concerns the mesh as a whole. */
export const MESH_KIND = 'mesh';
/** The kind of an event whose node is no longer in the mesh: its kind went with it. */
export const GONE_KIND = 'unknown';

export interface EventFilter {
  /** Events below this severity are hidden. */
  minSeverity: Severity;
  /**
   * Only events about exactly this node; '' for any. Exact, so picking
   * `fetcher-1` does not also bring `fetcher-10`; the text search matches
   * parts of ids.
   */
  nodeId: string;
  /** Only events whose node is of this kind ({@link MESH_KIND} for events about no node); '' for any. */
  kind: string;
  /** Case-insensitive; matches the message or the node id. */
  text: string;
}

export const NO_EVENT_FILTER: EventFilter = { minSeverity: 'debug', nodeId: '', kind: '', text: '' };

export type Nodes = Readonly<Record<string, MeshNode>>;

/** The kind of the event's node, as the mesh has it now (or at the moment shown). */
export function eventKind(event: MeshEvent, nodes: Nodes): string {
  if (event.nodeId === undefined) return MESH_KIND;
  // Own keys only: a node id such as `constructor` must not find a built-in.
  return Object.hasOwn(nodes, event.nodeId) ? nodes[event.nodeId]!.kind : GONE_KIND;
}

/** The test `filter` makes, built once per filter change; null when it lets every event through. */
export function eventMatcher(filter: EventFilter, nodes: Nodes): ((event: MeshEvent) => boolean) | null {
  const min = RANK[filter.minSeverity];
  const nodeId = filter.nodeId.trim();
  const kind = filter.kind;
  const text = filter.text.trim().toLowerCase();
  if (min === 0 && nodeId === '' && kind === '' && text === '') return null;
  return (event) =>
    RANK[event.severity] >= min &&
    (nodeId === '' || event.nodeId === nodeId) &&
    (kind === '' || eventKind(event, nodes) === kind) &&
    (text === '' || event.message.toLowerCase().includes(text) || (event.nodeId?.toLowerCase().includes(text) ?? false));
}

/** `events` through `matches`; `events` itself when nothing is filtered, so an unfiltered feed costs no copy. */
export function applyMatcher(events: MeshEvent[], matches: ((event: MeshEvent) => boolean) | null): MeshEvent[] {
  return matches === null ? events : events.filter(matches);
}

/** The events that pass `filter`, newest first as given. */
export function filterEvents(events: MeshEvent[], filter: EventFilter, nodes: Nodes): MeshEvent[] {
  return applyMatcher(events, eventMatcher(filter, nodes));
}

/**
 * How many of `live` (newest first) arrived after `seen`, the newest event
 * the reader has been shown, and pass `matches`. A held feed counts only what
 * the reader would see on resuming: "3 new" over an errors-only feed means
 * three new errors, not three thousand debug lines that would not show.
 */
export function countNewMatching(
  live: readonly MeshEvent[],
  seen: MeshEvent | undefined,
  matches: ((event: MeshEvent) => boolean) | null,
): number {
  let count = 0;
  for (const event of live) {
    // Ids grow with arrival: the first event already seen ends the new ones.
    if (seen !== undefined && event.id <= seen.id) break;
    if (matches === null || matches(event)) count++;
  }
  return count;
}

export interface EventFacets {
  /** The ids of the nodes the events are about, sorted. */
  nodeIds: string[];
  /** The kinds of those nodes, plus {@link MESH_KIND} when some events are about no node, sorted. */
  kinds: string[];
}

/** What the node and kind filters can offer: what the events at hand are about. */
export function eventFacets(events: readonly MeshEvent[], nodes: Nodes): EventFacets {
  const ids = new Set<string>();
  let aboutMesh = false;
  for (const event of events) {
    if (event.nodeId === undefined) aboutMesh = true;
    else ids.add(event.nodeId);
  }
  const kinds = new Set<string>();
  if (aboutMesh) kinds.add(MESH_KIND);
  for (const id of ids) kinds.add(Object.hasOwn(nodes, id) ? nodes[id]!.kind : GONE_KIND);
  return { nodeIds: [...ids].sort(), kinds: [...kinds].sort() };
}
