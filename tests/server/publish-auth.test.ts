/** The publish endpoint under token auth: a publisher needs a bearer token that allows the project. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../src/server/auth.ts';
import { createStandaloneServer, type StandaloneServer } from '../../src/server/standalone.ts';

const SECRET = 'publish-auth-test-secret-of-at-least-32-bytes';
const node = { type: 'node-upsert', node: { id: 'api', label: 'API', kind: 'api', status: 'healthy' } };
let app: StandaloneServer;
let base: string;

beforeAll(async () => {
  app = createStandaloneServer({ gateway: { auth: { secret: SECRET }, projects: ['shop', 'prod'] } });
  const address = await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${address.port}`;
});
afterAll(() => app.close());

function publish(project: string, token?: string, scheme = 'Bearer') {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `${scheme} ${token}`;
  return fetch(`${base}/api/projects/${project}/publish`, { method: 'POST', headers, body: JSON.stringify(node) });
}

describe('POST /api/projects/:id/publish with token auth', () => {
  it.each([
    ['no token', undefined, 'shop', 401],
    ['a garbage token', 'not.a.jwt', 'shop', 401],
  ])('answers %s with %i and publishes nothing', async (_name, token, project, status) => {
    const res = await publish(project, token);
    expect(res.status).toBe(status);
    expect(app.gateway.room(project)?.seq ?? 0).toBe(0);
  });

  it('answers 401 for an expired token', async () => {
    const token = await mintToken(SECRET, { sub: 'ci', projects: '*', expiresInS: -60 });
    expect((await publish('shop', token)).status).toBe(401);
  });

  it('answers 403 for a token that does not allow the project, and 404 for an unknown project', async () => {
    const token = await mintToken(SECRET, { sub: 'ci', projects: ['prod'], publish: true });
    expect((await publish('shop', token)).status).toBe(403);
    const any = await mintToken(SECRET, { sub: 'ci', projects: '*', publish: true });
    expect((await publish('nope', any)).status).toBe(404);
  });

  it('answers 403 for a viewer\'s token: feeding a project takes the publish claim', async () => {
    const viewer = await mintToken(SECRET, { sub: 'alice', projects: ['shop'] });
    const res = await publish('shop', viewer);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toContain('not publish');
    expect(app.gateway.room('shop')?.seq ?? 0).toBe(0);
  });

  it('publishes with a token that allows the project', async () => {
    const token = await mintToken(SECRET, { sub: 'ci', projects: ['shop'], publish: true });
    const res = await publish('shop', token);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 1, seq: 1 });
    expect(app.publishEndpoint.stats().rejected).toBeGreaterThanOrEqual(5);
  });

  it.each(['bearer', 'BEARER', 'bEaReR'])('takes the scheme in any case (%s): RFC 7235', async (scheme) => {
    const token = await mintToken(SECRET, { sub: 'ci', projects: ['prod'], publish: true });
    const res = await publish('prod', token, scheme);
    expect(res.status).toBe(202);
  });

  it('does not take a token under another scheme', async () => {
    const token = await mintToken(SECRET, { sub: 'ci', projects: ['prod'], publish: true });
    expect((await publish('prod', token, 'Basic')).status).toBe(401);
    expect((await publish('prod', token, 'Bearer:')).status).toBe(401);
  });

  it('counts its refusals as rejected publish requests, not as refused WebSocket connections', async () => {
    const rejected = app.publishEndpoint.stats().rejected;
    const viewer = await mintToken(SECRET, { sub: 'alice', projects: ['shop'] });
    const any = await mintToken(SECRET, { sub: 'ci', projects: '*', publish: true });
    expect((await publish('shop')).status).toBe(401);
    expect((await publish('shop', viewer)).status).toBe(403);
    expect((await publish('nope', any)).status).toBe(404);
    expect(app.publishEndpoint.stats().rejected).toBe(rejected + 3);
    expect(app.gateway.stats().refused).toEqual({ unauthorized: 0, forbidden: 0, unknownProject: 0, connectionLimit: 0 });
  });
});
