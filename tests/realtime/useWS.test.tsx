// @vitest-environment jsdom
import { StrictMode } from 'react';
import { act, render, waitFor } from '@testing-library/react';
import { ws } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SUBPROTOCOL } from '../../src/protocol/frames.ts';
import { welcomeFrame } from './fake-socket.ts';
import { useWS } from '../../src/lib/useWS.ts';
import { initialRealtimeData, useRealtime } from '../../src/store/realtime.ts';

const URL = 'ws://localhost/ws?project=demo';
const gateway = ws.link('ws://localhost/ws');
const server = setupServer();

function Dashboard({ url = URL, enabled = true }: { url?: string; enabled?: boolean }) {
  useWS(url, enabled, { random: () => 0 });
  const status = useRealtime((s) => s.status);
  return <p role="status">{status}</p>;
}

const snapshotFrame = JSON.stringify({
  type: 'snapshot',
  epoch: 'epoch-1',
  seq: 4,
  state: {
    nodes: [{ id: 'frontier', label: 'Frontier', kind: 'frontier', status: 'healthy' }],
    edges: [],
    progress: [],
    events: [],
    series: [],
    logs: [],
  },
});
const batchFrame = JSON.stringify({
  type: 'batch',
  messages: [
    { seq: 5, ts: 1, data: { type: 'node-status', id: 'frontier', status: 'degraded' } },
    { seq: 6, ts: 2, data: { type: 'event', message: 'frontier is slow', severity: 'warn', nodeId: 'frontier' } },
  ],
});

/** A v1 gateway answers the client's hello with a welcome, then `then` sends the stream. */
type MockClient = Parameters<Parameters<typeof gateway.addEventListener<'connection'>>[1]>[0]['client'];
function onHello(client: MockClient, then: () => void = () => {}): void {
  client.addEventListener('message', (event) => {
    if (typeof event.data === 'string' && JSON.parse(event.data).type === 'hello') {
      client.send(JSON.stringify(welcomeFrame({ epoch: 'epoch-1', seq: 4 })));
      then();
    }
  });
}

describe('useWS', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => useRealtime.setState(initialRealtimeData()));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('opens exactly one socket under StrictMode, offering the v1 subprotocol', async () => {
    const protocols: Array<string | string[] | undefined> = [];
    server.use(
      gateway.addEventListener('connection', ({ client, info }) => {
        protocols.push(info.protocols);
        onHello(client);
      }),
    );
    const view = render(
      <StrictMode>
        <Dashboard />
      </StrictMode>,
    );
    await waitFor(() => expect(view.getByRole('status').textContent).toBe('open'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(protocols).toHaveLength(1);
    expect([protocols[0]].flat()).toContain(SUBPROTOCOL);
    view.unmount();
  });

  it('feeds the snapshot, then the deltas, into the store', async () => {
    server.use(
      gateway.addEventListener('connection', ({ client }) =>
        onHello(client, () => {
          client.send(snapshotFrame);
          client.send(batchFrame);
        }),
      ),
    );
    const view = render(<Dashboard />);
    await waitFor(() => expect(useRealtime.getState().nodes.frontier?.status).toBe('degraded'));
    const state = useRealtime.getState();
    expect(state.events[0]?.message).toBe('frontier is slow');
    expect(state.stream).toMatchObject({ epoch: 'epoch-1', lastSeq: 6, received: 2, rejected: 0 });
    view.unmount();
  });

  it('reconnects after the gateway drops it and takes the new snapshot', async () => {
    let connections = 0;
    server.use(
      gateway.addEventListener('connection', ({ client }) => {
        connections++;
        const connection = connections;
        onHello(client, () => {
          client.send(snapshotFrame);
          if (connection === 1) setTimeout(() => client.close(1011, '{"reason":"gateway crashed"}'), 20);
        });
      }),
    );
    const view = render(<Dashboard />);
    await waitFor(() => expect(useRealtime.getState().status).toBe('reconnecting'));
    expect(useRealtime.getState().connection).toMatchObject({ attempt: 1, lastError: 'gateway crashed (1011)' });
    expect(useRealtime.getState().connection.nextRetryAt).toBeGreaterThan(Date.now());
    await waitFor(() => expect(connections).toBe(2), { timeout: 3_000 });
    await waitFor(() => expect(useRealtime.getState().stream.snapshots).toBe(2));
    expect(useRealtime.getState().status).toBe('open');
    view.unmount();
  });

  it('closes the socket on unmount and reports closed', async () => {
    const closed: number[] = [];
    server.use(
      gateway.addEventListener('connection', ({ client }) => {
        onHello(client);
        client.addEventListener('close', (event) => closed.push(event.code));
      }),
    );
    const view = render(<Dashboard />);
    await waitFor(() => expect(useRealtime.getState().status).toBe('open'));
    act(() => view.unmount());
    await waitFor(() => expect(closed).toEqual([1000]));
    expect(useRealtime.getState().status).toBe('closed');
  });

  it('carries channels and log options a component asked for into the next connection', async () => {
    const hellos: Array<{ channels?: string[]; logs?: Array<{ nodeId: string; paused?: boolean }> }> = [];
    server.use(
      gateway.addEventListener('connection', ({ client }) => {
        client.addEventListener('message', (event) => {
          const message = JSON.parse(String(event.data));
          if (message.type === 'hello') hellos.push(message);
        });
        onHello(client);
      }),
    );
    let link: ReturnType<typeof useWS> | null = null;
    function Linked({ enabled }: { enabled: boolean }) {
      link = useWS(URL, enabled, { random: () => 0, channels: ['topology'] });
      return null;
    }
    const view = render(<Linked enabled />);
    await waitFor(() => expect(useRealtime.getState().status).toBe('open'));
    act(() => {
      link!.subscribe(['logs:db']);
      link!.setLogOptions('db', { paused: true });
    });
    // A restart (as after a sign-in): the component that subscribed does not ask again.
    view.rerender(<Linked enabled={false} />);
    view.rerender(<Linked enabled />);
    await waitFor(() => expect(hellos).toHaveLength(2));
    expect(hellos[1]?.channels).toEqual(['topology', 'logs:db']);
    expect(hellos[1]?.logs).toEqual([{ nodeId: 'db', paused: true }]);
    view.unmount();
  });

  it('connects to nothing while disabled', async () => {
    let connections = 0;
    server.use(gateway.addEventListener('connection', () => connections++));
    const view = render(<Dashboard enabled={false} />);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connections).toBe(0);
    expect(useRealtime.getState().status).toBe('idle');
    view.unmount();
  });
});
