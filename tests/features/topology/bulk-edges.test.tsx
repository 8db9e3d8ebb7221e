// @vitest-environment jsdom
/**
 * Edges drawn in bulk: past BULK_EDGES_ABOVE drawn edges, one `<svg>` with a
 * `<path>` per look holds every edge but the selected node's, which React
 * Flow draws as usual.
 */
import { act, cleanup, render, waitFor } from '@testing-library/react';
import { createElement, type ComponentProps } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MeshEdge, MeshNode } from '../../../src/protocol/mesh.ts';
import { BULK_EDGES_ABOVE, bulkEdgePath } from '../../../src/features/topology/bulk-edges.tsx';
import { NODE_SIZE } from '../../../src/features/topology/node-size.ts';
import { TopologyView } from '../../../src/features/topology/topology-view.tsx';
import { useTopologyView } from '../../../src/features/topology/view-store.ts';
import { useSelection } from '../../../src/store/selection.ts';
import { CRAWLER_EDGES, edge, feed, loadCrawlerMesh, loadMesh, node, resetStores } from '../mesh-fixtures.ts';
import { resetTopologyView, useBatchedResizeObserver } from './topology-harness.ts';

/** Render counters, filled by the wrappers the mocks below put around the real code. */
const renders = vi.hoisted(() => ({
  /** NodeCard renders, by mesh node id. */
  cards: new Map<string, number>(),
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

vi.mock('@xyflow/react', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@xyflow/react')>();
  return {
    ...actual,
    ReactFlow(props: ComponentProps<typeof actual.ReactFlow>) {
      return createElement(actual.ReactFlow, { ...props, minZoom: renders.zoom, maxZoom: renders.zoom });
    },
  };
});

/**
 * 150 nodes (no more, so React Flow mounts every one and none is culled):
 * 20 hubs and 130 workers, each worker calling 12 hubs: 1,560 edges. No
 * groups, so nothing folds.
 */
const HUBS = 20;
const WORKERS = 130;
const CALLS_PER_WORKER = 12;
const EDGE_COUNT = WORKERS * CALLS_PER_WORKER;
function busyMesh(): { nodes: MeshNode[]; edges: MeshEdge[] } {
  const hubs = Array.from({ length: HUBS }, (_, i) => node(`hub-${i}`, 'hub'));
  const workers = Array.from({ length: WORKERS }, (_, i) => node(`worker-${i}`, 'worker'));
  const edges = workers.flatMap((w, i) => Array.from({ length: CALLS_PER_WORKER }, (_, k) => edge(w.id, `hub-${(i + k) % HUBS}`)));
  return { nodes: [...hubs, ...workers], edges };
}
const busy = busyMesh();
const edgesOf = (id: string) => busy.edges.filter((e) => e.source === id || e.target === id);

function renderTopology() {
  return render(
    <div style={{ width: '1000px', height: '700px' }}>
      <TopologyView project="bulk-edges-test" />
    </div>,
  );
}

const bulkSvg = () => document.querySelector<SVGSVGElement>('svg.bulk-edges');
const bulkPaths = () => Array.from(bulkSvg()?.querySelectorAll('path') ?? []);
/** Bulk paths by look class, for assertions that print well (a DOM node prints React's internals). */
const pathsWith = (className: string) => bulkPaths().filter((path) => path.classList.contains(className));
/** Each sub-path (one per edge) of a bulk path's `d`, `M` included. */
const subPaths = (path: Element) => (path.getAttribute('d') ?? '').split(/(?=M)/).map((d) => d.trim()).filter(Boolean);
const bulkSubPathCount = () => bulkPaths().reduce((n, path) => n + subPaths(path).length, 0);
const flowEdgeIds = () => Array.from(document.querySelectorAll('.react-flow__edge')).map((el) => el.getAttribute('data-id')!).sort();
const drawnNodeCount = () => document.querySelectorAll('.react-flow__node[aria-roledescription="node"]').length;

/** Where React Flow put a node: its wrapper's `translate(xpx, ypx)`. */
function positionOf(id: string): { x: number; y: number } {
  const wrapper = Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node')).find((el) => el.dataset.id === id)!;
  const [, x, y] = wrapper.style.transform.match(/translate\(([-\d.e]+)px,\s*([-\d.e]+)px\)/)!;
  return { x: Number(x), y: Number(y) };
}

/** Lets React Flow's asynchronous measuring settle, so later counts see only what the test caused. */
async function settle() {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
}

/**
 * Renders the busy mesh and waits until every node is drawn and every edge is
 * in the bulk drawing. Laid out as a grid: the layered layout of 1,560 edges
 * takes jsdom seconds, and where the nodes are does not matter here.
 */
async function renderBusyMesh() {
  loadMesh(busy.nodes, busy.edges);
  window.history.replaceState(null, '', '/?layout=grid');
  const view = renderTopology();
  await waitFor(() => expect(drawnNodeCount()).toBe(HUBS + WORKERS), { timeout: 5_000 });
  await waitFor(() => expect(bulkSubPathCount()).toBe(EDGE_COUNT));
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
  renders.zoom = 1;
});
afterEach(cleanup);

describe('bulkEdgePath', () => {
  const start = (d: string) => d.match(/^M\s*([-\d.e]+)[ ,]([-\d.e]+)/)!.slice(1).map(Number);
  const end = (d: string) => d.trim().match(/([-\d.e]+)[ ,]([-\d.e]+)$/)!.slice(1).map(Number);

  it('runs from the right middle of the source card to the left middle of the target card', () => {
    expect(NODE_SIZE).toEqual({ width: 180, height: 56 });
    const d = bulkEdgePath({ x: 10, y: 20 }, { x: 400, y: -90 });
    expect(start(d)).toEqual([190, 48]);
    expect(end(d)).toEqual([400, -62]);
    // One sub-path per edge: a bulk path counts its edges by their `M`s.
    expect(d.match(/M/g)).toHaveLength(1);
  });

  it('is a curve, even backwards (a target left of its source)', () => {
    const d = bulkEdgePath({ x: 500, y: 0 }, { x: 0, y: 300 });
    expect(start(d)).toEqual([680, 28]);
    expect(end(d)).toEqual([0, 328]);
    expect(d).toMatch(/C/);
  });
});

describe('topology view past BULK_EDGES_ABOVE drawn edges', () => {
  it('is a mesh past the threshold, drawn whole', () => {
    expect(EDGE_COUNT).toBeGreaterThan(BULK_EDGES_ABOVE);
    expect(HUBS + WORKERS).toBeLessThanOrEqual(150);
  });

  it('draws every edge in bulk and none through React Flow while nothing is selected', async () => {
    await renderBusyMesh();
    expect(document.querySelectorAll('svg.bulk-edges')).toHaveLength(1);
    expect(bulkSvg()!.closest('.react-flow__viewport-portal')).not.toBeNull();
    expect(flowEdgeIds()).toEqual([]);
    // No stats yet: every edge looks the same, so one path holds them all.
    expect(bulkPaths().map((path) => path.getAttribute('class'))).toEqual(['react-flow__edge-path mesh-edge mesh-edge--idle']);
    expect(bulkPaths()[0]!.style.strokeWidth).toBe('1.5');

    // Each of worker-0's edges runs from its card's right middle to its hub's left middle.
    const all = bulkPaths().flatMap(subPaths);
    const worker = positionOf('worker-0');
    for (const e of edgesOf('worker-0')) {
      const hub = positionOf(e.target);
      const d = bulkEdgePath(worker, hub);
      expect(d.startsWith(`M${worker.x + NODE_SIZE.width},${worker.y + NODE_SIZE.height / 2}`), d).toBe(true);
      expect(d.endsWith(`${hub.x},${hub.y + NODE_SIZE.height / 2}`), d).toBe(true);
      expect(all, e.id).toContain(d);
    }
  });

  it('hands React Flow exactly the selected node\'s edges, and draws the rest in bulk', async () => {
    await renderBusyMesh();

    act(() => useSelection.getState().select('hub-3'));
    const hubEdges = edgesOf('hub-3').map((e) => e.id).sort();
    expect(hubEdges.length).toBeGreaterThan(0);
    await waitFor(() => expect(flowEdgeIds()).toEqual(hubEdges));
    await waitFor(() => expect(bulkSubPathCount()).toBe(EDGE_COUNT - hubEdges.length));
    // None of the hub's edges is in the bulk drawing: nothing starts or ends at its card.
    const hub = positionOf('hub-3');
    const hubEnd = `${hub.x},${hub.y + NODE_SIZE.height / 2}`;
    expect(bulkPaths().flatMap(subPaths).filter((d) => d.endsWith(hubEnd))).toEqual([]);

    // Another selection: its edges move to React Flow, the hub's go back to bulk.
    act(() => useSelection.getState().select('worker-7'));
    const workerEdges = edgesOf('worker-7').map((e) => e.id).sort();
    await waitFor(() => expect(flowEdgeIds()).toEqual(workerEdges));
    await waitFor(() => expect(bulkSubPathCount()).toBe(EDGE_COUNT - workerEdges.length));

    act(() => useSelection.getState().select(null));
    await waitFor(() => expect(flowEdgeIds()).toEqual([]));
    await waitFor(() => expect(bulkSubPathCount()).toBe(EDGE_COUNT));
  });

  it('moves an edge that starts failing into the failing path, re-rendering no card', async () => {
    await renderBusyMesh();
    const cardsBefore = new Map(renders.cards);
    const failing = busy.edges[40]!;

    feed({ type: 'edge-stats', id: failing.id, stats: { rps: 10, errorRate: 0.2, p95Ms: 30 } });
    await waitFor(() => expect(pathsWith('mesh-edge--failing').map(subPaths)).toEqual([[bulkEdgePath(positionOf(failing.source), positionOf(failing.target))]]));
    // The others stay where they were: one idle path of all but one edge.
    expect(pathsWith('mesh-edge--idle').map((path) => subPaths(path).length)).toEqual([EDGE_COUNT - 1]);
    expect(bulkPaths().length).toBe(2);
    await settle();
    expectNoCardRendered(cardsBefore);

    // And back.
    feed({ type: 'edge-stats', id: failing.id, stats: { rps: 0, errorRate: 0, p95Ms: 0 } });
    await waitFor(() => expect(pathsWith('mesh-edge--failing').length).toBe(0));
    expect(pathsWith('mesh-edge--idle').map((path) => subPaths(path).length)).toEqual([EDGE_COUNT]);
    expect(bulkPaths().length).toBe(1);
    await settle();
    expectNoCardRendered(cardsBefore);
  });
});

describe('topology view of a mesh large enough to fold', () => {
  /** 320 nodes: 20 hubs and 300 workers in one group, each worker calling 6 hubs (1,800 edges). Past 300 nodes the workers fold. */
  const GROUPED_WORKERS = 300;
  const grouped = {
    nodes: [
      ...Array.from({ length: HUBS }, (_, i) => node(`hub-${i}`, 'hub')),
      ...Array.from({ length: GROUPED_WORKERS }, (_, i) => node(`worker-${i}`, 'worker', { group: 'workers' })),
    ],
    edges: Array.from({ length: GROUPED_WORKERS }, (_, i) => Array.from({ length: 6 }, (_, k) => edge(`worker-${i}`, `hub-${(i + k) % HUBS}`))).flat(),
  };

  it('draws folded edges through React Flow, and every edge in bulk once the groups are expanded, mounted or not', async () => {
    loadMesh(grouped.nodes, grouped.edges);
    window.history.replaceState(null, '', '/?layout=grid');
    renderTopology();
    // Folded: the box's edges to the 20 hubs, far below the threshold.
    await waitFor(() => expect(flowEdgeIds()).toHaveLength(HUBS), { timeout: 5_000 });
    expect(bulkSvg()).toBeNull();

    act(() => useTopologyView.getState().expandAll());
    await waitFor(() => expect(bulkSubPathCount()).toBe(grouped.edges.length), { timeout: 5_000 });
    expect(grouped.edges.length).toBeGreaterThan(BULK_EDGES_ABOVE);
    // Past 150 nodes React Flow mounts only what is in view; the bulk drawing holds every edge all the same.
    expect(drawnNodeCount()).toBeLessThan(HUBS + GROUPED_WORKERS);
    expect(flowEdgeIds()).toEqual([]);
  });
});

describe('topology view below BULK_EDGES_ABOVE drawn edges', () => {
  it('draws every edge through React Flow, and nothing in bulk', async () => {
    loadCrawlerMesh();
    renderTopology();
    await waitFor(() => expect(flowEdgeIds()).toEqual(CRAWLER_EDGES.map((e) => e.id).sort()));
    await settle();
    expect(bulkSvg()).toBeNull();
  });
});
