/** Helpers for the gateway tests: a real server on port 0, recording clients, and polling instead of sleeping. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, type ClientOptions } from 'ws';
import { decodeServerFrame, type BatchRange, type DecodedServerFrame } from '../../src/protocol/codec.ts';
import { PROTOCOL_VERSION, SUBPROTOCOL, type HelloMessage, type SnapshotFrame, type WelcomeFrame } from '../../src/protocol/frames.ts';
import type { Envelope } from '../../src/protocol/messages.ts';
import type { Connection } from '../../src/server/connection.ts';
import { Gateway, type GatewayOptions } from '../../src/server/gateway.ts';

/** Polls `condition` until it holds; fails with `message` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, message = 'condition', timeoutMs = 5_000, intervalMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface RunningGateway {
  gateway: Gateway;
  server: Server;
  port: number;
  url(project?: string | null, path?: string): string;
  /** Closes the gateway and the HTTP server; safe to call twice. */
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions = {}, port = 0): Promise<RunningGateway> {
  const gateway = new Gateway(options);
  const server = createServer((_req, res) => res.writeHead(404).end());
  gateway.attach(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = (server.address() as AddressInfo).port;
  let closed: Promise<void> | null = null;
  return {
    gateway,
    server,
    port: actualPort,
    url: (project = 'p1', path = '/ws') =>
      `ws://127.0.0.1:${actualPort}${path}${project === null ? '' : `?project=${encodeURIComponent(project)}`}`,
    close: () =>
      (closed ??= (async () => {
        await gateway.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}

/** A real `ws` client that records everything it receives. */
export class TestClient {
  readonly socket: WebSocket;
  readonly raw: string[] = [];
  readonly frames: DecodedServerFrame[] = [];
  pings = 0;
  closeEvent: { code: number; reason: string } | null = null;
  httpStatus: number | null = null;

  /**
   * A v1 client says `hello` as soon as the socket opens (with `hello`'s
   * fields: resume, channels, token); pass `hello: false` to say nothing.
   */
  constructor(url: string, protocols: string[] = [SUBPROTOCOL], options: ClientOptions & { hello?: Partial<HelloMessage> | false } = {}) {
    const { hello, ...socketOptions } = options;
    this.socket = new WebSocket(url, protocols, socketOptions);
    this.socket.on('open', () => {
      if (this.socket.protocol === SUBPROTOCOL && hello !== false) {
        this.socket.send(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION, ...hello }));
      }
    });
    this.socket.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      this.raw.push(text);
      this.frames.push(decodeServerFrame(text));
    });
    this.socket.on('ping', () => this.pings++);
    this.socket.on('close', (code, reason) => {
      this.closeEvent = { code, reason: reason.toString() };
    });
    this.socket.on('unexpected-response', (_req, res) => {
      this.httpStatus = res.statusCode ?? null;
      res.resume();
      this.closeEvent = { code: -1, reason: `HTTP ${res.statusCode}` };
    });
    this.socket.on('error', () => {});
  }

  static async open(url: string, protocols?: string[], options?: ClientOptions & { hello?: Partial<HelloMessage> | false }): Promise<TestClient> {
    const client = new TestClient(url, protocols, options);
    await waitFor(() => client.socket.readyState === WebSocket.OPEN || client.closeEvent !== null, 'socket open');
    if (client.closeEvent) throw new Error(`connection refused: ${client.closeEvent.reason}`);
    return client;
  }

  get welcome(): WelcomeFrame | undefined {
    const first = this.frames.find((frame) => frame.kind === 'welcome');
    return first?.kind === 'welcome' ? first.frame : undefined;
  }

  get snapshot(): SnapshotFrame | undefined {
    const first = this.frames.find((frame) => frame.kind === 'snapshot');
    return first?.kind === 'snapshot' ? first.frame : undefined;
  }

  /** Every envelope received, in order (batches unpacked, floor frames as they came). */
  get envelopes(): Envelope[] {
    return this.frames.flatMap((frame) => (frame.kind === 'messages' ? frame.messages : []));
  }

  /** Frames that carried envelopes, i.e. batches (v1) or single envelopes (floor). */
  get messageFrames(): Envelope[][] {
    return this.frames.flatMap((frame) => (frame.kind === 'messages' ? [frame.messages] : []));
  }

  send(data: string | Buffer): void {
    this.socket.send(data);
  }

  /**
   * Resolves once the gateway has read everything this client sent before:
   * `ws` answers a protocol ping itself, in order, and (unlike a message) the
   * gateway does not count it as a sign of life.
   */
  async barrier(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once('pong', () => resolve());
      this.socket.ping(undefined, undefined, (error) => error && reject(error));
    });
  }

  async closed(): Promise<{ code: number; reason: string }> {
    await waitFor(() => this.closeEvent !== null, 'socket close');
    return this.closeEvent!;
  }

  close(): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.terminate();
  }
}

/** Asserts that seqs run `from`, `from + 1`, ... with no gap and no duplicate. */
export function expectContiguous(seqs: number[], from: number): void {
  const expected = seqs.map((_, i) => from + i);
  if (seqs.join(',') !== expected.join(',')) {
    throw new Error(`seqs are not contiguous from ${from}: ${seqs.slice(0, 50).join(',')}${seqs.length > 50 ? '…' : ''}`);
  }
}

/**
 * The gateway's live connection objects, in the order they were accepted: for
 * tests that watch what one connection costs (`bufferedBytes`) while it runs.
 */
export function gatewayConnections(gateway: Gateway): Connection[] {
  return [...(gateway as unknown as { connections: Set<Connection> }).connections];
}

/** The seq ranges of a v1 client's batch frames, in order. */
export function batchRanges(client: TestClient): BatchRange[] {
  return client.frames.flatMap((frame) => (frame.kind === 'messages' && frame.range ? [frame.range] : []));
}

/** Asserts that batch ranges follow one another from `from` (each `from` one past the previous `to`), with no overlap. */
export function expectContiguousRanges(ranges: readonly { from: number; to: number }[], from: number): void {
  let next = from;
  for (const [i, range] of ranges.entries()) {
    if (range.from !== next || range.to < range.from) {
      throw new Error(`batch ${i} covers ${range.from}..${range.to}, expected it to start at ${next}`);
    }
    next = range.to + 1;
  }
}
