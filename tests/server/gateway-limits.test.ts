import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../src/protocol/close-codes.ts';
import type { ErrorFrame } from '../../src/protocol/frames.ts';
import { mintToken } from '../../src/server/auth.ts';
import type { GatewayOptions } from '../../src/server/gateway.ts';
import { ManualScheduler } from './manual-scheduler.ts';
import { expectContiguous, startGateway, TestClient, waitFor, type RunningGateway } from './support.ts';

const SECRET = 'meshwatch-test-secret-0123456789-abcdef';

const gateways: RunningGateway[] = [];
const clients: TestClient[] = [];

async function gateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const running = await startGateway({ flushIntervalMs: 10, ...options });
  gateways.push(running);
  return running;
}

/** A client that has been welcomed (or closed, or refused). */
async function connect(running: RunningGateway, options: { token?: string; hello?: false; protocols?: string[] } = {}): Promise<TestClient> {
  const hello = options.hello === false ? false : options.token !== undefined ? { token: options.token } : {};
  const client = new TestClient(running.url('p1'), options.protocols, { hello });
  clients.push(client);
  await waitFor(
    () =>
      client.closeEvent !== null ||
      // A floor client is admitted (or refused) as its upgrade completes; a v1 client once its hello is answered.
      (hello === false || options.protocols?.length === 0 ? client.socket.readyState === client.socket.OPEN : client.welcome !== undefined),
    'welcome or close',
  );
  return client;
}

const errors = (client: TestClient): ErrorFrame[] => client.frames.flatMap((f) => (f.kind === 'error' ? [f.frame] : []));
const pongs = (client: TestClient): number => client.frames.filter((f) => f.kind === 'pong').length;

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

describe('gateway limits', () => {
  it('closes a client sending a frame over 1 MiB with 1009, and counts it', async () => {
    const running = await gateway();
    const client = await connect(running);
    client.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(1024 * 1024) }));
    expect((await client.closed()).code).toBe(CLOSE_CODES.messageTooBig);
    await waitFor(() => running.gateway.stats().clientMessagesRejected === 1, 'counted');
    await waitFor(() => running.gateway.stats().connections === 0, 'forgotten');
  });

  it('closes a client sending more than maxMessagesPerSecond (twice that in a burst) with 4429 and a retry delay', async () => {
    // Time stands still, so the bucket never refills: exactly the burst gets through.
    const running = await gateway({ scheduler: new ManualScheduler(), maxMessagesPerSecond: 5, rateLimitRetryMs: 7_000 });
    const client = await connect(running);
    for (let i = 0; i < 30; i++) client.send(JSON.stringify({ type: 'ping', id: i }));
    const closed = await client.closed();
    expect(closed.code).toBe(CLOSE_CODES.rateLimited);
    expect(JSON.parse(closed.reason)).toEqual({ reason: 'too many messages', retryAfterMs: 7_000, limitPerS: 5 });
    // The hello was the first of the ten.
    expect(pongs(client)).toBe(9);
    expect(running.gateway.stats().rateLimited).toBe(1);
  });

  it('lets a client send at its sustained rate for as long as it likes', async () => {
    const scheduler = new ManualScheduler();
    const running = await gateway({ scheduler, maxMessagesPerSecond: 5 });
    const client = await connect(running);
    for (let second = 0; second < 10; second++) {
      for (let i = 0; i < 5; i++) client.send(JSON.stringify({ type: 'ping', id: second * 5 + i }));
      await client.barrier();
      scheduler.advance(1_000);
    }
    await waitFor(() => pongs(client) === 50, '50 pongs');
    expect(client.closeEvent).toBeNull();
  });

  it('refuses a third viewer of a project limited to two with 4429 and a retry delay, and frees the slot when one leaves', async () => {
    const running = await gateway({ maxConnectionsPerProject: 2, rateLimitRetryMs: 4_000 });
    const first = await connect(running);
    await connect(running, { protocols: [] });
    const third = await connect(running);
    const closed = await third.closed();
    expect(closed.code).toBe(CLOSE_CODES.rateLimited);
    expect(JSON.parse(closed.reason)).toMatchObject({ retryAfterMs: 4_000 });
    const floorThird = await connect(running, { protocols: [] });
    expect((await floorThird.closed()).code).toBe(CLOSE_CODES.rateLimited);
    expect(running.gateway.stats().refused.connectionLimit).toBe(2);

    first.close();
    await waitFor(() => running.gateway.room('p1')!.memberCount === 1, 'slot freed');
    const again = await connect(running);
    expect(again.closeEvent).toBeNull();
    expect(again.welcome).toBeDefined();
    expect(running.gateway.room('p1')!.memberCount).toBe(2);
  });

  it('refuses a user’s third connection with 4429 while another user connects fine, and frees the slot when one leaves', async () => {
    const running = await gateway({ auth: { secret: SECRET }, maxConnectionsPerUser: 2, rateLimitRetryMs: 3_000 });
    const alice = await mintToken(SECRET, { sub: 'alice', projects: '*' });
    const bob = await mintToken(SECRET, { sub: 'bob', projects: '*' });
    const first = await connect(running, { token: alice });
    await connect(running, { token: alice });
    const third = await connect(running, { token: alice });
    const closed = await third.closed();
    expect(closed.code).toBe(CLOSE_CODES.rateLimited);
    expect(JSON.parse(closed.reason)).toMatchObject({ reason: 'too many connections for this user', retryAfterMs: 3_000 });

    const other = await connect(running, { token: bob });
    expect(other.welcome).toMatchObject({ user: 'bob' });
    // The limit holds across projects.
    const elsewhere = new TestClient(running.url('p2'), undefined, { hello: { token: alice } });
    clients.push(elsewhere);
    expect((await elsewhere.closed()).code).toBe(CLOSE_CODES.rateLimited);

    first.close();
    await waitFor(() => running.gateway.stats().connections === 2, 'alice’s first connection gone');
    const again = await connect(running, { token: alice });
    expect(again.closeEvent).toBeNull();
    expect(again.welcome).toMatchObject({ user: 'alice' });
  });

  it('answers messages before hello with hello-first, but pings with pongs', async () => {
    const running = await gateway();
    const client = await connect(running, { hello: false });
    client.send(JSON.stringify({ type: 'ping', id: 1 }));
    client.send(JSON.stringify({ type: 'subscribe', channels: ['events'] }));
    client.send(JSON.stringify({ type: 'resync' }));
    await waitFor(() => errors(client).length === 2 && pongs(client) === 1, 'replies');
    expect(errors(client).map((e) => e.code)).toEqual(['hello-first', 'hello-first']);
    expect(client.frames.some((f) => f.kind === 'snapshot' || f.kind === 'welcome')).toBe(false);
    expect(running.gateway.stats().clientMessagesRejected).toBe(2);

    // Hello still works afterwards.
    client.send(JSON.stringify({ type: 'hello', version: 1 }));
    await waitFor(() => client.snapshot !== undefined, 'snapshot after a late hello');
  });

  it('closes a client that says no hello within helloTimeoutMs with 1008', async () => {
    const scheduler = new ManualScheduler();
    const running = await gateway({ scheduler, helloTimeoutMs: 500 });
    const silent = await connect(running, { hello: false });
    const polite = await connect(running);
    scheduler.advance(499);
    await silent.barrier();
    expect(silent.closeEvent).toBeNull();
    scheduler.advance(1);
    const closed = await silent.closed();
    expect(closed.code).toBe(CLOSE_CODES.policyViolation);
    expect(JSON.parse(closed.reason)).toMatchObject({ reason: 'expected hello' });
    expect(polite.closeEvent).toBeNull();
    // A floor client never says hello and is never timed out for it.
    const floor = await connect(running, { protocols: [] });
    scheduler.advance(1_000);
    await floor.barrier();
    expect(floor.closeEvent).toBeNull();
  });

  it('answers each malformed message with an error frame, counts it, and closes with 1008 once maxBadMessages is reached', async () => {
    const running = await gateway({ maxBadMessages: 5 });
    const bystander = await connect(running);
    const client = await connect(running);
    const bad = ['{', '[]', JSON.stringify({ type: 'nope' }), JSON.stringify({ type: 'ping', id: 'x' })];
    for (const text of bad) client.send(text);
    await waitFor(() => errors(client).length === 4, 'four error frames');
    expect(errors(client).map((e) => e.code)).toEqual(['not-json', 'invalid-message', 'invalid-message', 'invalid-message']);
    expect(client.closeEvent).toBeNull();
    expect(running.gateway.stats().clientMessagesRejected).toBe(4);

    client.send(Buffer.from([0, 1, 2]));
    const closed = await client.closed();
    expect(closed.code).toBe(CLOSE_CODES.policyViolation);
    expect(JSON.parse(closed.reason)).toMatchObject({ reason: 'too many bad messages', rejected: 5 });
    expect(errors(client).map((e) => e.code).at(-1)).toBe('binary-frame');
    expect(running.gateway.stats().clientMessagesRejected).toBe(5);

    for (let i = 0; i < 5; i++) running.gateway.publish('p1', { type: 'event', message: `e${i}`, severity: 'info' });
    await waitFor(() => bystander.envelopes.length === 5, 'bystander unaffected');
    expectContiguous(bystander.envelopes.map((e) => e.seq), 1);
    expect(bystander.closeEvent).toBeNull();
  });

  it('counts bad messages toward 1008 per minute: a few now and then never close a long-lived connection', async () => {
    const scheduler = new ManualScheduler();
    const running = await gateway({ scheduler, maxBadMessages: 3 });
    const client = await connect(running);
    for (let minute = 0; minute < 5; minute++) {
      client.send('{');
      client.send('{');
      await client.barrier();
      scheduler.advance(61_000);
      // Keep the heartbeat happy across the skipped minutes.
      client.send(JSON.stringify({ type: 'ping' }));
      await client.barrier();
    }
    await waitFor(() => errors(client).length === 10, 'ten error frames');
    expect(client.closeEvent).toBeNull();
    for (let i = 0; i < 3; i++) client.send('{');
    expect((await client.closed()).code).toBe(CLOSE_CODES.policyViolation);
  });
});
