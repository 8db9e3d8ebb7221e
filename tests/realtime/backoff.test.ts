import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKOFF, backoffDelay, nominalDelay } from '../../src/realtime/backoff.ts';
import { RealtimeConnection } from '../../src/realtime/connection.ts';
import { createRealtimeStore } from '../../src/store/realtime.ts';
import { socketRecorder } from './fake-socket.ts';

describe('backoff', () => {
  it.each([
    [0, 1_000],
    [1, 1_800],
    [2, 3_240],
    [3, 5_832],
    [4, 10_498],
    [5, 18_896],
    [6, 30_000],
    [20, 30_000],
  ])('waits nominally %i → %i ms (1 s × 1.8ⁿ, capped at 30 s)', (attempt, expected) => {
    expect(Math.round(nominalDelay(attempt))).toBe(expected);
  });

  it('spreads each delay over ±20 % and never past the cap', () => {
    for (const attempt of [0, 3, 6, 12]) {
      const low = backoffDelay(attempt, () => 0);
      const high = backoffDelay(attempt, () => 0.999999);
      expect(low).toBe(Math.round(nominalDelay(attempt) * (1 - BACKOFF.jitter)));
      expect(high).toBe(Math.round(Math.min(BACKOFF.maxMs, nominalDelay(attempt) * (1 + BACKOFF.jitter))));
      expect(high).toBeLessThanOrEqual(BACKOFF.maxMs);
    }
  });
});

describe('the connection when the gateway is unreachable', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('retries on the backoff schedule and shows attempt and next try in the store', async () => {
    const store = createRealtimeStore();
    const sockets = socketRecorder();
    const connection = new RealtimeConnection({
      url: 'ws://gateway.test/ws?project=demo',
      sink: store.getState(),
      createSocket: sockets.create,
      random: () => 0.5, // no jitter: exact nominal delays
    });
    connection.start();
    await Promise.resolve();
    expect(sockets.sockets).toHaveLength(1);

    const observed: number[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      const failedAt = Date.now();
      sockets.last().drop(1006);
      const { status, connection: info } = store.getState();
      expect(status).toBe('reconnecting');
      expect(info.attempt).toBe(attempt + 1);
      const delay = info.nextRetryAt! - failedAt;
      observed.push(delay);
      vi.advanceTimersByTime(delay - 1);
      expect(sockets.sockets).toHaveLength(attempt + 1);
      vi.advanceTimersByTime(1);
      expect(sockets.sockets).toHaveLength(attempt + 2);
      expect(store.getState().status).toBe('connecting');
    }
    expect(observed).toEqual([1_000, 1_800, 3_240, 5_832, 10_498, 18_896, 30_000, 30_000]);
    connection.stop();
  });

  it('resets the attempt count only after the link has stayed up', async () => {
    const store = createRealtimeStore();
    const sockets = socketRecorder();
    const connection = new RealtimeConnection({
      url: 'ws://gateway.test/ws',
      sink: store.getState(),
      createSocket: sockets.create,
      random: () => 0.5,
    });
    connection.start();
    await Promise.resolve();
    sockets.last().drop();
    vi.advanceTimersByTime(1_000);
    sockets.last().drop();
    vi.advanceTimersByTime(1_800);

    // Up briefly, then down again: the backoff keeps growing.
    sockets.last().acceptConnection();
    vi.advanceTimersByTime(BACKOFF.stableAfterMs - 100);
    let failedAt = Date.now();
    sockets.last().drop();
    expect(store.getState().connection.nextRetryAt! - failedAt).toBe(3_240);

    // Up for long enough: the next failure starts from 1 s again.
    vi.advanceTimersByTime(3_240);
    sockets.last().acceptConnection();
    vi.advanceTimersByTime(BACKOFF.stableAfterMs);
    expect(store.getState().connection.attempt).toBe(0);
    failedAt = Date.now();
    sockets.last().drop();
    expect(store.getState().connection.nextRetryAt! - failedAt).toBe(1_000);
    connection.stop();
  });
});
