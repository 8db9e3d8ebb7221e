// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { createElement, type ComponentProps } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TopologyView } from '../../../src/features/topology/topology-view.tsx';
import { useSelection } from '../../../src/store/selection.ts';
import { CRAWLER_NODES, feed, loadCrawlerMesh, node, edge, resetStores } from '../mesh-fixtures.ts';

/** Render counters, filled by the wrappers the mocks below put around the real components. */
const renders = vi.hoisted(() => ({
  cards: new Map<string, number>(),
  /** The `nodes` array React Flow was given, once per render of React Flow. */
  flowNodeArrays: [] as unknown[],
  /**
   * jsdom has no layout: the stubs measure React Flow's pane (width: 100 %)
   * as 100 px square, so fitting the graph would zoom far out. The zoom is
   * pinned instead; tests of the zoomed-out drawing set it low.
   */
  zoom: 1,
}));

vi.mock('../../../src/features/topology/node-card', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src/features/topology/node-card.tsx')>();
  return {
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
      renders.flowNodeArrays.push(props.nodes);
      return createElement(actual.ReactFlow, { ...props, minZoom: renders.zoom, maxZoom: renders.zoom });
    },
  };
});

function renderTopology() {
  return render(
    <div style={{ width: '1000px', height: '700px' }}>
      <TopologyView project="test" />
    </div>,
  );
}

/** Graph nodes as React Flow exposes them once measured: wrappers described as a node; the card inside is a button named by its spoken label. */
function graphNodes() {
  return Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node[aria-roledescription="node"]'));
}

/** A node card's accessible name starts with its label: "fetcher-3, fetcher, healthy". */
function spokenName(label: string): RegExp {
  return new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')},`);
}
function nodeWrapper(card: HTMLElement): HTMLElement {
  return card.closest<HTMLElement>('.react-flow__node')!;
}

/** Waits until React Flow shows `count` nodes (it hides each until it has measured it). */
async function findGraphNodes(count: number) {
  await waitFor(() => expect(graphNodes()).toHaveLength(count));
  return graphNodes();
}

/** Lets React Flow's asynchronous measuring settle, so later counts see only what the test caused. */
async function settle() {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
}

beforeEach(() => {
  resetStores();
  renders.cards.clear();
  renders.flowNodeArrays.length = 0;
  renders.zoom = 1;
});
afterEach(cleanup);

describe('topology view', () => {
  it('renders one node element per mesh node', async () => {
    loadCrawlerMesh();
    renderTopology();
    const shown = await findGraphNodes(CRAWLER_NODES.length);
    expect(shown.map((el) => el.getAttribute('data-id')).sort()).toEqual(CRAWLER_NODES.map((n) => n.id).sort());
    for (const meshNode of CRAWLER_NODES) {
      expect(nodeWrapper(screen.getByRole('button', { name: spokenName(meshNode.label) }))).toBeTruthy();
    }
  });

  it('shows status as words and a shape, and edge throughput as a label', async () => {
    loadCrawlerMesh();
    feed({ type: 'node-status', id: 'fetcher-3', status: 'down' });
    renderTopology();
    const fetcher = nodeWrapper(await screen.findByRole('button', { name: spokenName('fetcher-3') }));
    expect(fetcher.textContent).toContain('down');
    expect(fetcher.querySelector('.status-glyph')?.getAttribute('data-status')).toBe('down');
    await waitFor(() => expect(screen.getByText('412/s')).toBeTruthy());
    // Error rate joins the label past 1 %.
    expect(screen.getByText('400/s · 3.1 % err')).toBeTruthy();
  });

  it('re-renders only the node whose status changed, without rebuilding the node list', async () => {
    loadCrawlerMesh();
    renderTopology();
    await findGraphNodes(CRAWLER_NODES.length);
    await settle();

    const cardsBefore = new Map(renders.cards);
    const flowRendersBefore = renders.flowNodeArrays.length;
    const nodesBefore = renders.flowNodeArrays.at(-1);

    feed({ type: 'node-status', id: 'fetcher-2', status: 'degraded' });
    await settle();

    expect(nodeWrapper(screen.getByRole('button', { name: spokenName('fetcher-2') })).textContent).toContain('degraded');
    expect(renders.cards.get('fetcher-2')).toBe(cardsBefore.get('fetcher-2')! + 1);
    for (const meshNode of CRAWLER_NODES) {
      if (meshNode.id !== 'fetcher-2') expect(renders.cards.get(meshNode.id), meshNode.id).toBe(cardsBefore.get(meshNode.id));
    }
    // React Flow itself did not re-render: the node array is the one it already had.
    expect(renders.flowNodeArrays.length).toBe(flowRendersBefore);
    expect(renders.flowNodeArrays.at(-1)).toBe(nodesBefore);
  });

  it('re-renders no node when only edge stats change', async () => {
    loadCrawlerMesh();
    renderTopology();
    await findGraphNodes(CRAWLER_NODES.length);
    await settle();
    const cardsBefore = new Map(renders.cards);
    const flowRendersBefore = renders.flowNodeArrays.length;

    feed({ type: 'edge-stats', id: 'parser->queue', stats: { rps: 980, errorRate: 0, p95Ms: 14 } });
    await waitFor(() => expect(screen.getByText('980/s')).toBeTruthy());

    expect(renders.cards).toEqual(cardsBefore);
    expect(renders.flowNodeArrays.length).toBe(flowRendersBefore);
  });

  it('adds a node that joins the mesh without re-rendering the others', async () => {
    loadCrawlerMesh();
    renderTopology();
    await findGraphNodes(CRAWLER_NODES.length);
    await settle();
    const cardsBefore = new Map(renders.cards);

    feed(
      { type: 'node-upsert', node: node('fetcher-4', 'fetcher', { group: 'fetchers' }) },
      { type: 'edge-upsert', edge: edge('frontier', 'fetcher-4') },
    );

    await findGraphNodes(CRAWLER_NODES.length + 1);
    await settle();
    for (const meshNode of CRAWLER_NODES) {
      expect(renders.cards.get(meshNode.id), meshNode.id).toBe(cardsBefore.get(meshNode.id));
    }
  });

  it('selects a node on click and clears the selection on a click on the pane', async () => {
    loadCrawlerMesh();
    const { container } = renderTopology();
    const parser = nodeWrapper(await screen.findByRole('button', { name: spokenName('parser') }));

    fireEvent.click(parser);
    expect(useSelection.getState().selectedId).toBe('parser');
    await waitFor(() => expect(parser.querySelector('.mesh-node')?.hasAttribute('data-selected')).toBe(true));

    fireEvent.click(container.querySelector('.react-flow__pane')!);
    expect(useSelection.getState().selectedId).toBeNull();
  });

  it('draws nodes as status boxes without text, and edges without labels, when zoomed out too far to read', async () => {
    renders.zoom = 0.2;
    loadCrawlerMesh();
    feed({ type: 'node-status', id: 'queue', status: 'down' });
    renderTopology();
    const queue = nodeWrapper(await screen.findByRole('button', { name: spokenName('queue') }));
    const card = queue.querySelector('.mesh-node')!;
    expect(card.hasAttribute('data-compact')).toBe(true);
    // No label or kind: only the status's shape (down is ✕), as a character.
    expect(card.getAttribute('data-status')).toBe('down');
    expect(card.textContent).toBe('\u2715');
    expect(screen.queryByText('412/s')).toBeNull();
  });

  it('counts nodes by status in its legend', async () => {
    loadCrawlerMesh();
    renderTopology();
    const legend = screen.getByRole('list', { name: 'Nodes by status' });
    expect(legend.textContent).toContain('7 healthy');
    feed({ type: 'node-status', id: 'fetcher-1', status: 'down' }, { type: 'node-status', id: 'queue', status: 'degraded' });
    expect(legend.textContent).toContain('5 healthy');
    expect(legend.textContent).toContain('1 degraded');
    expect(legend.textContent).toContain('1 down');
  });

  it('says it is waiting while the mesh is empty', () => {
    renderTopology();
    expect(screen.getByText('Waiting for the mesh…')).toBeTruthy();
  });
});
