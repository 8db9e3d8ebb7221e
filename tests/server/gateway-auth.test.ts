import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../src/protocol/close-codes.ts';
import { BEARER_PROTOCOL_PREFIX, SUBPROTOCOL, type AuthenticatedFrame, type PresenceFrame } from '../../src/protocol/frames.ts';
import { mintToken } from '../../src/server/auth.ts';
import type { GatewayOptions } from '../../src/server/gateway.ts';
import { ManualScheduler } from './manual-scheduler.ts';
import { startGateway, TestClient, waitFor, type RunningGateway } from './support.ts';

const SECRET = 'meshwatch-test-secret-0123456789-abcdef';
const OTHER_SECRET = 'another-secret-that-is-long-enough-0123456789';

const gateways: RunningGateway[] = [];
const clients: TestClient[] = [];

async function gateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const running = await startGateway({ flushIntervalMs: 10, auth: { secret: SECRET }, ...options });
  gateways.push(running);
  return running;
}

type ConnectOptions = { token?: string; bearer?: string; project?: string; protocols?: string[] };

/** A client that has been welcomed, or closed. */
async function connect(running: RunningGateway, { token, bearer, project = 'p1', protocols }: ConnectOptions = {}): Promise<TestClient> {
  const offered = protocols ?? [SUBPROTOCOL, ...(bearer !== undefined ? [`${BEARER_PROTOCOL_PREFIX}${bearer}`] : [])];
  const client = new TestClient(running.url(project), offered, { hello: token !== undefined ? { token } : {} });
  clients.push(client);
  await waitFor(() => client.welcome !== undefined || client.envelopes.length > 0 || client.closeEvent !== null, 'welcome or close');
  return client;
}

async function expectClosed(client: TestClient, code: number): Promise<{ code: number; reason: string }> {
  const closed = await client.closed();
  expect(closed.code).toBe(code);
  expect(() => JSON.parse(closed.reason)).not.toThrow();
  expect(client.welcome).toBeUndefined();
  return closed;
}

const token = (sub: string, extra: { projects?: '*' | string[]; expiresInS?: number } = {}) =>
  mintToken(SECRET, { sub, projects: extra.projects ?? '*', ...(extra.expiresInS !== undefined ? { expiresInS: extra.expiresInS } : {}) });

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

describe('gateway auth', () => {
  it.each([
    { name: 'no token', make: async () => undefined },
    { name: 'a garbage token', make: async () => 'not.a.jwt' },
    { name: 'a token signed with another secret', make: () => mintToken(OTHER_SECRET, { sub: 'alice', projects: '*' }) },
    { name: 'an expired token', make: () => token('alice', { expiresInS: -120 }) },
  ])('closes a client with $name with 4401', async ({ make }) => {
    const running = await gateway();
    const value = await make();
    const client = await connect(running, value === undefined ? {} : { token: value });
    await expectClosed(client, CLOSE_CODES.unauthorized);
    expect(running.gateway.stats().refused).toMatchObject({ unauthorized: 1, forbidden: 0, unknownProject: 0, connectionLimit: 0 });
    expect(running.gateway.stats().connections).toBe(0);
  });

  it('takes a token from a subprotocol entry, selects exactly meshwatch.v1, and never echoes the token', async () => {
    const running = await gateway();
    const jwt = await token('alice');
    const offered: string[] = [];
    running.server.once('upgrade', (req) => offered.push(String(req.headers['sec-websocket-protocol'])));
    const client = new TestClient(running.url('p1'), [SUBPROTOCOL, `${BEARER_PROTOCOL_PREFIX}${jwt}`]);
    clients.push(client);
    const handshake = new Promise<Record<string, unknown>>((resolve) => client.socket.once('upgrade', (res) => resolve(res.headers)));
    await waitFor(() => client.welcome !== undefined || client.closeEvent !== null, 'welcome');

    expect(offered[0]).toContain(`${BEARER_PROTOCOL_PREFIX}${jwt}`);
    const headers = await handshake;
    expect(headers['sec-websocket-protocol']).toBe('meshwatch.v1');
    expect(JSON.stringify(headers)).not.toContain(jwt);
    expect(client.socket.protocol).toBe(SUBPROTOCOL);
    expect(client.closeEvent).toBeNull();
    expect(client.welcome).toMatchObject({ user: 'alice', tokenExpiresAt: null });
    expect(client.snapshot).toBeDefined();
    expect(client.raw.some((text) => text.includes(jwt))).toBe(false);
  });

  it('takes a token from hello.token', async () => {
    const running = await gateway();
    const expiresInS = 3600;
    const client = await connect(running, { token: await token('bob', { expiresInS }) });
    expect(client.closeEvent).toBeNull();
    expect(client.welcome).toMatchObject({ user: 'bob', resume: 'snapshot' });
    expect(client.welcome!.tokenExpiresAt).toBeGreaterThan(Date.now() + (expiresInS - 10) * 1000);
    expect(client.snapshot).toBeDefined();
  });

  it('closes a client whose token does not list the project with 4403', async () => {
    const running = await gateway();
    const client = await connect(running, { token: await token('carol', { projects: ['p2', 'p3'] }) });
    await expectClosed(client, CLOSE_CODES.forbidden);
    const allowed = await connect(running, { project: 'p2', token: await token('carol', { projects: ['p2', 'p3'] }) });
    expect(allowed.welcome).toMatchObject({ user: 'carol' });
    expect(running.gateway.stats().refused).toMatchObject({ unauthorized: 0, forbidden: 1 });
  });

  it.each([
    { name: 'with auth', auth: true },
    { name: 'without auth', auth: false },
  ])('closes a viewer of a project outside the gateway’s list with 4404, $name', async ({ auth }) => {
    const running = await gateway({ projects: ['p1', 'p2'], ...(auth ? {} : { auth: null }) });
    const options = auth ? { token: await token('dave') } : {};
    const unknown = await connect(running, { ...options, project: 'nope' });
    const closed = await expectClosed(unknown, CLOSE_CODES.unknownProject);
    expect(JSON.parse(closed.reason)).toMatchObject({ reason: 'unknown project' });
    const known = await connect(running, { ...options, project: 'p2' });
    expect(known.welcome).toBeDefined();
    if (!auth) {
      const floor = await connect(running, { project: 'nope', protocols: [] });
      await expectClosed(floor, CLOSE_CODES.unknownProject);
    }
    expect(running.gateway.stats().refused.unknownProject).toBe(auth ? 1 : 2);
    expect(running.gateway.stats().rooms).toBe(1);
  });

  it('closes a floor client with 4401 when auth is on, since it cannot present a token', async () => {
    const running = await gateway();
    running.gateway.publish('p1', { type: 'event', message: 'secret', severity: 'info' });
    const floor = await connect(running, { protocols: [] });
    await expectClosed(floor, CLOSE_CODES.unauthorized);
    expect(floor.envelopes).toEqual([]);
    expect(running.gateway.stats().refused.unauthorized).toBe(1);
  });

  describe('on a clock the test moves', () => {
    /** Heartbeats far apart, so that moving the clock by minutes times out nobody. */
    const QUIET = { heartbeatIntervalMs: 24 * 3600_000, idleTimeoutMs: 48 * 3600_000 };

    /** Wall-clock time the gateway sees, and its timers, moved together. */
    function clock() {
      const scheduler = new ManualScheduler();
      let offset = 0;
      return {
        scheduler,
        now: () => Date.now() + offset,
        advance(ms: number) {
          offset += ms;
          scheduler.advance(ms);
        },
      };
    }

    it('closes a connection whose token expires while connected with 4401', async () => {
      const time = clock();
      const running = await gateway({ ...QUIET, scheduler: time.scheduler, now: time.now });
      const client = await connect(running, { token: await token('erin', { expiresInS: 60 }) });
      expect(client.welcome).toMatchObject({ user: 'erin' });
      time.advance(30_000);
      await client.barrier();
      expect(client.closeEvent).toBeNull();
      time.advance(31_000);
      const closed = await expectClosedAfterWelcome(client, CLOSE_CODES.unauthorized);
      expect(JSON.parse(closed.reason)).toMatchObject({ reason: 'token expired' });
    });

    it('keeps a connection past its first token’s expiry once it sends a fresh one', async () => {
      const time = clock();
      const running = await gateway({ ...QUIET, scheduler: time.scheduler, now: time.now });
      const client = await connect(running, { token: await token('erin', { expiresInS: 60 }) });
      const fresh = await token('erin', { expiresInS: 3600 });
      client.send(JSON.stringify({ type: 'auth', token: fresh }));
      await waitFor(() => client.frames.some((f) => f.kind === 'authenticated'), 'authenticated frame');
      const authenticated = client.frames.find((f) => f.kind === 'authenticated') as { frame: AuthenticatedFrame };
      expect(authenticated.frame.user).toBe('erin');
      expect(authenticated.frame.tokenExpiresAt).toBeGreaterThan(time.now() + 3000 * 1000);

      time.advance(120_000); // well past the first token's expiry
      await client.barrier();
      running.gateway.publish('p1', { type: 'event', message: 'still here', severity: 'info' });
      time.advance(100);
      await waitFor(() => client.envelopes.length === 1, 'a delta after the first expiry');
      expect(client.closeEvent).toBeNull();

      time.advance(3600_000); // and the fresh one expires in its turn
      await expectClosedAfterWelcome(client, CLOSE_CODES.unauthorized);
    });

    it('closes a connection that refreshes with another user’s token with 4401', async () => {
      const time = clock();
      const running = await gateway({ ...QUIET, scheduler: time.scheduler, now: time.now });
      const client = await connect(running, { token: await token('erin', { expiresInS: 60 }) });
      client.send(JSON.stringify({ type: 'auth', token: await token('mallory', { expiresInS: 3600 }) }));
      const closed = await expectClosedAfterWelcome(client, CLOSE_CODES.unauthorized);
      expect(JSON.parse(closed.reason)).toMatchObject({ reason: 'token is for another user' });
      expect(client.frames.some((f) => f.kind === 'authenticated')).toBe(false);
    });

    it('closes a connection that refreshes with a token for other projects with 4403', async () => {
      const time = clock();
      const running = await gateway({ ...QUIET, scheduler: time.scheduler, now: time.now });
      const client = await connect(running, { token: await token('erin', { expiresInS: 60 }) });
      client.send(JSON.stringify({ type: 'auth', token: await token('erin', { projects: ['elsewhere'], expiresInS: 3600 }) }));
      await expectClosedAfterWelcome(client, CLOSE_CODES.forbidden);
    });
  });

  it('names the signed-in users in welcome and in later presence frames', async () => {
    const running = await gateway();
    const alice = await connect(running, { token: await token('alice') });
    expect(alice.welcome!.presence).toEqual({ connections: 1, users: ['alice'] });
    const bob = await connect(running, { token: await token('bob') });
    expect(bob.welcome!.presence).toEqual({ connections: 2, users: ['alice', 'bob'] });
    const alice2 = await connect(running, { token: await token('alice') });
    expect(alice2.welcome!.presence).toEqual({ connections: 3, users: ['alice', 'bob'] });

    const presence = (client: TestClient): PresenceFrame[] => client.frames.flatMap((f) => (f.kind === 'presence' ? [f.frame] : []));
    await waitFor(() => presence(alice).some((p) => p.connections === 3), 'presence after the joins');
    expect(presence(alice).at(-1)).toEqual({ type: 'presence', connections: 3, users: ['alice', 'bob'] });

    bob.close();
    await waitFor(() => presence(alice).at(-1)?.users.length === 1, 'presence after bob left');
    expect(presence(alice).at(-1)).toEqual({ type: 'presence', connections: 2, users: ['alice'] });
    expect(presence(alice2).at(-1)).toEqual({ type: 'presence', connections: 2, users: ['alice'] });
  });

  it('counts refusals by close code in stats', async () => {
    const running = await gateway({ projects: ['p1'], maxConnectionsPerUser: 1 });
    await connect(running);
    await connect(running, { token: 'garbage' });
    await connect(running, { protocols: [] });
    await connect(running, { token: await token('x', { projects: ['p9'] }) });
    await connect(running, { project: 'p9', token: await token('x') });
    await connect(running, { token: await token('y') });
    await connect(running, { token: await token('y') });
    await waitFor(() => clients.filter((c) => c.closeEvent !== null).length === 6, 'six refusals');
    expect(running.gateway.stats()).toMatchObject({
      authRequired: true,
      connections: 1,
      refused: { unauthorized: 3, forbidden: 1, unknownProject: 1, connectionLimit: 1 },
    });
    expect(clients.map((c) => c.closeEvent?.code ?? 'open')).toEqual([4401, 4401, 4401, 4403, 4404, 'open', 4429]);
  });
});

/** Like expectClosed, for a client that was welcomed first. */
async function expectClosedAfterWelcome(client: TestClient, code: number): Promise<{ code: number; reason: string }> {
  expect(client.welcome).toBeDefined();
  const closed = await client.closed();
  expect(closed.code).toBe(code);
  return closed;
}
