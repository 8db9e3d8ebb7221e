/**
 * A controllable stand-in for one WebSocket, for unit tests of the connection
 * class: the test plays the gateway's part (open, frames, close). Gateway
 * behaviour itself is tested against the real gateway elsewhere.
 */
import type { SocketFactory, SocketLike } from '../../src/realtime/connection.ts';
import { SUBPROTOCOL, type WelcomeFrame } from '../../src/protocol/frames.ts';
import type { ClientEnvironment, EnvironmentEvent } from '../../src/realtime/environment.ts';

/** A gateway's welcome to a first connection; override fields per test. */
export function welcomeFrame(overrides: Partial<WelcomeFrame> = {}): WelcomeFrame {
  return {
    type: 'welcome',
    version: 1,
    epoch: 'e1',
    seq: 0,
    resume: 'snapshot',
    reason: 'new',
    heartbeatIntervalMs: 30_000,
    idleTimeoutMs: 60_000,
    limits: { maxFrameBytes: 1_048_576, maxMessagesPerSecond: 20, maxBatchMessages: 500, flushIntervalMs: 100 },
    channels: ['topology', 'stats', 'events', 'progress', 'logs:*'],
    presence: { connections: 1, users: [] },
    ...overrides,
  };
}

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
  /**
   * The upgrade succeeds; a v1 client then says hello, which this gateway
   * answers with `welcome` (pass null to hold the welcome back).
   */
  acceptConnection(welcome: Partial<WelcomeFrame> | null = {}) {
    this.readyState = 1;
    this.onopen?.({});
    if (welcome !== null && this.protocol === SUBPROTOCOL) this.receive(welcomeFrame(welcome));
  }

  /** The client messages sent so far, parsed. */
  get sentMessages(): Array<Record<string, unknown>> {
    return this.sent.map((text) => JSON.parse(text) as Record<string, unknown>);
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

/**
 * A page the test controls: `isOnline` answers what the test set, and `emit`
 * plays a browser event ('offline' and 'online' also flip `isOnline`, as the
 * browser's `navigator.onLine` does).
 */
export interface FakeEnvironment extends ClientEnvironment {
  online: boolean;
  emit(event: EnvironmentEvent): void;
  /** Listeners still registered (0 once the client stops listening). */
  readonly listenerCount: number;
}

export function fakeEnvironment(online = true): FakeEnvironment {
  const listeners = new Set<(event: EnvironmentEvent) => void>();
  const environment: FakeEnvironment = {
    online,
    isOnline: () => environment.online,
    listen(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    emit(event) {
      if (event === 'offline') environment.online = false;
      if (event === 'online') environment.online = true;
      for (const listener of [...listeners]) listener(event);
    },
    get listenerCount() {
      return listeners.size;
    },
  };
  return environment;
}

/** Delivers `data` exactly as given (a Buffer, an ArrayBuffer, a number), not stringified as `receive` does. */
export function receiveRaw(socket: FakeSocket, data: unknown): void {
  socket.onmessage?.({ data });
}
