/**
 * What the realtime client does after each close code of DESIGN.md's table
 * (and 1006, a dropped connection): the status it reports, the error it
 * shows, and whether and when it opens a new socket. The gateway's side of
 * each code is tested against the real gateway elsewhere.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeReason } from '../../src/protocol/close-codes.ts';
import { BEARER_PROTOCOL_PREFIX, SUBPROTOCOL } from '../../src/protocol/frames.ts';
import { backoffDelay } from '../../src/realtime/backoff.ts';
import { RealtimeConnection, type TokenSource } from '../../src/realtime/connection.ts';
import type { ConnectionStatus } from '../../src/store/types.ts';
import { createRealtimeStore, type RealtimeStore } from '../../src/store/realtime.ts';
import { fakeEnvironment, socketRecorder } from './fake-socket.ts';

const MID = () => 0.5;
/** The first backoff step, with the jitter in the middle. */
const FIRST_BACKOFF = backoffDelay(0, MID);

interface CloseCase {
  code: number;
  /** The close reason the gateway sends. */
  reason: string;
  status: ConnectionStatus;
  /** Substrings of `connection.lastError`; null when there must be none. */
  error: string[] | null;
  /** When the next socket opens, in ms after the close; null when none ever does. */
  reconnectAfterMs: number | null;
}

const said = (code: number, extra: Record<string, number> = {}) => closeReason(`why-${code}`, extra);

const CASES: CloseCase[] = [
  { code: 1000, reason: said(1000), status: 'closed', error: null, reconnectAfterMs: null },
  { code: 1001, reason: said(1001), status: 'reconnecting', error: ['why-1001', '(1001)'], reconnectAfterMs: FIRST_BACKOFF },
  { code: 1001, reason: said(1001, { retryAfterMs: 2_345 }), status: 'reconnecting', error: ['why-1001', '(1001)'], reconnectAfterMs: 2_345 },
  { code: 1008, reason: said(1008), status: 'reconnecting', error: ['why-1008', '(1008)'], reconnectAfterMs: FIRST_BACKOFF },
  { code: 1009, reason: said(1009), status: 'error', error: ['why-1009', '(1009)'], reconnectAfterMs: null },
  { code: 1011, reason: said(1011), status: 'reconnecting', error: ['why-1011', '(1011)'], reconnectAfterMs: FIRST_BACKOFF },
  { code: 4401, reason: said(4401), status: 'error', error: ['why-4401', '(4401)', 'sign-in'], reconnectAfterMs: null },
  { code: 4403, reason: said(4403), status: 'error', error: ['why-4403', '(4403)'], reconnectAfterMs: null },
  { code: 4404, reason: said(4404), status: 'error', error: ['why-4404', '(4404)'], reconnectAfterMs: null },
  { code: 4408, reason: said(4408, { idleMs: 60_000 }), status: 'reconnecting', error: ['why-4408', '(4408)'], reconnectAfterMs: FIRST_BACKOFF },
  { code: 4409, reason: said(4409, { bufferedBytes: 9e6 }), status: 'reconnecting', error: ['why-4409', '(4409)'], reconnectAfterMs: FIRST_BACKOFF },
  { code: 4429, reason: said(4429, { retryAfterMs: 7_000 }), status: 'reconnecting', error: ['why-4429', '(4429)'], reconnectAfterMs: 7_000 },
  { code: 4429, reason: said(4429, { retryAfterMs: 10 }), status: 'reconnecting', error: ['why-4429', '(4429)'], reconnectAfterMs: FIRST_BACKOFF },
  // A dropped connection has no close frame, hence no reason: the client names it.
  { code: 1006, reason: '', status: 'reconnecting', error: ['connection lost', '(1006)'], reconnectAfterMs: FIRST_BACKOFF },
];

/** Lets promise chains (a token source) settle. */
async function settle() {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('the realtime client’s close codes', () => {
  let store: RealtimeStore;
  let sockets: ReturnType<typeof socketRecorder>;
  let connection: RealtimeConnection | null;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
    store = createRealtimeStore();
    sockets = socketRecorder();
    connection = null;
  });
  afterEach(() => {
    connection?.stop();
    vi.useRealTimers();
  });

  async function openLink(getToken?: TokenSource) {
    connection = new RealtimeConnection({
      url: 'ws://gateway.test/ws?project=demo',
      sink: store.getState(),
      createSocket: sockets.create,
      random: MID,
      environment: fakeEnvironment(),
      ...(getToken ? { getToken } : {}),
    });
    connection.start();
    await settle();
    const socket = sockets.last();
    socket.acceptConnection();
    socket.receive({ type: 'snapshot', epoch: 'e1', seq: 7, state: { nodes: [], edges: [], progress: [], events: [], series: [], logs: [] } });
    return socket;
  }

  it.each(CASES.map((c) => [`${c.code}${c.reason ? ` ${c.reason}` : ''}`, c] as const))('after %s', async (_name, c) => {
    const first = await openLink();
    expect(store.getState().status).toBe('open');
    const closedAt = Date.now();
    first.drop(c.code, c.reason);

    const { status, connection: info } = store.getState();
    expect(status).toBe(c.status);
    if (c.error === null) expect(info.lastError).toBeNull();
    else for (const text of c.error) expect(info.lastError).toContain(text);

    if (c.reconnectAfterMs === null) {
      expect(info.nextRetryAt).toBeNull();
      vi.advanceTimersByTime(10 * 60_000);
      expect(sockets.sockets).toHaveLength(1);
      expect(store.getState().status).toBe(c.status);
      return;
    }
    expect(info.nextRetryAt).toBe(closedAt + c.reconnectAfterMs);
    if (c.reconnectAfterMs > 0) {
      vi.advanceTimersByTime(c.reconnectAfterMs - 1);
      expect(sockets.sockets).toHaveLength(1);
    }
    vi.advanceTimersByTime(1);
    expect(sockets.sockets).toHaveLength(2);
    expect(store.getState().status).toBe('connecting');
    // Every reconnect resumes from what the client held.
    const second = sockets.last();
    second.acceptConnection({ resume: 'replay', replayed: 0, seq: 7 });
    expect(second.sentMessages[0]).toMatchObject({ type: 'hello', resume: { epoch: 'e1', seq: 7 } });
    expect(store.getState().status).toBe('open');
  });

  describe('4401 with a token source', () => {
    it('asks for a fresh token and offers it on the next socket', async () => {
      const getToken = vi.fn(async ({ fresh }: { fresh: boolean }) => (fresh ? 'fresh-token' : 'first-token'));
      const first = await openLink(getToken);
      expect(getToken).toHaveBeenCalledTimes(1);
      expect(getToken).toHaveBeenLastCalledWith({ fresh: false });
      expect(first.protocols).toEqual([SUBPROTOCOL, `${BEARER_PROTOCOL_PREFIX}first-token`]);

      first.drop(4401, closeReason('token expired'));
      expect(store.getState().status).toBe('reconnecting');
      expect(store.getState().connection.lastError).toBe('token expired (4401)');
      vi.advanceTimersByTime(FIRST_BACKOFF - 1);
      await settle();
      expect(sockets.sockets).toHaveLength(1);
      vi.advanceTimersByTime(1);
      await settle();

      expect(getToken).toHaveBeenCalledTimes(2);
      expect(getToken).toHaveBeenLastCalledWith({ fresh: true });
      expect(sockets.sockets).toHaveLength(2);
      const second = sockets.last();
      expect(second.protocols).toEqual([SUBPROTOCOL, `${BEARER_PROTOCOL_PREFIX}fresh-token`]);
      // The token never rides in the URL.
      expect(second.url).not.toContain('fresh-token');
      second.acceptConnection({ resume: 'replay', replayed: 0, seq: 7 });
      expect(store.getState().status).toBe('open');
      expect(second.sentMessages[0]).toMatchObject({ type: 'hello', resume: { epoch: 'e1', seq: 7 } });
    });

    it('asks for a plain token again once the fresh one was accepted', async () => {
      const getToken = vi.fn(({ fresh }: { fresh: boolean }) => (fresh ? 'fresh-token' : 'first-token'));
      const first = await openLink(getToken);
      first.drop(4401, closeReason('token expired'));
      vi.advanceTimersByTime(FIRST_BACKOFF);
      await settle();
      sockets.last().acceptConnection({ resume: 'replay', replayed: 0, seq: 7 });
      sockets.last().drop(1006);
      vi.advanceTimersByTime(60_000);
      await settle();
      expect(getToken.mock.calls.map(([options]) => options.fresh)).toEqual([false, true, false]);
    });

    it('stops with an error that asks to sign in when there is no fresh token', async () => {
      const getToken = vi.fn(({ fresh }: { fresh: boolean }) => (fresh ? null : 'first-token'));
      const first = await openLink(getToken);
      first.drop(4401, closeReason('token expired'));
      vi.advanceTimersByTime(FIRST_BACKOFF);
      await settle();
      expect(getToken).toHaveBeenLastCalledWith({ fresh: true });
      expect(store.getState().status).toBe('error');
      expect(store.getState().connection.lastError).toMatch(/sign-in/i);
      expect(store.getState().connection.nextRetryAt).toBeNull();
      vi.advanceTimersByTime(10 * 60_000);
      await settle();
      expect(sockets.sockets).toHaveLength(1);
    });
  });
});
