import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  canAccess,
  createAuthenticator,
  MAX_TOKEN_LENGTH,
  mintToken,
  type Authenticator,
  type Identity,
  type VerifyResult,
} from '../../src/server/auth.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const OTHER_SECRET = 'another-test-secret-that-is-long-enough-0123';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const now = () => Math.floor(Date.now() / 1000);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An HS* token with exactly these claims, for the cases mintToken will not produce. */
function signed(payload: JWTPayload, { secret = SECRET, alg = 'HS256' } = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));
}

function expectFailure(result: VerifyResult, reason: 'missing' | 'invalid' | 'expired') {
  expect(result).toMatchObject({ ok: false, reason });
  if (!result.ok) {
    expect(result.message.length).toBeGreaterThan(0);
    expect(result.message.length).toBeLessThanOrEqual(120);
    expect(result.message).not.toMatch(/\n|at .*\(/);
  }
}

const SECRET_FOR_PUBLISH = 'a-secret-for-the-publish-claim-test-of-32+-bytes';

describe('auth with a shared secret', () => {
  let auth: Authenticator;
  let strict: Authenticator;
  beforeAll(async () => {
    auth = await createAuthenticator({ secret: SECRET });
    strict = await createAuthenticator({ secret: SECRET, issuer: 'meshwatch', audience: 'dashboard' });
  });

  it('requires tokens', () => {
    expect(auth.required).toBe(true);
  });

  it.each([
    { name: 'a project list', projects: ['demo', 'shop'] as string[], expected: new Set(['demo', 'shop']) },
    { name: 'every project', projects: '*' as const, expected: '*' },
    { name: 'no projects', projects: [] as string[], expected: new Set() },
  ])('accepts a valid token for $name', async ({ projects, expected }) => {
    const token = await mintToken(SECRET, { sub: 'alice', projects, expiresInS: 600 });
    const result = await auth.verify(token);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.identity.user).toBe('alice');
    expect(result.identity.projects).toEqual(expected);
    expect(result.identity.expiresAt).toBe((now() + 600) * 1000);
  });

  it('gives a token without exp a null expiresAt, and one without projects no projects', async () => {
    const result = await auth.verify(await signed({ sub: 'bob' }));
    expect(result).toEqual({ ok: true, identity: { user: 'bob', projects: new Set(), expiresAt: null, canPublish: false } });
  });

  it.each(['HS384', 'HS512'])('accepts %s tokens too', async (alg) => {
    expect((await auth.verify(await signed({ sub: 'carol', projects: '*' }, { alg }))).ok).toBe(true);
  });

  it.each([
    { name: 'no token', token: () => undefined, reason: 'missing' },
    { name: 'an empty token', token: () => '', reason: 'missing' },
    { name: 'garbage', token: () => 'not a token', reason: 'invalid' },
    { name: 'three garbage segments', token: () => 'a.b.c', reason: 'invalid' },
    { name: 'a 9000-character string', token: () => 'x'.repeat(9000), reason: 'invalid' },
    { name: 'a wrong secret', token: () => signed({ sub: 'alice', projects: '*' }, { secret: OTHER_SECRET }), reason: 'invalid' },
    { name: 'alg none', token: () => `${b64url({ alg: 'none' })}.${b64url({ sub: 'alice', projects: '*' })}.`, reason: 'invalid' },
    { name: 'alg none with a signature', token: () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'alice' })}.c2ln`, reason: 'invalid' },
    { name: 'an expired token', token: () => mintToken(SECRET, { sub: 'alice', projects: '*', expiresInS: -60 }), reason: 'expired' },
    { name: 'nbf in the future', token: () => signed({ sub: 'alice', projects: '*', nbf: now() + 60 }), reason: 'invalid' },
    { name: 'no sub', token: () => signed({ projects: '*' }), reason: 'invalid' },
    { name: 'an empty sub', token: () => signed({ sub: '', projects: '*' }), reason: 'invalid' },
    { name: 'a 129-character sub', token: () => signed({ sub: 'u'.repeat(129), projects: '*' }), reason: 'invalid' },
    { name: 'a numeric sub', token: () => signed({ sub: 7 as unknown as string, projects: '*' }), reason: 'invalid' },
    { name: 'numeric projects', token: () => signed({ sub: 'alice', projects: 5 }), reason: 'invalid' },
    { name: 'projects as a bare id', token: () => signed({ sub: 'alice', projects: 'demo' }), reason: 'invalid' },
    { name: 'projects as null', token: () => signed({ sub: 'alice', projects: null }), reason: 'invalid' },
    { name: 'an array of numeric projects', token: () => signed({ sub: 'alice', projects: [1, 2] }), reason: 'invalid' },
    { name: 'an empty project id', token: () => signed({ sub: 'alice', projects: ['demo', ''] }), reason: 'invalid' },
    { name: 'a 129-character project id', token: () => signed({ sub: 'alice', projects: ['p'.repeat(129)] }), reason: 'invalid' },
    { name: '1001 projects', token: () => signed({ sub: 'alice', projects: Array(1001).fill('a') }), reason: 'invalid' },
    { name: '2000 projects', token: () => signed({ sub: 'alice', projects: Array.from({ length: 2000 }, (_, i) => `p${i}`) }), reason: 'invalid' },
  ])('rejects $name as $reason', async ({ token, reason }) => {
    expectFailure(await auth.verify(await token()), reason as 'missing' | 'invalid' | 'expired');
  });

  it('explains a bad claim without echoing it', async () => {
    const result = await auth.verify(await signed({ sub: 'alice', projects: Array(1001).fill('a') }));
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining('"projects"') });
  });

  it('accepts 1000 projects, and an expiry within the clock tolerance', async () => {
    expect((await auth.verify(await signed({ sub: 'alice', projects: Array(1000).fill('a') }))).ok).toBe(true);
    expect((await auth.verify(await mintToken(SECRET, { sub: 'alice', projects: '*', expiresInS: -2 }))).ok).toBe(true);
  });

  it.each([
    { name: 'the right issuer and audience', claims: { issuer: 'meshwatch', audience: 'dashboard' }, ok: true },
    { name: 'a wrong issuer', claims: { issuer: 'someone-else', audience: 'dashboard' }, ok: false },
    { name: 'a wrong audience', claims: { issuer: 'meshwatch', audience: 'elsewhere' }, ok: false },
    { name: 'no issuer or audience', claims: {}, ok: false },
  ])('checks the issuer and audience when configured: $name', async ({ claims, ok }) => {
    const result = await strict.verify(await mintToken(SECRET, { sub: 'alice', projects: '*', ...claims }));
    if (ok) expect(result.ok).toBe(true);
    else expectFailure(result, 'invalid');
  });

  it('allows only the configured HMAC algorithm when one is named', async () => {
    const hs512Only = await createAuthenticator({ secret: SECRET, algorithm: 'HS512' });
    expect((await hs512Only.verify(await signed({ sub: 'a' }, { alg: 'HS512' }))).ok).toBe(true);
    expectFailure(await hs512Only.verify(await signed({ sub: 'a' })), 'invalid');
  });

  it.each([
    { name: 'a 31-byte secret', config: { secret: 'x'.repeat(31) }, error: /at least 32 bytes/ },
    { name: 'an empty secret', config: { secret: '' }, error: /at least 32 bytes/ },
    { name: 'a secret and a public key', config: { secret: SECRET, publicKey: '-----BEGIN PUBLIC KEY-----' }, error: /not both/ },
    { name: 'a secret with RS256', config: { secret: SECRET, algorithm: 'RS256' }, error: /cannot be used with a secret/ },
    { name: 'a public key that is not PEM', config: { publicKey: 'ssh-ed25519 AAAA' }, error: /BEGIN PUBLIC KEY/ },
  ])('refuses to start with $name', async ({ config, error }) => {
    await expect(createAuthenticator(config)).rejects.toThrow(error);
  });

  it('counts secret length in utf-8 bytes', async () => {
    // 11 three-byte characters: 11 characters, 33 bytes.
    await expect(createAuthenticator({ secret: '€'.repeat(11) })).resolves.toMatchObject({ required: true });
    await expect(mintToken('short', { sub: 'a', projects: '*' })).rejects.toThrow(/at least 32 bytes/);
  });

  it('never throws on 200 hostile inputs', async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
    const header = b64url({ alg: 'HS256' });
    const makers: Array<() => unknown> = [
      () => bytes(Math.floor(random() * 200)).toString('latin1'),
      () => bytes(Math.floor(random() * 200)).toString('utf8'),
      () => bytes(60).toString('base64url') + '.' + bytes(60).toString('base64url') + '.' + bytes(32).toString('base64url'),
      () => `${header}.${b64url({ sub: random(), projects: [random()], exp: 'soon' })}.${bytes(32).toString('base64url')}`,
      () => `${header}.${bytes(80).toString('base64url')}.`,
      () => `${b64url({ alg: 'HS256', crit: ['x'.repeat(500)], x: 1 })}.${b64url({})}.${bytes(32).toString('base64url')}`,
      () => JSON.stringify({ token: bytes(20).toString('hex'), nested: [[[random()]]] }),
      () => '.'.repeat(Math.floor(random() * 20)),
      () => 'a'.repeat(MAX_TOKEN_LENGTH + 1 + Math.floor(random() * 100_000)),
      () => 'a.'.repeat(Math.floor(random() * 4000)),
      () => '\u0000\uD800\uFFFF'.repeat(Math.floor(random() * 50) + 1),
      () => [null, 42, {}, ['a'], Symbol('t')][Math.floor(random() * 5)],
    ];
    for (let i = 0; i < 200; i++) {
      const input = makers[i % makers.length]!() as string;
      const result = await auth.verify(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message.length).toBeLessThanOrEqual(120);
    }
  });
});

describe('auth with a public key', () => {
  const keys: Record<string, { privateKey: CryptoKey; pem: string }> = {};
  beforeAll(async () => {
    for (const alg of ['ES256', 'RS256', 'EdDSA', 'ES384']) {
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
      keys[alg] = { privateKey, pem: await exportSPKI(publicKey) };
    }
  });
  const tokenFor = (alg: string, payload: JWTPayload = { sub: 'dana', projects: ['demo'] }) =>
    new SignJWT(payload).setProtectedHeader({ alg }).setExpirationTime('5m').sign(keys[alg]!.privateKey);

  it.each(['ES256', 'RS256', 'EdDSA'])('infers %s from the key and accepts its tokens', async (alg) => {
    const auth = await createAuthenticator({ publicKey: keys[alg]!.pem });
    const result = await auth.verify(await tokenFor(alg));
    expect(result).toMatchObject({ ok: true, identity: { user: 'dana', projects: new Set(['demo']) } });
  });

  it('rejects tokens signed by another key or with another algorithm', async () => {
    const auth = await createAuthenticator({ publicKey: keys.ES256!.pem });
    expectFailure(await auth.verify(await tokenFor('RS256')), 'invalid');
    expectFailure(await auth.verify(await signed({ sub: 'dana', projects: '*' })), 'invalid');
  });

  it('rejects an HS256 token signed with the public key as its secret', async () => {
    const pem = keys.RS256!.pem;
    const auth = await createAuthenticator({ publicKey: pem });
    expectFailure(await auth.verify(await signed({ sub: 'mallory', projects: '*' }, { secret: pem })), 'invalid');
  });

  it('uses an explicit algorithm, and refuses one the key cannot do', async () => {
    const es384 = await createAuthenticator({ publicKey: keys.ES384!.pem, algorithm: 'ES384' });
    expect((await es384.verify(await tokenFor('ES384'))).ok).toBe(true);
    await expect(createAuthenticator({ publicKey: keys.ES384!.pem })).rejects.toThrow(/set the algorithm/);
    await expect(createAuthenticator({ publicKey: keys.ES256!.pem, algorithm: 'RS256' })).rejects.toThrow(/RS256/);
  });
});

describe('auth when not configured', () => {
  it('reads the publish claim: only `publish: true` lets a token feed projects', async () => {
    const auth = await createAuthenticator({ secret: SECRET_FOR_PUBLISH });
    const publisher = await auth.verify(await mintToken(SECRET_FOR_PUBLISH, { sub: 'ci', projects: '*', publish: true }));
    const viewer = await auth.verify(await mintToken(SECRET_FOR_PUBLISH, { sub: 'eve', projects: '*' }));
    expect(publisher.ok && publisher.identity.canPublish).toBe(true);
    expect(viewer.ok && viewer.identity.canPublish).toBe(false);
  });

  it.each([{ config: null }, { config: {} }])('requires nothing and lets everyone in as anonymous with $config', async ({ config }) => {
    const auth = await createAuthenticator(config);
    expect(auth.required).toBe(false);
    for (const token of [undefined, '', 'garbage']) {
      expect(await auth.verify(token)).toEqual({ ok: true, identity: { user: 'anonymous', projects: '*', expiresAt: null, canPublish: true } });
    }
  });
});

describe('canAccess', () => {
  const identity = (projects: Identity['projects']): Identity => ({ user: 'u', projects, expiresAt: null, canPublish: false });
  it.each([
    { projects: '*' as const, project: 'demo', expected: true },
    { projects: new Set(['demo', 'shop']), project: 'demo', expected: true },
    { projects: new Set(['demo', 'shop']), project: 'other', expected: false },
    { projects: new Set(['demo']), project: 'DEMO', expected: false },
    { projects: new Set<string>(), project: 'demo', expected: false },
  ])('$projects may watch $project: $expected', ({ projects, project, expected }) => {
    expect(canAccess(identity(projects), project)).toBe(expected);
  });
});

describe('scripts/mint-token.ts', () => {
  const run = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MESHWATCH_JWT_')));
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/mint-token.ts', ...args], {
        cwd: ROOT,
        env: { ...env, ...extraEnv },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
      return { code, stdout, stderr };
    }
  };

  it('prints a token the gateway accepts, and usage on --help, and refuses without a secret or with a bad flag', async () => {
    const [minted, help, noSecret, badFlag] = await Promise.all([
      run(['--sub', 'alice', '--projects', 'demo,shop', '--expires', '120'], { MESHWATCH_JWT_SECRET: SECRET }),
      run(['--help']),
      run(['--sub', 'alice', '--projects', '*']),
      run(['--sub', 'alice', '--projects', '*', '--nope'], { MESHWATCH_JWT_SECRET: SECRET }),
    ]);

    expect(minted.code).toBe(0);
    const result = await (await createAuthenticator({ secret: SECRET })).verify(minted.stdout.trim());
    expect(result).toMatchObject({ ok: true, identity: { user: 'alice', projects: new Set(['demo', 'shop']) } });
    if (result.ok) expect(result.identity.expiresAt! / 1000 - now()).toBeGreaterThan(100);

    expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage:') });
    expect(noSecret).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('MESHWATCH_JWT_SECRET') });
    expect(badFlag).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('Usage:') });
  });
});
