/** `stream.lastBatch`: the publish-time range of the received messages last applied, which latency is measured from. */
import { describe, expect, it } from 'vitest';
import type { SnapshotState } from '../../src/protocol/frames.ts';
import { createRealtimeStore } from '../../src/store/realtime.ts';
import { selectLastBatch } from '../../src/store/selectors.ts';
import { BASE_TS, envelope, envelopes, p } from './fixtures.ts';

const emptyState: SnapshotState = { nodes: [], edges: [], progress: [], events: [], series: [], logs: [] };

describe('stream.lastBatch', () => {
  it('is null before any message', () => {
    expect(selectLastBatch(createRealtimeStore().getState())).toBeNull();
  });

  it('holds the size and the oldest and newest envelope ts of the batch just applied, whatever their order', () => {
    const store = createRealtimeStore();
    store.getState().applyBatch([
      envelope(p.node('a'), 1, BASE_TS + 30),
      envelope(p.node('b'), 2, BASE_TS + 10),
      envelope(p.event('x'), 3, BASE_TS + 70),
      envelope(p.status('a', 'down'), 4, BASE_TS + 20),
    ]);
    expect(store.getState().stream.lastBatch).toEqual({ size: 4, oldestTs: BASE_TS + 10, newestTs: BASE_TS + 70 });

    store.getState().applyBatch([envelope(p.event('y'), 5, BASE_TS + 100)]);
    expect(store.getState().stream.lastBatch).toEqual({ size: 1, oldestTs: BASE_TS + 100, newestTs: BASE_TS + 100 });
  });

  it('counts messages that change nothing (a status for a node it does not hold): they were received', () => {
    const store = createRealtimeStore();
    store.getState().applyBatch(envelopes([p.status('ghost', 'down'), p.deleteEdge('nothing')], 1));
    expect(store.getState().stream.lastBatch).toEqual({ size: 2, oldestTs: BASE_TS + 1, newestTs: BASE_TS + 2 });
  });

  it('stays as it was when a batch brings only rejected messages', () => {
    const store = createRealtimeStore();
    store.getState().applyBatch(envelopes([p.node('a')], 1));
    const lastBatch = store.getState().stream.lastBatch;
    store.getState().applyBatch([], 3);
    expect(store.getState().stream.rejected).toBe(3);
    expect(store.getState().stream.lastBatch).toBe(lastBatch);
  });

  it('stays as it was on local edits: clearNode and clearEdge', () => {
    const store = createRealtimeStore();
    store.getState().applyBatch(envelopes([p.node('a'), p.node('b'), p.edge('e', 'a', 'b')], 1));
    const lastBatch = store.getState().stream.lastBatch;
    store.getState().clearEdge('e');
    store.getState().clearNode('a');
    expect(Object.keys(store.getState().nodes)).toEqual(['b']);
    expect(store.getState().stream.lastBatch).toBe(lastBatch);
  });

  it('is set by the messages applied after a snapshot, and left alone by a snapshot that brings none', () => {
    const store = createRealtimeStore();
    store.getState().applySnapshot({ epoch: 'e', seq: 10, state: emptyState });
    expect(store.getState().stream.lastBatch).toBeNull();

    const after = [envelope(p.node('a'), 11, BASE_TS + 11), envelope(p.status('a', 'down'), 12, BASE_TS + 15)];
    store.getState().applySnapshot({ epoch: 'e', seq: 10, state: emptyState }, after);
    const lastBatch = store.getState().stream.lastBatch;
    expect(lastBatch).toEqual({ size: 2, oldestTs: BASE_TS + 11, newestTs: BASE_TS + 15 });

    store.getState().applySnapshot({ epoch: 'e2', seq: 1, state: emptyState });
    expect(store.getState().stream.lastBatch).toBe(lastBatch);
    store.getState().clearMesh();
    expect(store.getState().stream.lastBatch).toBe(lastBatch);
  });
});
