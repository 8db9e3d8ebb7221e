/**
 * The realtime store (seed 004's `src/store/realtime.ts`): nodes, edges,
 * events, charts, logs and progress, bounded, fed by the realtime client.
 *
 * Every action is at most one `set`, so at most one notification of every listener:
 * the realtime client calls `applyBatch` once per animation frame, whatever
 * the message rate.
 */
import { create, type StateCreator } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Envelope } from '../protocol/messages.ts';
import { LruKeys } from '../lib/lru-keys.ts';
import { reduceBatch, type BatchCounts, type Bookkeeping } from './apply-batch.ts';
import { reduceLogWindow, reduceMeshReset, reduceSnapshot } from './apply-snapshot.ts';
import { emptyRecord } from './records.ts';
import { snapshotTime } from './status-history.ts';
import { STORE_LIMITS, type RealtimeData, type RealtimeState, type StoreLimits } from './types.ts';

export * from './types.ts';

const NOT_RECEIVED: BatchCounts = { received: 0, rejected: 0 };

export function initialRealtimeData(now = Date.now()): RealtimeData {
  return {
    status: 'idle',
    connection: { url: null, attempt: 0, nextRetryAt: null, lastError: null, since: now },
    stream: { epoch: null, lastSeq: -1, received: 0, rejected: 0, snapshots: 0, coalesced: 0, gaps: 0, sync: null, lastBatch: null },
    nodes: emptyRecord(),
    edges: emptyRecord(),
    events: [],
    charts: emptyRecord(),
    logs: emptyRecord(),
    progress: emptyRecord(),
    seriesByNode: emptyRecord(),
    statusHistory: emptyRecord(),
    topologyVersion: 0,
    presence: null,
  };
}

function realtimeInitializer(limits: StoreLimits): StateCreator<RealtimeState> {
  return (set, get) => {
    const book: Bookkeeping = {
      seriesLru: new LruKeys(),
      logLru: new LruKeys(),
      progressLru: new LruKeys(),
      seriesOwner: new Map(),
      nextId: 1,
    };
    /** Folds received messages into `state`, counting them (and the rejected) in the stream's counters. */
    const reduceCounted = (state: RealtimeData, messages: readonly Envelope[], rejected: number): Partial<RealtimeData> =>
      reduceBatch(state, messages, book, limits, { received: messages.length, rejected });
    const applyBatch: RealtimeState['applyBatch'] = (messages, rejected = 0) => {
      if (messages.length === 0 && rejected === 0) return;
      set(reduceCounted(get(), messages, rejected));
    };
    /** A local edit, not a received message: the stream's counters stay as they are. */
    const applyLocal = (data: Envelope['data']) =>
      set(reduceBatch(get(), [{ seq: get().stream.lastSeq, ts: Date.now(), data }], book, limits, NOT_RECEIVED));
    return {
      ...initialRealtimeData(),

      setConnection: (status, info = {}) =>
        set((state) => ({
          status,
          connection: {
            ...state.connection,
            ...info,
            since: status === state.status ? state.connection.since : Date.now(),
          },
        })),

      apply: (message) => applyBatch([message]),
      applyBatch,

      applySnapshot: (frame, after = [], rejected = 0) => {
        const state = get();
        const snapshot = reduceSnapshot(state, frame, snapshotTime(after), book, limits);
        if (after.length === 0 && rejected === 0) return set(snapshot);
        set({ ...snapshot, ...reduceCounted({ ...state, ...snapshot }, after, rejected) });
      },

      clearMesh: () => set(reduceMeshReset(get(), book)),

      applyLogWindow: (nodeId, lines) => set(reduceLogWindow(get(), nodeId, lines, book, limits)),

      setPresence: (presence) => set({ presence }),

      noteStream: ({ sync, coalesced = 0, gaps = 0 }) =>
        set((state) => ({
          stream: {
            ...state.stream,
            sync: sync ?? state.stream.sync,
            coalesced: state.stream.coalesced + coalesced,
            gaps: state.stream.gaps + gaps,
          },
        })),

      clearNode: (id) => applyLocal({ type: 'node-delete', id }),
      clearEdge: (id) => applyLocal({ type: 'edge-delete', id }),

      clearEvents: () => set({ events: [] }),
    };
  };
}

export type RealtimeStore = StoreApi<RealtimeState>;

/** A plain store with no React attached, for tests, benchmarks and embedding. */
export function createRealtimeStore(limits: StoreLimits = STORE_LIMITS): RealtimeStore {
  return createStore<RealtimeState>()(realtimeInitializer(limits));
}

/** The app's store as a React hook (seed 004): `useRealtime((s) => s.nodes[id])`. */
export const useRealtime = create<RealtimeState>()(realtimeInitializer(STORE_LIMITS));
