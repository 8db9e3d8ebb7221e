import { describe, expect, it } from 'vitest';
import type { MeshEdge, MeshNode } from '../../src/protocol/mesh.ts';
import type { Payload } from '../../src/protocol/messages.ts';
import { SnapshotState } from '../../src/protocol/frames.ts';
import { PROJECT_STATE_LIMITS, ProjectState } from '../../src/server/project-state.ts';

const node = (id: string, extra: Partial<MeshNode> = {}): MeshNode => ({ id, label: id, kind: 'svc', status: 'healthy', ...extra });
const edge = (source: string, target: string, extra: Partial<MeshEdge> = {}): MeshEdge => ({ id: `${source}->${target}`, source, target, ...extra });
const stats = { rps: 10, errorRate: 0.01, p95Ms: 20 };

function fold(payloads: Payload[], state = new ProjectState()): ProjectState {
  payloads.forEach((payload, i) => state.apply(payload, 1_000 + i));
  return state;
}

describe('project state', () => {
  describe('folds payloads like the browser store', () => {
    const cases: Array<{ name: string; payloads: Payload[]; expect: (snapshot: SnapshotState) => void }> = [
      {
        name: 'an upsert adds a node and a second replaces it',
        payloads: [{ type: 'node-upsert', node: node('a') }, { type: 'node-upsert', node: node('a', { label: 'A' }) }],
        expect: (s) => expect(s.nodes).toEqual([node('a', { label: 'A' })]),
      },
      {
        name: 'a status change updates a known node',
        payloads: [{ type: 'node-upsert', node: node('a') }, { type: 'node-status', id: 'a', status: 'down' }],
        expect: (s) => expect(s.nodes[0]?.status).toBe('down'),
      },
      {
        name: 'a status change for an unknown node is ignored',
        payloads: [{ type: 'node-status', id: 'ghost', status: 'down' }],
        expect: (s) => expect(s.nodes).toEqual([]),
      },
      {
        name: 'edge stats replace the stats of a known edge',
        payloads: [{ type: 'edge-upsert', edge: edge('a', 'b') }, { type: 'edge-stats', id: 'a->b', stats }],
        expect: (s) => expect(s.edges).toEqual([edge('a', 'b', { stats })]),
      },
      {
        name: 'edge stats for an unknown edge are ignored',
        payloads: [{ type: 'edge-stats', id: 'x->y', stats }],
        expect: (s) => expect(s.edges).toEqual([]),
      },
      {
        name: 'an edge upsert without stats keeps the stats the edge had',
        payloads: [
          { type: 'edge-upsert', edge: edge('a', 'b', { stats }) },
          { type: 'edge-upsert', edge: edge('a', 'b', { label: 'fetch' }) },
        ],
        expect: (s) => expect(s.edges).toEqual([edge('a', 'b', { label: 'fetch', stats })]),
      },
      {
        name: 'an edge delete removes the edge',
        payloads: [{ type: 'edge-upsert', edge: edge('a', 'b') }, { type: 'edge-delete', id: 'a->b' }],
        expect: (s) => expect(s.edges).toEqual([]),
      },
      {
        name: 'events keep their stamp and node, oldest first',
        payloads: [
          { type: 'event', message: 'one', severity: 'info' },
          { type: 'event', message: 'two', severity: 'error', nodeId: 'a' },
        ],
        expect: (s) =>
          expect(s.events).toEqual([
            { ts: 1_000, message: 'one', severity: 'info' },
            { ts: 1_001, message: 'two', severity: 'error', nodeId: 'a' },
          ]),
      },
      {
        name: 'a log chunk is split into lines, blank lines dropped, level defaulting to info',
        payloads: [{ type: 'log-chunk', nodeId: 'a', text: 'first\n\nsecond\n' }],
        expect: (s) =>
          expect(s.logs).toEqual([
            { nodeId: 'a', lines: [{ ts: 1_000, level: 'info', text: 'first' }, { ts: 1_000, level: 'info', text: 'second' }] },
          ]),
      },
      {
        name: 'chart points append to their series and remember its owner',
        payloads: [
          { type: 'chart-point', series: 'pg.tps', value: { t: 1, y: 5 }, nodeId: 'pg' },
          { type: 'chart-point', series: 'pg.tps', value: { t: 2, y: 6 } },
        ],
        expect: (s) => expect(s.series).toEqual([{ series: 'pg.tps', nodeId: 'pg', points: [{ t: 1, y: 5 }, { t: 2, y: 6 }] }]),
      },
      {
        name: 'progress is kept by id, latest wins',
        payloads: [
          { type: 'progress', progress: { id: 'crawl', label: 'run', percent: 10, status: 'running' } },
          { type: 'progress', progress: { id: 'crawl', label: 'run', percent: 100, status: 'complete' } },
        ],
        expect: (s) => expect(s.progress).toEqual([{ id: 'crawl', label: 'run', percent: 100, status: 'complete' }]),
      },
    ];
    it.each(cases)('$name', ({ payloads, expect: check }) => {
      const snapshot = fold(payloads).snapshot();
      expect(SnapshotState.safeParse(snapshot).success).toBe(true);
      check(snapshot);
    });
  });

  it('drops a deleted node with its edges, its logs and the series it owns, and nothing else', () => {
    const state = fold([
      { type: 'node-upsert', node: node('a') },
      { type: 'node-upsert', node: node('b') },
      { type: 'node-upsert', node: node('c') },
      { type: 'edge-upsert', edge: edge('a', 'b') },
      { type: 'edge-upsert', edge: edge('c', 'a') },
      { type: 'edge-upsert', edge: edge('b', 'c') },
      { type: 'log-chunk', nodeId: 'a', text: 'gone' },
      { type: 'log-chunk', nodeId: 'b', text: 'kept' },
      { type: 'chart-point', series: 'a.rps', nodeId: 'a', value: { t: 1, y: 1 } },
      { type: 'chart-point', series: 'b.rps', nodeId: 'b', value: { t: 1, y: 1 } },
      { type: 'chart-point', series: 'global', value: { t: 1, y: 1 } },
      { type: 'node-delete', id: 'a' },
    ]);
    const snapshot = state.snapshot();
    expect(snapshot.nodes.map((n) => n.id)).toEqual(['b', 'c']);
    expect(snapshot.edges.map((e) => e.id)).toEqual(['b->c']);
    expect(snapshot.logs.map((l) => l.nodeId)).toEqual(['b']);
    expect(snapshot.series.map((s) => s.series)).toEqual(['b.rps', 'global']);
  });

  it('follows an edge that is rewired, so deleting its old endpoint leaves it alone', () => {
    const state = fold([
      { type: 'edge-upsert', edge: { id: 'e', source: 'a', target: 'b' } },
      { type: 'edge-upsert', edge: { id: 'e', source: 'c', target: 'b' } },
      { type: 'node-delete', id: 'a' },
    ]);
    expect(state.snapshot().edges.map((e) => e.id)).toEqual(['e']);
    state.apply({ type: 'node-delete', id: 'c' }, 0);
    expect(state.snapshot().edges).toEqual([]);
  });

  describe('bounds', () => {
    it(`keeps the last ${PROJECT_STATE_LIMITS.maxEvents} events`, () => {
      const state = new ProjectState();
      for (let i = 0; i < 1_000; i++) state.apply({ type: 'event', message: `e${i}`, severity: 'info' }, i);
      const events = state.snapshot().events;
      expect(events).toHaveLength(200);
      expect(events[0]?.message).toBe('e800');
      expect(events.at(-1)?.message).toBe('e999');
    });

    it(`keeps the last ${PROJECT_STATE_LIMITS.maxPointsPerSeries} points of a series`, () => {
      const state = new ProjectState();
      for (let i = 0; i < 2_000; i++) state.apply({ type: 'chart-point', series: 's', value: { t: i, y: i } }, i);
      const points = state.snapshot().series[0]!.points;
      expect(points).toHaveLength(600);
      expect(points[0]).toEqual({ t: 1_400, y: 1_400 });
    });

    it(`keeps at most ${PROJECT_STATE_LIMITS.maxSeries} series, dropping the one updated longest ago`, () => {
      const state = new ProjectState();
      for (let i = 0; i < 256; i++) state.apply({ type: 'chart-point', series: `s${i}`, value: { t: 0, y: 0 } }, 0);
      state.apply({ type: 'chart-point', series: 's0', value: { t: 1, y: 1 } }, 1); // s0 is fresh again; s1 is now the oldest
      state.apply({ type: 'chart-point', series: 'new', value: { t: 2, y: 2 } }, 2);
      const names = state.snapshot().series.map((s) => s.series);
      expect(names).toHaveLength(256);
      expect(names).not.toContain('s1');
      expect(names).toContain('s0');
      expect(names.at(-1)).toBe('new');
    });

    it('forgets the owner of an evicted series, so deleting that node later drops nothing new', () => {
      const state = new ProjectState({ maxSeries: 2 });
      fold(
        [
          { type: 'chart-point', series: 'a.rps', nodeId: 'a', value: { t: 0, y: 0 } },
          { type: 'chart-point', series: 'x', value: { t: 0, y: 0 } },
          { type: 'chart-point', series: 'y', value: { t: 0, y: 0 } },
          { type: 'chart-point', series: 'a.rps', value: { t: 1, y: 1 } }, // re-created without an owner
          { type: 'node-delete', id: 'a' },
        ],
        state,
      );
      expect(state.snapshot().series.map((s) => s.series)).toEqual(['y', 'a.rps']);
    });

    it('follows a series that changes owner, and keeps nothing for the owners it had', () => {
      const state = new ProjectState();
      // A publisher that hands one series to a new node every time.
      for (let i = 0; i < 10_000; i++) state.apply({ type: 'chart-point', series: 's', nodeId: `n${i}`, value: { t: i, y: i } }, i);
      // Every collection the state holds, whatever it is named, stays within what is in it now: one series.
      const sizes = Object.entries(state)
        .filter((entry): entry is [string, Map<unknown, unknown>] => entry[1] instanceof Map)
        .map(([name, map]) => [name, map.size]);
      expect(sizes.filter(([, size]) => (size as number) > 1)).toEqual([]);
      state.apply({ type: 'node-delete', id: 'n0' }, 0);
      expect(state.snapshot().series.map((window) => [window.series, window.nodeId])).toEqual([['s', 'n9999']]);
      state.apply({ type: 'node-delete', id: 'n9999' }, 0);
      expect(state.snapshot().series).toEqual([]);
    });

    it(`keeps the last ${PROJECT_STATE_LIMITS.maxLogLinesPerNode} log lines of a node`, () => {
      const state = new ProjectState();
      for (let i = 0; i < 150; i++) state.apply({ type: 'log-chunk', nodeId: 'a', text: `l${2 * i}\nl${2 * i + 1}` }, i);
      const lines = state.snapshot().logs[0]!.lines;
      expect(lines).toHaveLength(100);
      expect(lines[0]?.text).toBe('l200');
      expect(lines.at(-1)?.text).toBe('l299');
    });

    it(`keeps logs for at most ${PROJECT_STATE_LIMITS.maxLogNodes} nodes, dropping the one written to longest ago`, () => {
      const state = new ProjectState();
      for (let i = 0; i < 300; i++) state.apply({ type: 'log-chunk', nodeId: `n${i}`, text: 'x' }, i);
      const nodes = state.snapshot().logs.map((l) => l.nodeId);
      expect(nodes).toHaveLength(256);
      expect(nodes[0]).toBe('n44');
    });

    it.each([
      { name: 'an empty chunk', text: '' },
      { name: 'a chunk of blank lines', text: '\n\n' },
    ])('gives $name no log slot, so it can neither evict nor refresh a real log', ({ text }) => {
      const state = new ProjectState({ maxLogNodes: 2 });
      state.apply({ type: 'log-chunk', nodeId: 'a', text: 'a line' }, 0);
      state.apply({ type: 'log-chunk', nodeId: 'b', text: 'b line' }, 1);
      state.apply({ type: 'log-chunk', nodeId: 'empty', text }, 2);
      state.apply({ type: 'log-chunk', nodeId: 'a', text }, 3);
      expect(state.snapshot().logs.map((l) => l.nodeId)).toEqual(['a', 'b']);
      expect(state.counts().logNodes).toBe(2);
      // `a` was not refreshed by its empty chunk: it is still the one written to longest ago.
      state.apply({ type: 'log-chunk', nodeId: 'c', text: 'c line' }, 4);
      expect(state.snapshot().logs.map((l) => l.nodeId)).toEqual(['b', 'c']);
    });

    it('cuts very long log lines in the window', () => {
      const state = new ProjectState();
      state.apply({ type: 'log-chunk', nodeId: 'a', text: 'x'.repeat(16_000) }, 0);
      const text = state.snapshot().logs[0]!.lines[0]!.text;
      expect(text).toHaveLength(PROJECT_STATE_LIMITS.maxLogLineChars);
      expect(text.endsWith('…')).toBe(true);
    });

    it(`keeps at most ${PROJECT_STATE_LIMITS.maxProgress} progress items`, () => {
      const state = new ProjectState();
      for (let i = 0; i < 100; i++) state.apply({ type: 'progress', progress: { id: `p${i}`, label: '', percent: 0, status: 'running' } }, i);
      const ids = state.snapshot().progress.map((p) => p.id);
      expect(ids).toHaveLength(64);
      expect(ids[0]).toBe('p36');
    });

    it('refuses a new node or edge past the topology caps, and still takes updates to known ones', () => {
      const state = new ProjectState({ maxNodes: 2, maxEdges: 1 });
      fold([{ type: 'node-upsert', node: node('a') }, { type: 'node-upsert', node: node('b') }, { type: 'edge-upsert', edge: edge('a', 'b') }], state);
      expect(state.admit({ type: 'node-upsert', node: node('c') })?.code).toBe('node-limit');
      expect(state.admit({ type: 'edge-upsert', edge: edge('b', 'a') })?.code).toBe('edge-limit');
      expect(state.admit({ type: 'node-upsert', node: node('a', { label: 'renamed' }) })).toBeNull();
      expect(state.admit({ type: 'edge-upsert', edge: edge('a', 'b', { stats }) })).toBeNull();
    });

    describe('a dry run over a whole run of payloads', () => {
      const full = () => fold([{ type: 'node-upsert', node: node('a') }, { type: 'edge-upsert', edge: edge('a', 'a') }], new ProjectState({ maxNodes: 3, maxEdges: 2 }));
      it.each<{ name: string; payloads: Payload[]; refused: { code: string; index: number } | null }>([
        { name: 'admits what fits, counting each new id once', payloads: [{ type: 'node-upsert', node: node('b') }, { type: 'node-upsert', node: node('b', { label: 'again' }) }, { type: 'node-upsert', node: node('c') }, { type: 'node-upsert', node: node('a') }], refused: null },
        { name: 'counts the nodes the run itself adds', payloads: [{ type: 'node-upsert', node: node('b') }, { type: 'event', message: 'x', severity: 'info' }, { type: 'node-upsert', node: node('c') }, { type: 'node-upsert', node: node('d') }], refused: { code: 'node-limit', index: 3 } },
        { name: 'counts the edges the run itself adds', payloads: [{ type: 'edge-upsert', edge: edge('a', 'b') }, { type: 'edge-upsert', edge: edge('a', 'a', { stats }) }, { type: 'edge-upsert', edge: edge('b', 'a') }], refused: { code: 'edge-limit', index: 2 } },
      ])('$name', ({ payloads, refused }) => {
        const state = full();
        const before = state.snapshot();
        const outcome = state.admitAll(payloads);
        if (refused) expect(outcome).toMatchObject(refused);
        else expect(outcome).toBeNull();
        expect(state.snapshot()).toEqual(before);
      });

      it('never admits a run that one-by-one admission would refuse, deletes and re-adds included', () => {
        const payloads: Payload[] = [
          { type: 'node-delete', id: 'a' },
          { type: 'node-upsert', node: node('b') },
          { type: 'node-upsert', node: node('a') },
          { type: 'edge-upsert', edge: edge('a', 'a') },
          { type: 'node-upsert', node: node('c') },
        ];
        const state = full();
        expect(state.admitAll(payloads)).toBeNull();
        payloads.forEach((payload, i) => {
          expect(state.admit(payload)).toBeNull();
          state.apply(payload, i);
        });
      });
    });
  });
});
