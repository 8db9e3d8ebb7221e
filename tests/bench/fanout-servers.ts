/**
 * The servers under test in the fan-out bench, each on its own loopback port
 * in the bench's parent process: the meshwatch gateway (with its HTTP publish
 * endpoint and `/healthz`, shaped as `npm start` serves them), and a plain
 * socket.io 4.8 server whose clients join one room per project.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Server as SocketIoServer } from 'socket.io';
import { pathnameOf, rejectUpgrade, sendJson } from '../../src/server/http/http-helpers.ts';
import { createPublishEndpoint } from '../../src/server/http/publish-endpoint.ts';
import { Gateway, type GatewayOptions, type GatewayStats } from '../../src/server/gateway.ts';

export interface MeshwatchServer {
  gateway: Gateway;
  /** `ws://…/ws?project=<project>` */
  wsUrl: string;
  /** `http://…/api/projects/<project>/publish` */
  publishUrl: string;
  /** `http://…/healthz`, whose `gateway` field is `gateway.stats()` (as `npm start` answers). */
  healthUrl: string;
  close(): Promise<void>;
}

export async function startMeshwatchServer(project: string, options: GatewayOptions = {}): Promise<MeshwatchServer> {
  const gateway = new Gateway(options);
  const publishEndpoint = createPublishEndpoint(gateway);
  const server = createServer((req, res) => {
    if (publishEndpoint.handle(req, res)) return;
    if (req.url === '/healthz') return sendJson(res, 200, { status: 'ok', gateway: gateway.stats() });
    sendJson(res, 404, { error: 'not found' });
  });
  gateway.attach(server);
  // The gateway leaves other paths alone; unanswered, they would hang (as in standalone.ts).
  server.on('upgrade', (req, socket) => {
    if (pathnameOf(req.url) !== '/ws') rejectUpgrade(socket, 404, 'no WebSocket endpoint here');
  });
  const destroySockets = trackSockets(server);
  const port = await listen(server);
  const base = `127.0.0.1:${port}`;
  const encoded = encodeURIComponent(project);
  return {
    gateway,
    wsUrl: `ws://${base}/ws?project=${encoded}`,
    publishUrl: `http://${base}/api/projects/${encoded}/publish`,
    healthUrl: `http://${base}/healthz`,
    async close() {
      await gateway.close();
      destroySockets();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A gateway's counters as its `/healthz` reports them: for gateways in other processes. */
export async function fetchGatewayStats(healthUrl: string): Promise<GatewayStats> {
  const response = await fetch(healthUrl);
  const body = (await response.json()) as { gateway?: GatewayStats };
  if (!body.gateway) throw new Error(`${healthUrl} has no gateway stats`);
  return body.gateway;
}

export interface SocketIoBenchServer {
  io: SocketIoServer;
  /** `http://…`; clients pass the project in the handshake query. */
  url: string;
  /** Sockets in the project's room. */
  roomSize(room: string): number;
  close(): Promise<void>;
}

/** socket.io on the websocket transport only (as its clients are), each socket joining the room named by its `project` query. */
export async function startSocketIoServer(): Promise<SocketIoBenchServer> {
  const server = createServer();
  const io = new SocketIoServer(server, { transports: ['websocket'], serveClient: false });
  io.on('connection', (socket) => {
    const project = socket.handshake.query.project;
    if (typeof project === 'string') void socket.join(project);
    else socket.disconnect(true);
  });
  const destroySockets = trackSockets(server);
  const port = await listen(server);
  return {
    io,
    url: `http://127.0.0.1:${port}`,
    roomSize: (room) => io.of('/').adapter.rooms.get(room)?.size ?? 0,
    async close() {
      io.disconnectSockets(true);
      destroySockets();
      await io.close();
    },
  };
}

/**
 * Every socket the server accepted, upgraded ones included (which
 * `closeAllConnections` no longer sees): a server must not wait on a socket
 * whose client is gone but which nobody reads, so close destroys them all.
 */
function trackSockets(server: Server): () => void {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return () => {
    for (const socket of sockets) socket.destroy();
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}
