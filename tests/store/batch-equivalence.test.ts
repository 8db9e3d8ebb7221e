/**
 * Batching is an optimisation, not a semantic: a mixed stream applied in
 * batches of any size must leave the same data as the same stream applied one
 * message at a time. Only `topologyVersion` (bumped per batch) and the ids
 * (per-store counters) may differ.
 */
import { describe, expect, it } from 'vitest';
import { createRealtimeStore, STORE_LIMITS, type StoreLimits } from '../../src/store/realtime.ts';
import { comparableData, envelopes, mixedStream, prng, SMALL_LIMITS } from './fixtures.ts';

function applyInBatches(limits: StoreLimits, seed: number, length: number, batchSize: number | 'random') {
  const stream = envelopes(mixedStream(seed, length));
  const store = createRealtimeStore(limits);
  const sizes = prng(seed ^ 0x5eed);
  let batches = 0;
  for (let at = 0; at < stream.length; ) {
    const size = batchSize === 'random' ? 1 + sizes.int(60) : batchSize;
    store.getState().applyBatch(stream.slice(at, at + size));
    at += size;
    batches++;
  }
  return { store, batches };
}

function applyOneByOne(limits: StoreLimits, seed: number, length: number) {
  const store = createRealtimeStore(limits);
  for (const message of envelopes(mixedStream(seed, length))) store.getState().apply(message);
  return store;
}

describe('applyBatch', () => {
  const cases = [
    { limits: 'small', seed: 1, length: 2_000, batchSize: 7 },
    { limits: 'small', seed: 2, length: 2_000, batchSize: 100 },
    { limits: 'small', seed: 3, length: 2_000, batchSize: 'random' },
    { limits: 'small', seed: 4, length: 2_000, batchSize: 2_000 },
    { limits: 'default', seed: 5, length: 5_000, batchSize: 100 },
    { limits: 'default', seed: 6, length: 5_000, batchSize: 5_000 },
    { limits: 'default', seed: 7, length: 5_000, batchSize: 'random' },
  ] as const;

  it.each(cases)(
    'equals applying one message at a time ($limits limits, seed $seed, batches of $batchSize)',
    ({ limits, seed, length, batchSize }) => {
      const bounds = limits === 'small' ? SMALL_LIMITS : STORE_LIMITS;
      const batched = applyInBatches(bounds, seed, length, batchSize);
      const single = applyOneByOne(bounds, seed, length);
      expect(comparableData(batched.store.getState())).toEqual(comparableData(single.getState()));
    },
  );

  it('exercises evictions, deletes and every collection, or the comparison proves little', () => {
    const stream = mixedStream(1, 2_000);
    const types = new Set(stream.map((m) => m.type));
    expect([...types].sort()).toEqual(
      ['chart-point', 'edge-delete', 'edge-stats', 'edge-upsert', 'event', 'log-chunk', 'node-delete', 'node-status', 'node-upsert', 'progress'],
    );
    const series = new Set(stream.flatMap((m) => (m.type === 'chart-point' ? [m.series] : [])));
    const logNodes = new Set(stream.flatMap((m) => (m.type === 'log-chunk' ? [m.nodeId] : [])));
    expect(series.size).toBeGreaterThan(SMALL_LIMITS.maxSeries);
    expect(logNodes.size).toBeGreaterThan(SMALL_LIMITS.maxLogNodes);

    const final = applyOneByOne(SMALL_LIMITS, 1, 2_000).getState();
    expect(Object.keys(final.charts)).toHaveLength(SMALL_LIMITS.maxSeries);
    expect(final.events).toHaveLength(SMALL_LIMITS.maxEvents);
    expect(Object.keys(final.nodes).length).toBeGreaterThan(0);
    expect(Object.keys(final.edges).length).toBeGreaterThan(0);
  });
});
