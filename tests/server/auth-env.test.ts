import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authConfigFromEnv } from '../../src/server/auth-env.ts';
import { createAuthenticator } from '../../src/server/auth.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

describe('auth settings from the environment', () => {
  let dir: string;
  let pem: string;
  let privateKey: CryptoKey;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meshwatch-auth-env-'));
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    pem = await exportSPKI(pair.publicKey);
    writeFileSync(join(dir, 'key.pem'), pem);
    writeFileSync(join(dir, 'not-a-key.txt'), 'hello');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    { name: 'nothing set', env: () => ({}), expected: () => null },
    { name: 'only empty values', env: () => ({ MESHWATCH_JWT_SECRET: '', MESHWATCH_JWT_PUBLIC_KEY: ' ', MESHWATCH_JWT_ISSUER: 'x' }), expected: () => null },
    { name: 'a secret', env: () => ({ MESHWATCH_JWT_SECRET: SECRET }), expected: () => ({ secret: SECRET }) },
    {
      name: 'a secret with issuer, audience and algorithm',
      env: () => ({ MESHWATCH_JWT_SECRET: SECRET, MESHWATCH_JWT_ISSUER: ' meshwatch ', MESHWATCH_JWT_AUDIENCE: 'dashboard', MESHWATCH_JWT_ALG: 'HS512' }),
      expected: () => ({ secret: SECRET, issuer: 'meshwatch', audience: 'dashboard', algorithm: 'HS512' }),
    },
    { name: 'an inline public key', env: () => ({ MESHWATCH_JWT_PUBLIC_KEY: pem }), expected: () => ({ publicKey: pem.trim() }) },
    {
      name: 'an inline public key on one line with literal \\n',
      env: () => ({ MESHWATCH_JWT_PUBLIC_KEY: pem.trim().replaceAll('\n', '\\n') }),
      expected: () => ({ publicKey: pem.trim() }),
    },
    {
      name: 'a public key file',
      env: () => ({ MESHWATCH_JWT_PUBLIC_KEY: join(dir, 'key.pem'), MESHWATCH_JWT_ALG: 'ES256' }),
      expected: () => ({ publicKey: pem.trim(), algorithm: 'ES256' }),
    },
  ])('reads $name', ({ env, expected }) => {
    expect(authConfigFromEnv(env())).toEqual(expected());
  });

  it.each([
    { name: 'both a secret and a public key', env: () => ({ MESHWATCH_JWT_SECRET: SECRET, MESHWATCH_JWT_PUBLIC_KEY: pem }), error: /both set/ },
    { name: 'a short secret', env: () => ({ MESHWATCH_JWT_SECRET: 'too-short' }), error: /MESHWATCH_JWT_SECRET is 9 bytes.*at least 32/ },
    { name: 'a missing key file', env: () => ({ MESHWATCH_JWT_PUBLIC_KEY: join(dir, 'nope.pem') }), error: /cannot read the key file.*ENOENT/ },
    { name: 'a key file without a PEM', env: () => ({ MESHWATCH_JWT_PUBLIC_KEY: join(dir, 'not-a-key.txt') }), error: /holds no/ },
  ])('refuses $name', ({ env, error }) => {
    expect(() => authConfigFromEnv(env())).toThrow(error);
  });

  it('gives a configuration the authenticator accepts', async () => {
    const auth = await createAuthenticator(authConfigFromEnv({ MESHWATCH_JWT_PUBLIC_KEY: join(dir, 'key.pem') }));
    const token = await new SignJWT({ sub: 'erin', projects: '*' }).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
    expect(await auth.verify(token)).toMatchObject({ ok: true, identity: { user: 'erin', projects: '*' } });
  });
});
