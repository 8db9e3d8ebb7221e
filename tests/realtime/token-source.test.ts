import { describe, expect, it, vi } from 'vitest';
import { createTokenSource, saveToken, TOKEN_STORAGE_KEY } from '../../src/realtime/token-source.ts';

function respond(status: number, body: string) {
  return vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => new Response(body, { status }));
}

function memoryStorage(entries: Record<string, string> = {}) {
  const map = new Map(Object.entries(entries));
  return { getItem: (key: string) => map.get(key) ?? null, setItem: (key: string, value: string) => void map.set(key, value) };
}

describe('token source', () => {
  describe('with a token URL', () => {
    it('fetches the URL with the site’s cookies and reads {"token"}', async () => {
      const fetch = respond(200, JSON.stringify({ token: 'from-json' }));
      const getToken = createTokenSource({ url: '/auth/token', fetch, storage: memoryStorage({ [TOKEN_STORAGE_KEY]: 'stored' }) });
      expect(await getToken({ fresh: false })).toBe('from-json');
      expect(fetch).toHaveBeenCalledWith('/auth/token', expect.objectContaining({ credentials: 'include' }));
    });

    it('reads a plain-text token', async () => {
      const getToken = createTokenSource({ url: '/auth/token', fetch: respond(200, 'plain-token\n') });
      expect(await getToken({ fresh: false })).toBe('plain-token');
    });

    it('fetches again for a fresh token', async () => {
      const fetch = respond(200, 'again');
      const getToken = createTokenSource({ url: '/auth/token', fetch });
      expect(await getToken({ fresh: true })).toBe('again');
      expect(fetch).toHaveBeenCalledTimes(1);
    });

    it.each([
      ['a refusal', 401, 'nope'],
      ['a missing endpoint', 404, 'not found'],
      ['JSON without a token', 200, '{"user":"ada"}'],
      ['an empty body', 200, ''],
    ])('has no token after %s', async (_why, status, body) => {
      const getToken = createTokenSource({ url: '/auth/token', fetch: respond(status, body) });
      expect(await getToken({ fresh: false })).toBeNull();
    });

    it('falls back to a token typed into the sign-in form when the endpoint has none', async () => {
      const getToken = createTokenSource({ url: '/auth/token', fetch: respond(401, ''), storage: memoryStorage({ [TOKEN_STORAGE_KEY]: 'typed' }) });
      expect(await getToken({ fresh: false })).toBe('typed');
      expect(await getToken({ fresh: true })).toBeNull();
    });

    it('throws when the request fails, so the connection retries', async () => {
      const fetch = vi.fn(async () => {
        throw new TypeError('network down');
      });
      const getToken = createTokenSource({ url: '/auth/token', fetch });
      await expect(getToken({ fresh: false })).rejects.toThrow('network down');
    });
  });

  describe('without one', () => {
    it('reads the token saved in session storage', async () => {
      const storage = memoryStorage();
      const getToken = createTokenSource({ storage });
      expect(await getToken({ fresh: false })).toBeNull();
      expect(saveToken('typed-in', storage)).toBe(true);
      expect(await getToken({ fresh: false })).toBe('typed-in');
    });

    it('has no fresher token than the stored one the gateway refused', async () => {
      const getToken = createTokenSource({ storage: memoryStorage({ [TOKEN_STORAGE_KEY]: 'refused' }) });
      expect(await getToken({ fresh: true })).toBeNull();
    });

    it('has none when there is no storage, or it throws', async () => {
      expect(await createTokenSource({})({ fresh: false })).toBeNull();
      const throwing = { getItem: () => { throw new Error('SecurityError'); } };
      expect(await createTokenSource({ storage: throwing })({ fresh: false })).toBeNull();
      expect(saveToken('t', null)).toBe(false);
    });
  });
});
