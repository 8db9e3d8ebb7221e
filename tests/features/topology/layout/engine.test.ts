import { describe, expect, it } from 'vitest';
import { LayoutEngine } from '../../../../src/features/topology/layout/engine.ts';
import type { LayoutEdge, XY } from '../../../../src/features/topology/layout/layered.ts';
import { LAYOUT_ALGORITHMS, type LayoutAlgorithm, type LayoutRequest, type LayoutResponse } from '../../../../src/features/topology/layout/protocol.ts';

/** `'a>b b>c'` → edges. */
function edges(spec: string): LayoutEdge[] {
  return spec
    .split(/\s+/)
    .filter(Boolean)
    .map((pair) => {
      const [source, target] = pair.split('>') as [string, string];
      return { source, target };
    });
}

const FETCHERS = ['fetcher-0', 'fetcher-1', 'fetcher-2', 'fetcher-3'];
const OPEN = {
  nodeIds: ['frontier', ...FETCHERS, 'parser', 'queue', 'postgres', 'cache'],
  edges: edges(
    'frontier>fetcher-0 frontier>fetcher-1 frontier>fetcher-2 frontier>fetcher-3 ' +
      'fetcher-0>parser fetcher-1>parser fetcher-2>parser fetcher-3>parser parser>queue queue>postgres parser>cache',
  ),
};
/** The same mesh with the fetchers folded into one box. */
const FOLDED = {
  nodeIds: ['frontier', 'parser', 'queue', 'postgres', 'cache', 'group::fetchers'],
  edges: edges('frontier>group::fetchers group::fetchers>parser parser>queue queue>postgres parser>cache'),
};
const groupsOf = (ids: readonly string[]) =>
  ids.filter((id) => !id.startsWith('group::')).map((id) => [id, id.startsWith('fetcher-') ? 'fetchers' : id] as const);

let nextRequestId = 1;
function request(
  algorithm: LayoutAlgorithm,
  key: string,
  graph: { nodeIds: string[]; edges: LayoutEdge[] },
  pins: Array<[string, XY]> = [],
  fresh = false,
): LayoutRequest {
  return { type: 'layout', requestId: nextRequestId++, key, algorithm, nodeIds: graph.nodeIds, edges: graph.edges, groups: groupsOf(graph.nodeIds), pins, fresh };
}

function layout(engine: LayoutEngine, req: LayoutRequest): LayoutResponse {
  const response = engine.handle(req);
  if (!response) throw new Error('no response to a layout request');
  return response;
}

function positionsOf(response: LayoutResponse): Map<string, XY> {
  const map = new Map<string, XY>();
  response.ids.forEach((id, i) => map.set(id, { x: response.xy[i * 2]!, y: response.xy[i * 2 + 1]! }));
  return map;
}

function expectUnchanged(before: ReadonlyMap<string, XY>, after: ReadonlyMap<string, XY>, ids: Iterable<string> = before.keys()) {
  const moved: string[] = [];
  for (const id of ids) {
    const a = before.get(id);
    const b = after.get(id);
    if (!a || !b || a.x !== b.x || a.y !== b.y) moved.push(`${id}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
  }
  expect(moved).toEqual([]);
}

const withNode = (graph: { nodeIds: string[]; edges: LayoutEdge[] }, id: string, spec: string) => ({
  nodeIds: [...graph.nodeIds, id],
  edges: [...graph.edges, ...edges(spec)],
});

describe.each(LAYOUT_ALGORITHMS)('the layout engine with the %s layout', (algorithm) => {
  const key = (view: string) => `${algorithm}\n${view}`;

  it('answers every requested node, in a flat array, tagged with the request', () => {
    const engine = new LayoutEngine();
    const req = request(algorithm, key(''), OPEN);
    const response = layout(engine, req);
    expect(response.type).toBe('layout');
    expect(response.requestId).toBe(req.requestId);
    expect(response.key).toBe(req.key);
    expect([...response.ids].sort()).toEqual([...OPEN.nodeIds].sort());
    expect(response.xy).toHaveLength(OPEN.nodeIds.length * 2);
    expect([...response.xy].every(Number.isFinite)).toBe(true);
    expect(response.changed).toBe(true);
  });

  it('says nothing changed when the same view is asked for again', () => {
    const engine = new LayoutEngine();
    const first = layout(engine, request(algorithm, key(''), OPEN));
    const again = layout(engine, request(algorithm, key(''), OPEN));
    expect(again.changed).toBe(false);
    expectUnchanged(positionsOf(first), positionsOf(again));
  });

  it('leaves every placed node where it was when a node is added', () => {
    const engine = new LayoutEngine();
    const before = positionsOf(layout(engine, request(algorithm, key(''), OPEN)));
    const grown = withNode(OPEN, 'fetcher-4', 'frontier>fetcher-4 fetcher-4>parser');
    const after = positionsOf(layout(engine, request(algorithm, key(''), grown)));
    expectUnchanged(before, after);
    expect(after.has('fetcher-4')).toBe(true);
    // One more, of a kind not seen before, hanging off the end.
    const more = positionsOf(layout(engine, request(algorithm, key(''), withNode(grown, 'archive', 'postgres>archive'))));
    expectUnchanged(after, more);
  });

  it('leaves the others where they were when nodes are removed', () => {
    const engine = new LayoutEngine();
    const before = positionsOf(layout(engine, request(algorithm, key(''), OPEN)));
    const gone = new Set(['fetcher-1', 'cache']);
    const smaller = {
      nodeIds: OPEN.nodeIds.filter((id) => !gone.has(id)),
      edges: OPEN.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
    };
    const response = layout(engine, request(algorithm, key(''), smaller));
    const after = positionsOf(response);
    expect([...after.keys()].sort()).toEqual([...smaller.nodeIds].sort());
    expectUnchanged(before, after, smaller.nodeIds);
  });

  it('returns every node to where it was when a group is folded and unfolded again', () => {
    const engine = new LayoutEngine();
    const open = positionsOf(layout(engine, request(algorithm, key(''), OPEN)));
    const folded = positionsOf(layout(engine, request(algorithm, key('group::fetchers'), FOLDED)));
    expect(folded.has('group::fetchers')).toBe(true);
    const reopened = layout(engine, request(algorithm, key(''), OPEN));
    expectUnchanged(open, positionsOf(reopened));
    expect(reopened.changed).toBe(false);
    const refolded = positionsOf(layout(engine, request(algorithm, key('group::fetchers'), FOLDED)));
    expectUnchanged(folded, refolded);
  });

  it('keeps what happened in one view while another was shown', () => {
    const engine = new LayoutEngine();
    layout(engine, request(algorithm, key(''), OPEN));
    const grown = withNode(OPEN, 'fetcher-4', 'frontier>fetcher-4 fetcher-4>parser');
    const before = positionsOf(layout(engine, request(algorithm, key(''), grown)));
    layout(engine, request(algorithm, key('group::fetchers'), FOLDED));
    expectUnchanged(before, positionsOf(layout(engine, request(algorithm, key(''), grown))));
  });

  it('applies the pins a request gives, and keeps them through later changes', () => {
    const engine = new LayoutEngine();
    const before = positionsOf(layout(engine, request(algorithm, key(''), OPEN)));
    const pin: [string, XY] = ['queue', { x: 4_000, y: -3_000 }];
    const pinned = layout(engine, request(algorithm, key(''), OPEN, [pin]));
    expect(pinned.changed).toBe(true);
    const afterPin = positionsOf(pinned);
    expect(afterPin.get('queue')).toEqual(pin[1]);
    expectUnchanged(before, afterPin, OPEN.nodeIds.filter((id) => id !== 'queue'));

    // The same pins again: nothing to do.
    expect(layout(engine, request(algorithm, key(''), OPEN, [pin])).changed).toBe(false);

    // A node joins next to the pinned one; the pin holds, and so does everything else.
    const grown = withNode(OPEN, 'replica', 'queue>replica');
    const later = positionsOf(layout(engine, request(algorithm, key(''), grown, [pin])));
    expect(later.get('queue')).toEqual(pin[1]);
    expectUnchanged(afterPin, later);
  });

  it('applies a pin to a node placed in the same request, and ignores pins of nodes not in the view', () => {
    const engine = new LayoutEngine();
    const response = layout(engine, request(algorithm, key(''), OPEN, [
      ['parser', { x: -700, y: 900 }],
      ['not-here', { x: 1, y: 1 }],
    ]));
    const positions = positionsOf(response);
    expect(positions.get('parser')).toEqual({ x: -700, y: 900 });
    expect(positions.has('not-here')).toBe(false);
  });

  it('forgets every remembered view when a request asks for a fresh layout', () => {
    const fresh = positionsOf(layout(new LayoutEngine(), request(algorithm, key(''), OPEN)));
    const engine = new LayoutEngine();
    layout(engine, request(algorithm, key(''), OPEN, [['queue', { x: 4_000, y: -3_000 }]]));
    layout(engine, request(algorithm, key('group::fetchers'), FOLDED));

    const after = layout(engine, request(algorithm, key(''), OPEN, [], true));
    expect(after.changed).toBe(true);
    // As a new engine would lay it out: the pin is gone with the rest.
    expectUnchanged(fresh, positionsOf(after));
  });

  it('times each layout with the clock it is given', () => {
    let now = 100;
    const engine = new LayoutEngine(() => (now += 7));
    expect(layout(engine, request(algorithm, key(''), OPEN)).ms).toBe(7);
  });
});

describe('the layout engine', () => {
  const pinned: [string, XY] = ['queue', { x: 4_000, y: -3_000 }];
  /** A view whose memory shows: its queue was pinned. */
  function remembersPin(engine: LayoutEngine, view: string): boolean {
    return positionsOf(layout(engine, request('layered', view, OPEN))).get('queue')?.x === pinned[1].x;
  }

  it('remembers eight views, forgetting the one used longest ago', () => {
    const engine = new LayoutEngine();
    layout(engine, request('layered', 'first', OPEN, [pinned]));
    for (let i = 0; i < 7; i++) layout(engine, request('layered', `other-${i}`, OPEN));
    expect(remembersPin(engine, 'first')).toBe(true);

    // `first` was just used; the next eight push it out.
    for (let i = 0; i < 8; i++) layout(engine, request('layered', `more-${i}`, OPEN));
    expect(remembersPin(engine, 'first')).toBe(false);
  });

  it('counts a view used again as recent', () => {
    const engine = new LayoutEngine();
    layout(engine, request('layered', 'first', OPEN, [pinned]));
    for (let i = 0; i < 12; i++) {
      layout(engine, request('layered', `other-${i}`, OPEN));
      // Used every few views: never the oldest.
      if (i % 4 === 3) layout(engine, request('layered', 'first', OPEN));
    }
    expect(remembersPin(engine, 'first')).toBe(true);
  });

  it('keeps each algorithm\'s views apart when their keys differ', () => {
    const engine = new LayoutEngine();
    const layered = positionsOf(layout(engine, request('layered', 'layered\n', OPEN)));
    const grid = positionsOf(layout(engine, request('grid', 'grid\n', OPEN)));
    expectUnchanged(layered, positionsOf(layout(engine, request('layered', 'layered\n', OPEN))));
    expectUnchanged(grid, positionsOf(layout(engine, request('grid', 'grid\n', OPEN))));
  });
});
