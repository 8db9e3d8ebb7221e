/** Builders for store input in component tests: envelopes and a small crawler mesh. */
import { useClock } from '../../src/store/clock.ts';
import { act } from '@testing-library/react';
import type { MeshEdge, MeshNode } from '../../src/protocol/mesh.ts';
import type { Envelope, Payload } from '../../src/protocol/messages.ts';
import { initialRealtimeData, useRealtime } from '../../src/store/realtime.ts';
import { useSelection } from '../../src/store/selection.ts';

let seq = 0;

export function envelope(data: Payload, ts = Date.now()): Envelope {
  return { seq: ++seq, ts, data };
}

/** Applies payloads as one batch, the way the realtime client does once per frame. */
export function feed(...payloads: Payload[]): void {
  act(() => useRealtime.getState().applyBatch(payloads.map((data) => envelope(data))));
}

export function resetStores(): void {
  useRealtime.setState(initialRealtimeData());
  useSelection.setState({ selectedId: null });
  useClock.setState({ moment: null });
}

export function node(id: string, kind: string, extra: Partial<MeshNode> = {}): MeshNode {
  return { id, label: id, kind, status: 'healthy', ...extra };
}

export function edge(source: string, target: string, extra: Partial<MeshEdge> = {}): MeshEdge {
  return { id: `${source}->${target}`, source, target, ...extra };
}

export const CRAWLER_NODES: MeshNode[] = [
  node('frontier', 'frontier'),
  node('fetcher-1', 'fetcher', { group: 'fetchers' }),
  node('fetcher-2', 'fetcher', { group: 'fetchers' }),
  node('fetcher-3', 'fetcher', { group: 'fetchers' }),
  node('parser', 'parser', { meta: { version: '2.4.1', replicas: 3 } }),
  node('queue', 'queue'),
  node('postgres', 'postgres'),
];

export const CRAWLER_EDGES: MeshEdge[] = [
  edge('frontier', 'fetcher-1', { stats: { rps: 120, errorRate: 0, p95Ms: 80 } }),
  edge('frontier', 'fetcher-2', { stats: { rps: 118, errorRate: 0.002, p95Ms: 95 } }),
  edge('frontier', 'fetcher-3'),
  edge('fetcher-1', 'parser'),
  edge('fetcher-2', 'parser'),
  edge('fetcher-3', 'parser'),
  edge('parser', 'queue', { stats: { rps: 412, errorRate: 0, p95Ms: 12 } }),
  edge('queue', 'postgres', { stats: { rps: 400, errorRate: 0.031, p95Ms: 40 } }),
];

/** The crawler mesh as a snapshot, the way a joining client gets it. */
export function loadCrawlerMesh(): void {
  act(() =>
    useRealtime.getState().applySnapshot({
      epoch: 'test',
      seq: 1,
      state: { nodes: CRAWLER_NODES, edges: CRAWLER_EDGES, progress: [], events: [], series: [], logs: [] },
    }),
  );
}

/** Any mesh as a snapshot, the way a joining client gets it. */
export function loadMesh(nodes: MeshNode[], edges: MeshEdge[]): void {
  act(() =>
    useRealtime.getState().applySnapshot({
      epoch: 'test',
      seq: 1,
      state: { nodes, edges, progress: [], events: [], series: [], logs: [] },
    }),
  );
}
