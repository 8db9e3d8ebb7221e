// @vitest-environment jsdom
/**
 * The topology view on a mesh too large to draw node by node: folded groups,
 * expanding them, finds, and what re-renders when one thing changes.
 */
import { act, cleanup, render, waitFor } from '@testing-library/react';
import { createElement, type ComponentProps } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MeshEdge, MeshNode } from '../../../src/protocol/mesh.ts';
import { TopologyView } from '../../../src/features/topology/topology-view.tsx';
import { useTopologyView } from '../../../src/features/topology/view-store.ts';
import { edge, feed, loadMesh, node, resetStores } from '../mesh-fixtures.ts';
import { resetTopologyView, useBatchedResizeObserver } from './topology-harness.ts';

/** Render counters, filled by the wrappers the mocks below put around the real code. */
const renders = vi.hoisted(() => ({
  /** NodeCard renders, by mesh node id. */
  cards: new Map<string, number>(),
  /** Group box renders, by group name (a box describes itself for speech once per render). */
  groups: new Map<string, number>(),
  /** The `nodes` array React Flow was given, once per render of React Flow. */
  flowNodeArrays: [] as Array<Array<{ id: string }>>,
  /** jsdom has no layout, so fitting would zoom far out: the zoom is pinned (see topology-view.test.tsx). */
  zoom: 1,
}));

vi.mock('../../../src/features/topology/node-card', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src/features/topology/node-card.tsx')>();
  return {
    ...actual,
    NodeCard(props: ComponentProps<typeof actual.NodeCard>) {
      renders.cards.set(props.node.id, (renders.cards.get(props.node.id) ?? 0) + 1);
      return actual.NodeCard(props);
    },
  };
});

vi.mock('../../../src/features/topology/speech', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src/features/topology/speech.ts')>();
  return {
    ...actual,
    describeGroupForSpeech(...args: Parameters<typeof actual.describeGroupForSpeech>) {
      renders.groups.set(args[0], (renders.groups.get(args[0]) ?? 0) + 1);
      return actual.describeGroupForSpeech(...args);
    },
  };
});

vi.mock('@xyflow/react', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@xyflow/react')>();
  return {
    ...actual,
    ReactFlow(props: ComponentProps<typeof actual.ReactFlow>) {
      renders.flowNodeArrays.push(props.nodes as Array<{ id: string }>);
      return createElement(actual.ReactFlow, { ...props, minZoom: renders.zoom, maxZoom: renders.zoom });
    },
  };
});

/**
 * 306 nodes: frontier → 290 fetchers → 12 parsers → queue → postgres, and a
 * cache. Past 300 nodes the largest group (fetchers) folds: 17 drawn.
 */
const FETCHER_COUNT = 290;
const PARSER_COUNT = 12;
function largeMesh(): { nodes: MeshNode[]; edges: MeshEdge[] } {
  const fetchers = Array.from({ length: FETCHER_COUNT }, (_, i) => node(`fetcher-${i}`, 'fetcher', { group: 'fetchers' }));
  const parsers = Array.from({ length: PARSER_COUNT }, (_, i) => node(`parser-${i}`, 'parser', { group: 'parsers' }));
  const nodes = [node('frontier', 'frontier'), ...fetchers, ...parsers, node('queue', 'queue'), node('postgres', 'postgres'), node('cache', 'cache')];
  const edges: MeshEdge[] = [
    ...fetchers.map((f, i) => edge('frontier', f.id, i < 2 ? { stats: { rps: i === 0 ? 100 : 50, errorRate: 0, p95Ms: 30 } } : {})),
    ...fetchers.map((f, i) => edge(f.id, `parser-${i % PARSER_COUNT}`)),
    ...parsers.map((p) => edge(p.id, 'queue')),
    edge('parser-0', 'cache'),
    edge('queue', 'postgres', { stats: { rps: 400, errorRate: 0, p95Ms: 40 } }),
  ];
  return { nodes, edges };
}
/** What shows while fetchers are folded. */
const UNFOLDED_IDS = ['frontier', ...Array.from({ length: PARSER_COUNT }, (_, i) => `parser-${i}`), 'queue', 'postgres', 'cache'];
const FETCHERS_BOX = 'group::fetchers';
const PARSERS_BOX = 'group::parsers';

function renderTopology() {
  return render(
    <div style={{ width: '1000px', height: '700px' }}>
      <TopologyView project="groups-test" />
    </div>,
  );
}

/** React Flow's node wrappers once measured (it hides each until it has a size). */
function graphNodes(): HTMLElement[] {
  return Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node[aria-roledescription="node"]'));
}
const drawnIds = () => graphNodes().map((el) => el.getAttribute('data-id')!).sort();
function wrapperOf(id: string): HTMLElement | null {
  return Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node')).find((el) => el.getAttribute('data-id') === id) ?? null;
}
/** The card (or group box) React Flow's wrapper holds. */
function cardOf(id: string): HTMLElement | null {
  return wrapperOf(id)?.querySelector<HTMLElement>('.mesh-node') ?? null;
}

/** Waits until exactly `ids` are drawn; a view of 300 nodes takes jsdom a few seconds to draw. */
async function expectDrawn(ids: readonly string[], timeout = 1_000) {
  const expected = [...ids].sort();
  await waitFor(() => expect(drawnIds()).toEqual(expected), { timeout });
}

/** Lets React Flow's asynchronous measuring settle, so later counts see only what the test caused. */
async function settle() {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
}

/** Renders the large mesh and waits until its folded drawing is on screen and still. */
async function renderLargeMesh() {
  const mesh = largeMesh();
  loadMesh(mesh.nodes, mesh.edges);
  const view = renderTopology();
  await expectDrawn([...UNFOLDED_IDS, FETCHERS_BOX]);
  await settle();
  return view;
}

function expectNoCardRendered(before: ReadonlyMap<string, number>) {
  const rerendered = [...renders.cards].filter(([id, n]) => before.get(id) !== n).map(([id]) => id);
  expect(rerendered).toEqual([]);
}

useBatchedResizeObserver();

beforeEach(() => {
  resetStores();
  resetTopologyView();
  renders.cards.clear();
  renders.groups.clear();
  renders.flowNodeArrays.length = 0;
  renders.zoom = 1;
});
afterEach(cleanup);

describe('topology view of a large mesh', () => {
  it('folds the largest group into one box and renders none of its members', async () => {
    await renderLargeMesh();
    const box = cardOf(FETCHERS_BOX)!;
    expect(box.querySelector('.mesh-group__name')?.textContent).toBe('fetchers');
    expect(box.querySelector('.mesh-group__count')?.textContent).toBe(`× ${FETCHER_COUNT}`);
    expect(box.getAttribute('aria-label')).toMatch(new RegExp(`^fetchers, group of ${FETCHER_COUNT} nodes, ${FETCHER_COUNT} healthy`));
    // Its members' summed traffic: 100/s + 50/s into it.
    expect(box.textContent).toContain('150/s');
    // No member card was ever rendered, and React Flow was never given one.
    expect([...renders.cards.keys()].filter((id) => id.startsWith('fetcher-'))).toEqual([]);
    expect(renders.flowNodeArrays.flat().some((n) => n.id.startsWith('fetcher-'))).toBe(false);
    // The group of 12 parsers stays open: each has its card.
    for (const id of UNFOLDED_IDS) expect(renders.cards.get(id), id).toBeGreaterThan(0);
    // One edge stands for the 290 from frontier, one for the 290 out of the box: far fewer than 600 drawn.
    expect(document.querySelectorAll('.react-flow__edge').length).toBeLessThan(40);
  });

  it('re-renders the box of a group whose member changed status, and no card', async () => {
    await renderLargeMesh();
    act(() => useTopologyView.getState().setGroupCollapsed('parsers', true));
    await expectDrawn(['frontier', 'queue', 'postgres', 'cache', FETCHERS_BOX, PARSERS_BOX]);
    await settle();
    const cardsBefore = new Map(renders.cards);
    const groupsBefore = new Map(renders.groups);
    const flowRendersBefore = renders.flowNodeArrays.length;

    feed({ type: 'node-status', id: 'fetcher-7', status: 'down' });
    await waitFor(() => expect(cardOf(FETCHERS_BOX)?.getAttribute('data-status')).toBe('down'));
    await settle();

    expect(cardOf(FETCHERS_BOX)?.getAttribute('aria-label')).toContain(`${FETCHER_COUNT - 1} healthy, 1 down`);
    expect(renders.groups.get('fetchers')).toBe(groupsBefore.get('fetchers')! + 1);
    expect(renders.groups.get('parsers')).toBe(groupsBefore.get('parsers'));
    expectNoCardRendered(cardsBefore);
    expect(renders.flowNodeArrays.length).toBe(flowRendersBefore);
    expect(wrapperOf('fetcher-7')).toBeNull();
  });

  it('re-renders no box when a status change leaves its counts as they were', async () => {
    await renderLargeMesh();
    const groupsBefore = new Map(renders.groups);
    const cardsBefore = new Map(renders.cards);

    feed({ type: 'node-status', id: 'queue', status: 'degraded' });
    await waitFor(() => expect(cardOf('queue')?.getAttribute('data-status')).toBe('degraded'));
    await settle();

    expect(renders.groups).toEqual(groupsBefore);
    expect(renders.cards.get('queue')).toBe(cardsBefore.get('queue')! + 1);
    expectNoCardRendered(new Map([...cardsBefore, ['queue', cardsBefore.get('queue')! + 1]]));
  });

  it('re-renders no card when edge stats change, and only the box whose traffic changed', async () => {
    await renderLargeMesh();
    const cardsBefore = new Map(renders.cards);
    const groupsBefore = new Map(renders.groups);
    const flowRendersBefore = renders.flowNodeArrays.length;

    // Between two drawn nodes: the edge's label changes, nothing else.
    feed({ type: 'edge-stats', id: 'queue->postgres', stats: { rps: 980, errorRate: 0, p95Ms: 14 } });
    await waitFor(() => expect(document.body.textContent).toContain('980/s'));
    await settle();
    expectNoCardRendered(cardsBefore);
    expect(renders.groups).toEqual(groupsBefore);

    // Into the folded group: its box sums the traffic, so it re-renders; still no card does.
    feed({ type: 'edge-stats', id: 'frontier->fetcher-3', stats: { rps: 25, errorRate: 0, p95Ms: 20 } });
    await waitFor(() => expect(cardOf(FETCHERS_BOX)?.textContent).toContain('175/s'));
    await settle();
    expectNoCardRendered(cardsBefore);
    expect(renders.groups.get('fetchers')).toBe(groupsBefore.get('fetchers')! + 1);
    expect(renders.flowNodeArrays.length).toBe(flowRendersBefore);
  });

  it('shows the members of a group once it is expanded', async () => {
    await renderLargeMesh();
    act(() => useTopologyView.getState().setGroupCollapsed('fetchers', false));

    // React Flow is given every member, and no box.
    await waitFor(() => {
      const given = renders.flowNodeArrays.at(-1)!.map((n) => n.id);
      expect(given).not.toContain(FETCHERS_BOX);
      expect(given.filter((id) => id.startsWith('fetcher-'))).toHaveLength(FETCHER_COUNT);
    }, { timeout: 5_000 });
    // Past 150 nodes only what is in the viewport stays mounted: some members, drawn as cards.
    await waitFor(() => {
      const members = drawnIds().filter((id) => id.startsWith('fetcher-'));
      expect(members.length).toBeGreaterThan(0);
      expect(cardOf(members[0]!)?.getAttribute('aria-label')).toMatch(new RegExp(`^${members[0]}, fetcher, healthy`));
      expect(wrapperOf(FETCHERS_BOX)).toBeNull();
    }, { timeout: 5_000 });

    // And folds again.
    act(() => useTopologyView.getState().setGroupCollapsed('fetchers', true));
    await expectDrawn([...UNFOLDED_IDS, FETCHERS_BOX], 8_000);
  });

  it('expands a group from its box', async () => {
    await renderLargeMesh();
    act(() => useTopologyView.getState().setGroupCollapsed('parsers', true));
    await waitFor(() => expect(cardOf(PARSERS_BOX)).not.toBeNull());
    act(() => cardOf(PARSERS_BOX)!.querySelector<HTMLButtonElement>('.mesh-group__toggle')!.click());
    await expectDrawn([...UNFOLDED_IDS, FETCHERS_BOX]);
    expect(useTopologyView.getState().params.expanded).toContain('parsers');
  });

  it('in hide mode, draws only the nodes a find matches (and the box of a group with a match)', async () => {
    const mesh = largeMesh();
    loadMesh(mesh.nodes, mesh.edges);
    feed(
      { type: 'node-status', id: 'queue', status: 'degraded' },
      { type: 'node-status', id: 'parser-3', status: 'starting' },
      { type: 'node-status', id: 'fetcher-5', status: 'down' },
    );
    renderTopology();
    await expectDrawn([...UNFOLDED_IDS, FETCHERS_BOX]);

    act(() => {
      useTopologyView.getState().setFind('status!=healthy');
      useTopologyView.getState().setMode('hide');
    });
    await expectDrawn(['queue', 'parser-3', FETCHERS_BOX]);
    // Hidden means not given to React Flow at all, not merely invisible.
    expect(renders.flowNodeArrays.at(-1)!.map((n) => n.id).sort()).toEqual([FETCHERS_BOX, 'parser-3', 'queue']);

    // A node that stops matching leaves; one that starts matching comes.
    feed({ type: 'node-status', id: 'queue', status: 'healthy' }, { type: 'node-status', id: 'cache', status: 'down' });
    await expectDrawn(['cache', 'parser-3', FETCHERS_BOX]);

    // Clearing the find shows everything again.
    act(() => useTopologyView.getState().setFind(''));
    await expectDrawn([...UNFOLDED_IDS, FETCHERS_BOX]);
  });

  it('in highlight mode, marks matches and misses without hiding anything', async () => {
    const mesh = largeMesh();
    loadMesh(mesh.nodes, mesh.edges);
    feed({ type: 'node-status', id: 'queue', status: 'degraded' }, { type: 'node-status', id: 'fetcher-5', status: 'down' });
    renderTopology();
    await expectDrawn([...UNFOLDED_IDS, FETCHERS_BOX]);
    await settle();
    const cardsBefore = new Map(renders.cards);

    act(() => useTopologyView.getState().setFind('status!=healthy'));
    await waitFor(() => expect(cardOf('queue')?.getAttribute('data-find')).toBe('match'));
    expect(cardOf(FETCHERS_BOX)?.getAttribute('data-find')).toBe('match');
    for (const id of UNFOLDED_IDS.filter((id) => id !== 'queue')) expect(cardOf(id)?.getAttribute('data-find'), id).toBe('miss');
    expect(drawnIds()).toEqual([...UNFOLDED_IDS, FETCHERS_BOX].sort());
    // Each card re-rendered once, for its mark.
    for (const id of UNFOLDED_IDS) expect(renders.cards.get(id), id).toBe(cardsBefore.get(id)! + 1);

    act(() => useTopologyView.getState().setFind(''));
    await waitFor(() => expect(cardOf('queue')?.hasAttribute('data-find')).toBe(false));
    expect(cardOf('frontier')?.hasAttribute('data-find')).toBe(false);
  });

  it('draws a node that joins an open group without re-rendering the other cards or the boxes', async () => {
    await renderLargeMesh();
    const cardsBefore = new Map(renders.cards);
    const groupsBefore = new Map(renders.groups);

    feed(
      { type: 'node-upsert', node: node(`parser-${PARSER_COUNT}`, 'parser', { group: 'parsers' }) },
      { type: 'edge-upsert', edge: edge(`parser-${PARSER_COUNT}`, 'queue') },
    );
    await expectDrawn([...UNFOLDED_IDS, `parser-${PARSER_COUNT}`, FETCHERS_BOX]);
    await settle();

    expect(renders.cards.get(`parser-${PARSER_COUNT}`)).toBeGreaterThan(0);
    expectNoCardRendered(new Map([...cardsBefore, [`parser-${PARSER_COUNT}`, renders.cards.get(`parser-${PARSER_COUNT}`)!]]));
    expect(renders.groups).toEqual(groupsBefore);
  });

  it('counts a node that joins a folded group in its box, and draws no card for it', async () => {
    await renderLargeMesh();
    const cardsBefore = new Map(renders.cards);

    feed(
      { type: 'node-upsert', node: node(`fetcher-${FETCHER_COUNT}`, 'fetcher', { group: 'fetchers' }) },
      { type: 'edge-upsert', edge: edge('frontier', `fetcher-${FETCHER_COUNT}`) },
    );
    await waitFor(() => expect(cardOf(FETCHERS_BOX)?.querySelector('.mesh-group__count')?.textContent).toBe(`× ${FETCHER_COUNT + 1}`));
    await settle();
    expect(drawnIds()).toEqual([...UNFOLDED_IDS, FETCHERS_BOX].sort());
    expectNoCardRendered(cardsBefore);
  });
});
