// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NodeDetails } from '../../../src/features/node-details/node-details.tsx';
import { useSelection } from '../../../src/store/selection.ts';
import { feed, loadCrawlerMesh, resetStores } from '../mesh-fixtures.ts';

beforeEach(resetStores);
afterEach(cleanup);

describe('node details', () => {
  it('shows the node, its metadata and the live stats of its edges', () => {
    loadCrawlerMesh();
    render(<NodeDetails nodeId="parser" onClose={() => {}} />);

    expect(screen.getByRole('heading', { name: 'parser' })).toBeTruthy();
    expect(screen.getByText('version').nextElementSibling?.textContent).toBe('2.4.1');
    expect(screen.getByText('replicas').nextElementSibling?.textContent).toBe('3');

    const incoming = screen.getByRole('region', { name: 'Incoming edges' });
    expect(within(incoming).getAllByRole('listitem')).toHaveLength(3);
    const outgoing = screen.getByRole('region', { name: 'Outgoing edges' });
    expect(within(outgoing).getByRole('listitem').textContent).toContain('412/s');

    feed({ type: 'edge-stats', id: 'parser->queue', stats: { rps: 510, errorRate: 0.08, p95Ms: 1_300 } });
    const row = within(outgoing).getByRole('listitem');
    expect(row.textContent).toContain('510/s');
    expect(row.textContent).toContain('8.0 % err');
    expect(row.textContent).toContain('p95 1.3 s');

    feed({ type: 'node-status', id: 'parser', status: 'degraded' });
    expect(screen.getByText('status').nextElementSibling?.textContent).toContain('degraded');
  });

  it('moves to a neighbour when its edge is clicked, and closes', () => {
    loadCrawlerMesh();
    const onClose = vi.fn();
    render(<NodeDetails nodeId="parser" onClose={onClose} />);
    fireEvent.click(screen.getByRole('button', { name: '→ queue' }));
    expect(useSelection.getState().selectedId).toBe('queue');
    fireEvent.click(screen.getByRole('button', { name: 'Close node details' }));
    expect(onClose).toHaveBeenCalledOnce();
  });

  it('says so when the node has left the mesh', () => {
    loadCrawlerMesh();
    render(<NodeDetails nodeId="fetcher-3" onClose={() => {}} />);
    feed({ type: 'node-delete', id: 'fetcher-3' });
    expect(screen.getByText('This node is no longer in the mesh.')).toBeTruthy();
  });
});
