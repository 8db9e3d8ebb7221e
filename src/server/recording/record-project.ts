/**
 * Records a project from outside the gateway, as a v1 client would watch it:
 * `meshwatch.v1`, a hello with every channel (every node's logs included)
 * and the token, then the snapshot and every batch. Works against any
 * gateway, local or remote, with the same rights as a viewer.
 */
import { WebSocket } from 'ws';
import { decodeServerFrame, type DecodedServerFrame } from '../../protocol/codec.ts';
import { parseCloseReason } from '../../protocol/close-codes.ts';
import { assertNever } from '../../lib/assert-never.ts';
import { ALL_CHANNELS, FRAME_LIMITS, PROTOCOL_VERSION, SUBPROTOCOL, type HelloMessage } from '../../protocol/frames.ts';
import { realClock, type RecordingClock } from './clock.ts';
import { RecordingSession, type RecordLimits, type RecordResult } from './session.ts';
import type { RecordingOutput } from './writer.ts';

export interface RecordProjectOptions extends RecordLimits {
  /**
   * The gateway: a server's base URL (`http://localhost:5173`, `ws://host:8080`,
   * whose `/ws` is used) or the WebSocket endpoint itself (`wss://host/ws`).
   */
  url: string;
  project: string;
  /** Sent in the hello, never in the URL. A token that expires ends the recording (4401). */
  token?: string;
  /** A file path (created or truncated) or a stream the caller owns. */
  out: RecordingOutput;
  /** How long to wait for the gateway's snapshot. Default 10 000 ms. */
  connectTimeoutMs?: number;
  clock?: RecordingClock;
}

export type RecordErrorCode = 'bad-url' | 'connect-failed' | 'http-refused' | 'not-meshwatch' | 'closed' | 'timeout';

/** The recording never began: nothing was written. `closeCode` / `httpStatus` say what the gateway answered. */
export class RecordError extends Error {
  constructor(
    readonly code: RecordErrorCode,
    message: string,
    readonly closeCode?: number,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'RecordError';
  }
}

/** What a close code means, for an error message (DESIGN.md's table). */
const CLOSE_MEANINGS: ReadonlyMap<number, string> = new Map([
  [1000, 'normal close'],
  [1001, 'gateway going away'],
  [1006, 'connection lost'],
  [1008, 'policy violation'],
  [1009, 'message too big'],
  [1011, 'internal error'],
  [4401, 'missing, invalid or expired token'],
  [4403, 'not allowed to see this project'],
  [4404, 'unknown project'],
  [4408, 'heartbeat timeout'],
  [4409, 'too slow to keep up'],
  [4429, 'rate or connection limit'],
]);

/** Past a snapshot's worth: a project's snapshot is the biggest frame, and the decoder checks its own limit. */
const MAX_FRAME_BYTES = 4 * FRAME_LIMITS.maxServerFrameBytes;
/** How long the gateway gets to answer our close before the socket is cut. */
const CLOSE_GRACE_MS = 2_000;

/** `ws(s)://…/ws?project=<id>` from a base or endpoint URL; throws RecordError('bad-url'). */
export function projectSocketUrl(base: string, project: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new RecordError('bad-url', `not a URL: ${base}`);
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new RecordError('bad-url', `not an http(s) or ws(s) URL: ${base}`);
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/ws';
  url.searchParams.set('project', project);
  return url.toString();
}

/** What a close code means and what the gateway said: `unknown project: no such project` (for 4404). */
export function explainClose(code: number, reason: string): string {
  const said = parseCloseReason(reason).message;
  return `${CLOSE_MEANINGS.get(code) ?? 'closed'}${said ? `: ${said}` : ''}`;
}

/**
 * Records `project` until `signal` aborts, `maxDurationMs` passes,
 * `maxMessages` are written, or the gateway closes the connection; resolves
 * once the file is closed. Rejects with a RecordError when the recording
 * never began (refused, unreachable, closed before the snapshot), or with the
 * file's error if it could not be written.
 */
export function recordProject(options: RecordProjectOptions): Promise<RecordResult> {
  const { project, token, out, connectTimeoutMs = 10_000, clock = realClock, signal } = options;
  return new Promise<RecordResult>((resolve, reject) => {
    const url = projectSocketUrl(options.url, project);
    if (signal?.aborted) return reject(abortReason(signal));
    const socket = new WebSocket(url, [SUBPROTOCOL], { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: connectTimeoutMs });
    let session: RecordingSession | null = null;
    let settled = false;
    /** The last seq held; -1 before the snapshot. */
    let position = -1;
    let awaitingSnapshot = true;
    let lastError: string | null = null;
    const beforeStart = new AbortController();

    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      beforeStart.abort();
      socket.terminate();
      reject(error);
    };
    const finish = (close?: { code: number; reason: string }) => {
      if (settled || !session) return;
      settled = true;
      // A socket paused for a slow file would never read the gateway's answer to the close.
      if (socket.isPaused) socket.resume();
      if (socket.readyState === WebSocket.OPEN) socket.close(1000);
      if (socket.readyState !== WebSocket.CLOSED) {
        // A gateway that does not answer the close is cut off (on the clock: tests hold it to see the close answered).
        const closed = new AbortController();
        socket.once('close', () => closed.abort());
        void clock.sleep(CLOSE_GRACE_MS, closed.signal).then(() => closed.signal.aborted || socket.terminate());
      }
      session.finish(close).then(resolve, reject);
    };

    void clock.sleep(connectTimeoutMs, beforeStart.signal).then(() => {
      if (!session) fail(new RecordError('timeout', `no snapshot from ${url} within ${connectTimeoutMs} ms${lastError ? ` (last error: ${lastError})` : ''}`));
    });
    signal?.addEventListener('abort', () => session === null && fail(abortReason(signal)), { once: true, signal: beforeStart.signal });

    socket.on('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body = (body + chunk).slice(0, 300)));
      response.on('end', () => {
        const said = body.trim() ? `: ${body.trim()}` : '';
        fail(new RecordError('http-refused', `gateway refused the WebSocket upgrade to ${url}: HTTP ${status} ${response.statusMessage ?? ''}`.trimEnd() + said, undefined, status));
      });
      response.on('error', () => fail(new RecordError('http-refused', `gateway refused the WebSocket upgrade to ${url}: HTTP ${status}`, undefined, status)));
    });
    socket.on('error', (error) => {
      // `ws` refuses a handshake that selected none of the subprotocols offered: a WebSocket server, but not a gateway.
      if (!session && /subprotocol/i.test(error.message)) fail(notMeshwatch(url));
      else if (!session) fail(new RecordError('connect-failed', `could not connect to ${url}: ${error.message}`));
      // Once recording, a close event follows and ends it.
    });
    socket.on('open', () => {
      if (socket.protocol !== SUBPROTOCOL) return fail(notMeshwatch(url));
      const hello: HelloMessage = { type: 'hello', version: PROTOCOL_VERSION, channels: [...ALL_CHANNELS] };
      if (token !== undefined) hello.token = token;
      socket.send(JSON.stringify(hello));
    });
    socket.on('close', (code, reason) => {
      const text = reason.toString();
      if (!session) {
        return fail(new RecordError('closed', `gateway closed the connection before the recording began: ${code} ${explainClose(code, text)}`, code));
      }
      finish({ code, reason: explainClose(code, text) });
    });
    socket.on('message', (data, isBinary) => {
      if (settled) return;
      onFrame(decodeServerFrame(isBinary ? null : data.toString()));
    });

    const onFrame = (decoded: DecodedServerFrame) => {
      switch (decoded.kind) {
        case 'snapshot': {
          const { frame } = decoded;
          if (!session) {
            try {
              session = new RecordingSession(out, { project, source: url }, options, clock);
            } catch (error) {
              return fail(error instanceof Error ? error : new Error(String(error)));
            }
            beforeStart.abort();
            void session.ended.then(() => finish());
          }
          position = frame.seq;
          awaitingSnapshot = false;
          return keepUp(session.snapshot(frame.state, frame.seq));
        }
        case 'messages': {
          if (!session || awaitingSnapshot) return;
          const { range } = decoded;
          if (range && range.from > position + 1) {
            // Something never came: a snapshot (written as a catch-up) rather than a recording with a hole.
            awaitingSnapshot = true;
            socket.send(JSON.stringify({ type: 'resync' }));
            return;
          }
          const held = position;
          if (range) {
            position = Math.max(position, range.to);
            if (range.coalesced > 0) session.noteCoalesced(range.coalesced);
          }
          return keepUp(session.deltas(decoded.messages.filter((message) => message.seq > held)));
        }
        case 'error':
          lastError = decoded.frame.message;
          return;
        case 'welcome':
        case 'logs':
        case 'presence':
        case 'authenticated':
        case 'pong':
        case 'invalid':
          return;
        default:
          assertNever(decoded);
      }
    };

    /** The file is slower than the stream: stop reading the socket until it has caught up (the gateway then buffers, and coalesces stats). */
    const keepUp = (ok: boolean) => {
      if (ok || !session || socket.isPaused) return;
      socket.pause();
      session.onDrain(() => socket.resume());
    };
  });
}

function notMeshwatch(url: string): RecordError {
  return new RecordError('not-meshwatch', `${url} did not accept the ${SUBPROTOCOL} subprotocol: not a meshwatch gateway?`);
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('recording aborted before it began');
}
