/**
 * The browser's whole realtime pipeline (connection → decoder → per-frame
 * queue → store) against the real gateway on a real port, with the `ws`
 * package standing in for the browser's WebSocket.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { RealtimeConnection, type SocketLike } from '../../src/realtime/connection.ts';
import { Gateway } from '../../src/server/gateway.ts';
import { CrawlSimulator } from '../../src/server/simulator/simulator.ts';
import { createRealtimeStore, type RealtimeStore } from '../../src/store/realtime.ts';

const PROJECT = 'crawl-eu';

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function startGateway(port = 0): Promise<{ gateway: Gateway; server: Server; port: number }> {
  const server = createServer();
  const gateway = new Gateway({ flushIntervalMs: 20 });
  gateway.attach(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { gateway, server, port: (server.address() as AddressInfo).port };
}

async function stopGateway({ gateway, server }: { gateway: Gateway; server: Server }): Promise<void> {
  await gateway.close();
  await new Promise((resolve) => server.close(resolve));
}

function connect(store: RealtimeStore, port: number): RealtimeConnection {
  const connection = new RealtimeConnection({
    url: `ws://127.0.0.1:${port}/ws?project=${PROJECT}`,
    sink: store.getState(),
    createSocket: (url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike,
    random: () => 0,
  });
  connection.start();
  return connection;
}

/** The gateway's view of the topology, in the store's shape, to compare with what the client holds. */
function topologyOf(gateway: Gateway) {
  const state = gateway.room(PROJECT)!.state.snapshot();
  return {
    nodes: Object.fromEntries(state.nodes.map((node) => [node.id, node])),
    edges: Object.fromEntries(state.edges.map((edge) => [edge.id, edge])),
  };
}

describe('the realtime client against the real gateway', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('holds exactly the gateway’s mesh after a snapshot and thousands of live deltas', async () => {
    const running = await startGateway();
    cleanups.push(() => stopGateway(running));
    const simulator = new CrawlSimulator({ seed: 7, size: 60, ratePerSecond: 2_000, now: 1_700_000_000_000 });
    for (const payload of simulator.initial()) running.gateway.publish(PROJECT, payload);

    const store = createRealtimeStore();
    const connection = connect(store, running.port);
    cleanups.push(() => connection.stop());
    await until(() => store.getState().stream.snapshots === 1);
    expect(store.getState().stream.lastSeq).toBe(running.gateway.room(PROJECT)!.seq);

    let published = 0;
    for (let second = 0; second < 10; second++) {
      for (const payload of simulator.step(1_000)) {
        if (running.gateway.publish(PROJECT, payload).ok) published++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    const head = running.gateway.room(PROJECT)!.seq;
    await until(() => store.getState().stream.lastSeq === head);

    const state = store.getState();
    expect(published).toBeGreaterThan(10_000);
    expect(state.stream.received).toBe(published);
    expect(state.stream.rejected).toBe(0);
    const gatewayView = topologyOf(running.gateway);
    expect(state.nodes).toEqual(gatewayView.nodes);
    expect(state.edges).toEqual(gatewayView.edges);
  });

  it('reconnects to a restarted gateway on the same port and takes its new snapshot', async () => {
    const first = await startGateway();
    const simulator = new CrawlSimulator({ seed: 11, size: 30, now: 1_700_000_000_000 });
    for (const payload of simulator.initial()) first.gateway.publish(PROJECT, payload);
    const store = createRealtimeStore();
    const connection = connect(store, first.port);
    cleanups.push(() => connection.stop());
    await until(() => store.getState().stream.snapshots === 1);
    const firstEpoch = store.getState().stream.epoch;

    await stopGateway(first);
    await until(() => store.getState().status === 'reconnecting');
    expect(store.getState().connection.attempt).toBeGreaterThanOrEqual(1);
    // What the client held stays on screen while the gateway is away.
    expect(Object.keys(store.getState().nodes).length).toBeGreaterThan(0);

    const second = await startGateway(first.port);
    cleanups.push(() => stopGateway(second));
    const other = new CrawlSimulator({ seed: 12, size: 20, now: 1_700_000_000_000 });
    for (const payload of other.initial()) second.gateway.publish(PROJECT, payload);

    await until(() => store.getState().stream.snapshots === 2, 15_000);
    const state = store.getState();
    expect(state.status).toBe('open');
    expect(state.stream.epoch).not.toBe(firstEpoch);
    expect(state.nodes).toEqual(topologyOf(second.gateway).nodes);
  });
});
