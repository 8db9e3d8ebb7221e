import { describe, expect, it } from 'vitest';
import {
  countNewMatching,
  eventFacets,
  eventKind,
  eventMatcher,
  filterEvents,
  GONE_KIND,
  MESH_KIND,
  NO_EVENT_FILTER,
  type EventFilter,
} from '../../../src/features/events/filter-events.ts';
import type { MeshNode, Severity } from '../../../src/protocol/mesh.ts';
import type { MeshEvent } from '../../../src/store/realtime.ts';

function node(id: string, kind: string): MeshNode {
  return { id, label: id, kind, status: 'healthy' };
}

/** Prototype-free, as the store keeps it. */
function nodesOf(...list: MeshNode[]): Record<string, MeshNode> {
  const nodes = Object.create(null) as Record<string, MeshNode>;
  for (const n of list) nodes[n.id] = n;
  return nodes;
}

const NODES = nodesOf(
  node('fetcher-1', 'fetcher'),
  node('fetcher-10', 'fetcher'),
  node('parser', 'parser'),
  node('postgres', 'postgres'),
  node('constructor', 'queue'),
);

let nextId = 100;
function ev(message: string, severity: Severity, nodeId?: string): MeshEvent {
  return { id: nextId--, ts: 0, message, severity, ...(nodeId !== undefined ? { nodeId } : {}) };
}

// Newest first, as the store holds them.
const EVENTS: MeshEvent[] = [
  ev('fetcher-1 timed out', 'error', 'fetcher-1'),
  ev('fetcher-10 slow', 'warn', 'fetcher-10'),
  ev('parser restarted', 'warn', 'parser'),
  ev('vacuum done', 'info', 'postgres'),
  ev('mesh rebalanced', 'info'),
  ev('cache hit ratio 0.93', 'debug', 'parser'),
  ev('left the mesh', 'error', 'retired-7'),
  ev('queue <script>alert(1)</script> .* (a|b)', 'warn', 'constructor'),
];

const messages = (events: MeshEvent[]) => events.map((e) => e.message);
const filter = (patch: Partial<EventFilter>): EventFilter => ({ ...NO_EVENT_FILTER, ...patch });

describe('filterEvents', () => {
  it('returns the same array when nothing is filtered', () => {
    expect(filterEvents(EVENTS, NO_EVENT_FILTER, NODES)).toBe(EVENTS);
    expect(eventMatcher(filter({ text: '   ', nodeId: ' ' }), NODES)).toBeNull();
  });

  it.each<[string, Partial<EventFilter>, string[]]>([
    ['severity warn and above', { minSeverity: 'warn' }, ['fetcher-1 timed out', 'fetcher-10 slow', 'parser restarted', 'left the mesh', 'queue <script>alert(1)</script> .* (a|b)']],
    ['severity error only', { minSeverity: 'error' }, ['fetcher-1 timed out', 'left the mesh']],
    ['one node, exactly (not fetcher-10)', { nodeId: 'fetcher-1' }, ['fetcher-1 timed out']],
    ['a node id with spaces around it', { nodeId: '  parser ' }, ['parser restarted', 'cache hit ratio 0.93']],
    ['a node id in another case is another node', { nodeId: 'Parser' }, []],
    ['a node that is in no event', { nodeId: 'frontier' }, []],
    ['kind of the node', { kind: 'fetcher' }, ['fetcher-1 timed out', 'fetcher-10 slow']],
    ['kind mesh: events about no node', { kind: MESH_KIND }, ['mesh rebalanced']],
    ['kind of a node gone from the mesh', { kind: GONE_KIND }, ['left the mesh']],
    ['a node called constructor has its own kind', { kind: 'queue' }, ['queue <script>alert(1)</script> .* (a|b)']],
    ['text in the message, any case', { text: 'TIMED' }, ['fetcher-1 timed out']],
    ['text in the node id', { text: 'postgres' }, ['vacuum done']],
    ['text matches part of ids', { text: 'fetcher-1' }, ['fetcher-1 timed out', 'fetcher-10 slow']],
    ['text is not a pattern', { text: '.*' }, ['queue <script>alert(1)</script> .* (a|b)']],
    ['text with markup is plain text', { text: '<script>' }, ['queue <script>alert(1)</script> .* (a|b)']],
    ['text with a pipe', { text: '(a|b)' }, ['queue <script>alert(1)</script> .* (a|b)']],
    ['text that matches nothing', { text: 'no such thing' }, []],
    ['severity and kind', { minSeverity: 'warn', kind: 'parser' }, ['parser restarted']],
    ['kind and text', { kind: 'fetcher', text: 'slow' }, ['fetcher-10 slow']],
    ['node and severity that exclude each other', { nodeId: 'postgres', minSeverity: 'warn' }, []],
    ['node and kind that disagree', { nodeId: 'parser', kind: 'fetcher' }, []],
    ['everything at once', { minSeverity: 'info', nodeId: 'parser', kind: 'parser', text: 'restart' }, ['parser restarted']],
  ])('filters by %s', (_, patch, expected) => {
    expect(messages(filterEvents(EVENTS, filter(patch), NODES))).toEqual(expected);
  });

  it('keeps the order it is given (newest first)', () => {
    const out = filterEvents(EVENTS, filter({ minSeverity: 'info' }), NODES);
    expect(out.map((e) => e.id)).toEqual([...out.map((e) => e.id)].sort((a, b) => b - a));
  });

  it('reads an id such as __proto__ or toString as a node, never as a built-in', () => {
    const hostile = [ev('odd one', 'info', '__proto__'), ev('odder', 'info', 'toString')];
    expect(eventKind(hostile[0]!, NODES)).toBe(GONE_KIND);
    expect(eventKind(hostile[1]!, {} as Record<string, MeshNode>)).toBe(GONE_KIND);
    expect(messages(filterEvents(hostile, filter({ nodeId: '__proto__' }), NODES))).toEqual(['odd one']);
  });
});

describe('countNewMatching', () => {
  it('counts the events newer than the one seen that pass the filter', () => {
    const seen = EVENTS[4]!;
    const matches = eventMatcher(filter({ minSeverity: 'warn' }), NODES);
    expect(countNewMatching(EVENTS, seen, matches)).toBe(3);
    expect(countNewMatching(EVENTS, seen, null)).toBe(4);
  });

  it('counts every passing event when none was seen', () => {
    expect(countNewMatching(EVENTS, undefined, eventMatcher(filter({ kind: 'fetcher' }), NODES))).toBe(2);
    expect(countNewMatching([], undefined, null)).toBe(0);
  });
});

describe('eventFacets', () => {
  it('offers the node ids and kinds the events are about, sorted', () => {
    expect(eventFacets(EVENTS, NODES)).toEqual({
      nodeIds: ['constructor', 'fetcher-1', 'fetcher-10', 'parser', 'postgres', 'retired-7'],
      kinds: ['fetcher', 'mesh', 'parser', 'postgres', 'queue', 'unknown'],
    });
  });

  it('offers no mesh kind when every event is about a node', () => {
    expect(eventFacets([ev('x', 'info', 'parser')], NODES)).toEqual({ nodeIds: ['parser'], kinds: ['parser'] });
  });
});
