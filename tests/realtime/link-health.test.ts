/**
 * How the realtime client keeps its link honest when timers cannot be
 * trusted (a background tab), when the wall clock cannot (a frozen clock),
 * when the network goes away, and how long it waits before trying again.
 * Fake timers stand in for the page's timers; a separate wall clock, passed
 * as `now`, stands in for `Date.now()`, so the two can disagree as they do in
 * a browser.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeReason } from '../../src/protocol/close-codes.ts';
import type { SnapshotFrame } from '../../src/protocol/frames.ts';
import { BACKOFF, backoffDelay } from '../../src/realtime/backoff.ts';
import { LINK_CHECK, RealtimeConnection, type RealtimeConnectionOptions } from '../../src/realtime/connection.ts';
import { createRealtimeStore, type RealtimeStore } from '../../src/store/realtime.ts';
import { fakeEnvironment, socketRecorder, type FakeEnvironment, type FakeSocket } from './fake-socket.ts';

const URL = 'ws://gateway.test/ws?project=demo';
/** The fake gateway's heartbeat (welcomeFrame's default): the client pings at half of it, capped. */
const HEARTBEAT_MS = 30_000;
const PING_MS = Math.min(LINK_CHECK.maxPingIntervalMs, HEARTBEAT_MS / 2);
/** Silence past this makes a link dead. */
const DEAD_AFTER_MS = PING_MS * LINK_CHECK.deadAfterIntervals + LINK_CHECK.graceMs;
/** random() = 0.5 puts the jitter in the middle: every delay is its nominal value. */
const MID = () => 0.5;

/** Wall-clock ms for the client: follows the fake timers, but can jump ahead (a tab that slept) or stand still. */
function wallClock() {
  let skew = 0;
  let frozenAt: number | null = null;
  return {
    now: () => frozenAt ?? Date.now() + skew,
    /** The clock moves on while no timer fires. */
    jump(ms: number) {
      skew += ms;
    },
    freeze() {
      frozenAt = Date.now() + skew;
    },
  };
}

function snapshot(seq: number, epoch = 'e1'): SnapshotFrame {
  return {
    type: 'snapshot',
    epoch,
    seq,
    state: { nodes: [{ id: 'a', label: 'a', kind: 'fetcher', status: 'healthy' }], edges: [], progress: [], events: [], series: [], logs: [] },
  };
}

function batch(from: number, to: number) {
  const messages = [];
  for (let seq = from; seq <= to; seq++) messages.push({ seq, ts: seq, data: { type: 'event', message: `m${seq}`, severity: 'info' } });
  return { type: 'batch', from, to, messages };
}

const pingsOf = (socket: FakeSocket) => socket.sentMessages.filter((message) => message.type === 'ping');
const helloOf = (socket: FakeSocket) => socket.sentMessages.find((message) => message.type === 'hello');

describe('the realtime link’s health', () => {
  let store: RealtimeStore;
  let sockets: ReturnType<typeof socketRecorder>;
  let environment: FakeEnvironment;
  let clock: ReturnType<typeof wallClock>;
  let connection: RealtimeConnection | null;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
    store = createRealtimeStore();
    sockets = socketRecorder();
    environment = fakeEnvironment();
    clock = wallClock();
    connection = null;
  });
  afterEach(() => {
    connection?.stop();
    vi.useRealTimers();
  });

  async function start(options: Partial<RealtimeConnectionOptions> = {}) {
    connection = new RealtimeConnection({
      url: URL,
      sink: store.getState(),
      createSocket: sockets.create,
      random: MID,
      now: clock.now,
      environment,
      ...options,
    });
    connection.start();
    await Promise.resolve();
  }

  /** Starts, is welcomed, and holds epoch e1 up to seq 12. */
  async function openLink() {
    await start();
    const socket = sockets.last();
    socket.acceptConnection();
    socket.receive(snapshot(10));
    socket.receive(batch(11, 12));
    return socket;
  }

  /** The delay of the pending retry, by the wall clock. */
  const retryDelay = () => store.getState().connection.nextRetryAt! - clock.now();

  describe('a tab that was in the background', () => {
    it.each(['visible', 'focus'] as const)(
      'notices a link silent while its timers slept, on %s, probes it, and resumes on a new socket when the probe goes unanswered',
      async (event) => {
        const first = await openLink();
        // Two minutes pass in the background: no timer fires, no frame comes.
        clock.jump(2 * 60_000);
        expect(sockets.sockets).toHaveLength(1);
        expect(store.getState().status).toBe('open');

        environment.emit(event);
        // Silent by the clock: a ping decides (a throttled tab's quiet link looks the same).
        expect(pingsOf(first)).toHaveLength(1);
        expect(first.closedByClient).toBeNull();
        vi.advanceTimersByTime(LINK_CHECK.probeMs);
        expect(first.closedByClient?.code).toBe(4000);
        expect(store.getState().status).toBe('reconnecting');
        expect(store.getState().connection.lastError).toMatch(/no data for 1\d\d s/);
        // No backoff: the retry is due now.
        expect(retryDelay()).toBe(0);
        vi.advanceTimersByTime(1);
        expect(sockets.sockets).toHaveLength(2);

        const second = sockets.last();
        second.acceptConnection({ resume: 'replay', replayed: 0, seq: 12 });
        expect(helloOf(second)?.resume).toEqual({ epoch: 'e1', seq: 12 });
        expect(store.getState().status).toBe('open');
      },
    );

    it('keeps a link silent by the clock that answers the probe (a throttled tab on a quiet project)', async () => {
      const first = await openLink();
      clock.jump(2 * 60_000);
      environment.emit('visible');
      expect(pingsOf(first)).toHaveLength(1);
      first.receive({ type: 'pong', id: 1, ts: clock.now() });
      vi.advanceTimersByTime(LINK_CHECK.probeMs);
      expect(first.closedByClient).toBeNull();
      expect(sockets.sockets).toHaveLength(1);
      expect(store.getState().status).toBe('open');
    });

    it('keeps a link that was away for less than the dead time, and pings it', async () => {
      const first = await openLink();
      clock.jump(PING_MS);
      environment.emit('visible');
      expect(sockets.sockets).toHaveLength(1);
      expect(first.closedByClient).toBeNull();
      expect(pingsOf(first)).toHaveLength(1);
    });
  });

  describe('a frozen wall clock', () => {
    it('never declares a live link dead', async () => {
      const first = await openLink();
      clock.freeze();
      // Ten minutes of timers, no frame, and a clock that says no time passed.
      for (let i = 0; i < 40; i++) vi.advanceTimersByTime(PING_MS);
      expect(sockets.sockets).toHaveLength(1);
      expect(first.closedByClient).toBeNull();
      expect(store.getState().status).toBe('open');
    });

    it('still pings a link no frame came on for a whole ping interval', async () => {
      const first = await openLink();
      clock.freeze();
      vi.advanceTimersByTime(PING_MS);
      vi.advanceTimersByTime(PING_MS);
      // Whatever the wall clock says, two ping timer ticks with no frame between them make a quiet link.
      expect(pingsOf(first).length).toBeGreaterThanOrEqual(1);
      first.receive({ type: 'pong', id: 1, ts: clock.now() });
      expect(store.getState().status).toBe('open');
    });
  });

  describe('a quiet but live link', () => {
    it('is pinged after a ping interval without frames, and kept alive by the pongs', async () => {
      const first = await openLink();
      vi.advanceTimersByTime(PING_MS - 1);
      expect(pingsOf(first)).toHaveLength(0);
      vi.advanceTimersByTime(1);
      expect(pingsOf(first)).toEqual([{ type: 'ping', id: 1 }]);

      // Ten intervals, each ping answered: far past the dead time, and still the same socket.
      for (let i = 0; i < 10; i++) {
        const ping = pingsOf(first).at(-1)!;
        first.receive({ type: 'pong', id: ping.id, ts: clock.now() });
        vi.advanceTimersByTime(PING_MS);
      }
      expect(10 * PING_MS).toBeGreaterThan(DEAD_AFTER_MS);
      expect(pingsOf(first)).toHaveLength(11);
      expect(sockets.sockets).toHaveLength(1);
      expect(first.closedByClient).toBeNull();
      expect(store.getState().status).toBe('open');
    });

    it('is not pinged while frames keep coming', async () => {
      const first = await openLink();
      for (let seq = 13; seq < 33; seq++) {
        vi.advanceTimersByTime(PING_MS / 4);
        first.receive(batch(seq, seq));
      }
      expect(pingsOf(first)).toHaveLength(0);
    });

    it('is replaced, resuming, once its pings go unanswered past two intervals and the grace', async () => {
      const first = await openLink();
      vi.advanceTimersByTime(2 * PING_MS);
      expect(pingsOf(first)).toHaveLength(2);
      expect(first.closedByClient).toBeNull();
      vi.advanceTimersByTime(PING_MS);
      expect(3 * PING_MS).toBeGreaterThan(DEAD_AFTER_MS);
      // Past the dead time by the clock: one last ping, unanswered within probeMs, ends it.
      expect(first.closedByClient).toBeNull();
      vi.advanceTimersByTime(LINK_CHECK.probeMs);
      expect(first.closedByClient?.code).toBe(4000);
      expect(retryDelay()).toBe(0);
      // A zero-delay timer set inside a timer callback: the fake clock runs it a millisecond later.
      vi.advanceTimersByTime(1);
      expect(sockets.sockets).toHaveLength(2);
      sockets.last().acceptConnection({ resume: 'replay', replayed: 0, seq: 12 });
      expect(helloOf(sockets.last())?.resume).toEqual({ epoch: 'e1', seq: 12 });
    });
  });

  describe('the browser’s network', () => {
    it('goes offline with the browser: the socket is closed and no retry fires until it is back', async () => {
      const first = await openLink();
      environment.emit('offline');
      expect(store.getState().status).toBe('offline');
      expect(store.getState().connection.nextRetryAt).toBeNull();
      expect(first.closedByClient?.code).toBe(4000);
      vi.advanceTimersByTime(10 * 60_000);
      expect(sockets.sockets).toHaveLength(1);
      expect(store.getState().status).toBe('offline');
      expect(vi.getTimerCount()).toBe(0);
    });

    it('drops a pending retry when the browser goes offline', async () => {
      const first = await openLink();
      first.drop(1006);
      expect(store.getState().status).toBe('reconnecting');
      environment.emit('offline');
      expect(store.getState().status).toBe('offline');
      vi.advanceTimersByTime(10 * 60_000);
      expect(sockets.sockets).toHaveLength(1);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('opens a new socket the moment the browser is back online, with no backoff wait, and resumes', async () => {
      const first = await openLink();
      // Three failed attempts first: the backoff would now be several seconds.
      for (let i = 0; i < 3; i++) {
        sockets.last().drop(1006);
        vi.advanceTimersByTime(BACKOFF.maxMs);
      }
      expect(sockets.sockets).toHaveLength(4);
      environment.emit('offline');
      vi.advanceTimersByTime(60_000);
      expect(sockets.sockets).toHaveLength(4);

      environment.emit('online');
      // No timer advanced: the socket is opened by the event itself.
      expect(sockets.sockets).toHaveLength(5);
      sockets.last().acceptConnection({ resume: 'replay', replayed: 0, seq: 12 });
      expect(helloOf(sockets.last())?.resume).toEqual({ epoch: 'e1', seq: 12 });
      expect(store.getState().status).toBe('open');
      expect(first.closedByClient).toBeNull();
    });

    it('starts offline without opening a socket, and opens one when the network comes', async () => {
      environment.online = false;
      await start();
      expect(store.getState().status).toBe('offline');
      expect(sockets.sockets).toHaveLength(0);
      vi.advanceTimersByTime(10 * 60_000);
      expect(sockets.sockets).toHaveLength(0);

      environment.emit('online');
      expect(sockets.sockets).toHaveLength(1);
      sockets.last().acceptConnection();
      expect(store.getState().status).toBe('open');
    });

    it.each([
      ['after going offline', true],
      ['when started offline', false],
    ])('says connecting, not offline, while the socket opened on "online" connects (%s)', async (_when, startOnline) => {
      environment.online = startOnline;
      await start();
      if (startOnline) {
        sockets.last().acceptConnection();
        environment.emit('offline');
      }
      expect(store.getState().status).toBe('offline');
      const count = sockets.sockets.length;
      environment.emit('online');
      expect(sockets.sockets).toHaveLength(count + 1);
      expect(store.getState().status).toBe('connecting');
    });

    it('stops listening to the page when stopped', async () => {
      await openLink();
      expect(environment.listenerCount).toBe(1);
      connection!.stop();
      expect(environment.listenerCount).toBe(0);
      environment.emit('online');
      expect(sockets.sockets).toHaveLength(1);
    });
  });

  describe('backoff', () => {
    it(`resets only after a link has stayed up ${BACKOFF.stableAfterMs} ms`, async () => {
      const first = await openLink();
      first.drop(1006);
      expect(retryDelay()).toBe(backoffDelay(0, MID));
      vi.advanceTimersByTime(retryDelay());
      expect(sockets.sockets).toHaveLength(2);

      // Up, but not for long enough: the next wait is the second step.
      sockets.last().acceptConnection({ resume: 'replay', replayed: 0, seq: 12 });
      vi.advanceTimersByTime(BACKOFF.stableAfterMs - 1);
      expect(store.getState().connection.attempt).toBe(1);
      sockets.last().drop(1006);
      expect(retryDelay()).toBe(backoffDelay(1, MID));
      expect(backoffDelay(1, MID)).toBeGreaterThan(backoffDelay(0, MID));
      vi.advanceTimersByTime(retryDelay());
      expect(sockets.sockets).toHaveLength(3);

      // Up for long enough: back to the first step.
      sockets.last().acceptConnection({ resume: 'replay', replayed: 0, seq: 12 });
      vi.advanceTimersByTime(BACKOFF.stableAfterMs);
      expect(store.getState().connection.attempt).toBe(0);
      sockets.last().drop(1006);
      expect(retryDelay()).toBe(backoffDelay(0, MID));
    });

    /** Drops `failures` unopened sockets in a row, so that the backoff stands at that step. */
    function failRepeatedly(failures: number) {
      for (let i = 0; i < failures; i++) {
        sockets.last().drop(1006);
        vi.advanceTimersByTime(retryDelay());
      }
    }

    it.each([
      { retryAfterMs: 7_000, failures: 0, expected: 7_000 },
      { retryAfterMs: 100, failures: 0, expected: backoffDelay(0, MID) },
      { retryAfterMs: 2_000, failures: 3, expected: backoffDelay(3, MID) },
      { retryAfterMs: 20_000, failures: 3, expected: 20_000 },
    ])(
      'waits at least the gateway’s retryAfterMs on 4429 (%j)',
      async ({ retryAfterMs, failures, expected }) => {
        await openLink();
        failRepeatedly(failures);
        const count = sockets.sockets.length;
        sockets.last().drop(4429, closeReason('rate limit', { retryAfterMs }));
        expect(retryDelay()).toBe(expected);
        vi.advanceTimersByTime(expected - 1);
        expect(sockets.sockets).toHaveLength(count);
        vi.advanceTimersByTime(1);
        expect(sockets.sockets).toHaveLength(count + 1);
      },
    );

    it.each([
      { retryAfterMs: 250, failures: 0, expected: 250 },
      { retryAfterMs: 250, failures: 4, expected: 250 },
      { retryAfterMs: 0, failures: 0, expected: 0 },
      { retryAfterMs: 2_900, failures: 0, expected: 2_900 },
      { retryAfterMs: undefined, failures: 0, expected: backoffDelay(0, MID) },
    ])(
      'on 1001 waits exactly the gateway’s retryAfterMs (%j)',
      async ({ retryAfterMs, failures, expected }) => {
        await openLink();
        failRepeatedly(failures);
        const count = sockets.sockets.length;
        const extra: Record<string, number> = retryAfterMs === undefined ? {} : { retryAfterMs };
        sockets.last().drop(1001, closeReason('gateway shutting down', extra));
        expect(retryDelay()).toBe(expected);
        if (expected > 0) {
          vi.advanceTimersByTime(expected - 1);
          expect(sockets.sockets).toHaveLength(count);
        }
        vi.advanceTimersByTime(expected > 0 ? 1 : 0);
        expect(sockets.sockets).toHaveLength(count + 1);
      },
    );
  });

  describe('a retry held back by a background tab', () => {
    it.each(['visible', 'focus'] as const)('is made at once on %s when the wall clock says it is overdue', async (event) => {
      const first = await openLink();
      first.drop(1006);
      expect(retryDelay()).toBe(backoffDelay(0, MID));
      // The tab sleeps past the retry; its timer has not fired.
      clock.jump(backoffDelay(0, MID) + 30_000);
      expect(sockets.sockets).toHaveLength(1);

      environment.emit(event);
      expect(sockets.sockets).toHaveLength(2);
      sockets.last().acceptConnection({ resume: 'replay', replayed: 0, seq: 12 });
      expect(helloOf(sockets.last())?.resume).toEqual({ epoch: 'e1', seq: 12 });
      // The stalled timer, when it finally fires, opens nothing more.
      vi.advanceTimersByTime(BACKOFF.maxMs);
      expect(sockets.sockets).toHaveLength(2);
    });

    it('waits for the retry when the page comes back before it is due', async () => {
      const first = await openLink();
      first.drop(1006);
      const delay = retryDelay();
      clock.jump(delay / 2);
      environment.emit('visible');
      expect(sockets.sockets).toHaveLength(1);
      expect(store.getState().status).toBe('reconnecting');
      vi.advanceTimersByTime(delay);
      expect(sockets.sockets).toHaveLength(2);
    });
  });
});
