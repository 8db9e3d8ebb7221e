/**
 * A controllable stand-in for one WebSocket, for unit tests of the connection
 * class: the test plays the gateway's part (open, frames, close). Gateway
 * behaviour itself is tested against the real gateway elsewhere.
 */
import type { SocketFactory, SocketLike } from '../../src/realtime/connection.ts';

export class FakeSocket implements SocketLike {
  readyState = 0;
  protocol: string;
  sent: string[] = [];
  closedByClient: { code?: number; reason?: string } | null = null;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;

  constructor(readonly url: string, readonly protocols: string[]) {
    this.protocol = protocols[0] ?? '';
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code?: number, reason?: string) {
    this.closedByClient = { code, reason };
    this.readyState = 3;
  }
  acceptConnection() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(frame: unknown) {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }
  /** The gateway (or the network) ends the connection. */
  drop(code = 1006, reason = '') {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({ code, reason });
  }
}

export function socketRecorder(): { sockets: FakeSocket[]; create: SocketFactory; last: () => FakeSocket } {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    create: (url, protocols) => {
      const socket = new FakeSocket(url, protocols);
      sockets.push(socket);
      return socket;
    },
    last: () => {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('no socket was opened');
      return socket;
    },
  };
}
