/**
 * A scripted gateway: speaks meshwatch.v1 and sends exactly the frames a test
 * tells it to, so the recorder can be shown what a real gateway rarely does
 * (a gap in seqs) and what it answers seen from the server side.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodeBatchFrame, encodeEnvelope, encodeSnapshotFrame } from '../../../src/protocol/codec.ts';
import { SUBPROTOCOL, type SnapshotReason, type SnapshotState } from '../../../src/protocol/frames.ts';
import type { Envelope, Payload } from '../../../src/protocol/messages.ts';
import { waitFor } from '../support.ts';

export const EMPTY_STATE: SnapshotState = { nodes: [], edges: [], progress: [], events: [], series: [], logs: [] };

export class FakeGateway {
  /** Client messages received, parsed. */
  readonly received: Array<{ type: string }> = [];
  /** The close code the client sent, once its socket has closed on our side. */
  closeCode: number | null = null;
  /** Pongs the client sent: it answers a ping only once it has read every frame sent before it. */
  pongs = 0;
  private socket: WebSocket | null = null;

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
  ) {
    wss.on('connection', (socket) => {
      this.socket = socket;
      socket.on('message', (data) => this.received.push(JSON.parse(data.toString()) as { type: string }));
      socket.on('close', (code) => (this.closeCode = code));
      socket.on('pong', () => this.pongs++);
    });
  }

  static async start(): Promise<FakeGateway> {
    const server = createServer();
    const wss = new WebSocketServer({ server, handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FakeGateway(server, wss);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/ws`;
  }

  /** Resolves once the client has said hello. */
  async hello(): Promise<void> {
    await waitFor(() => this.received.some((m) => m.type === 'hello'), 'hello');
  }

  snapshot(seq: number, state: SnapshotState, reason?: SnapshotReason): void {
    this.socket!.send(encodeSnapshotFrame('fake-epoch', seq, state, reason));
  }

  /** A batch of `payloads` stamped from seq `from` on. */
  batch(from: number, payloads: readonly Payload[]): void {
    const envelopes = payloads.map((data, i): Envelope => ({ seq: from + i, ts: 1_000 + from + i, data }));
    this.socket!.send(encodeBatchFrame(envelopes.map(encodeEnvelope), from, from + payloads.length - 1));
  }

  ping(): void {
    this.socket!.ping();
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => this.server.close(() => resolve())));
  }
}
