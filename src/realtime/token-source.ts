/**
 * Where the browser gets a token for a gateway with auth on: an endpoint of
 * the page's own site (`VITE_MESHWATCH_TOKEN_URL`, which can mint one from a
 * session cookie), or else what the user pasted into the sign-in form, kept
 * in sessionStorage so it dies with the tab.
 */
import type { TokenSource } from './connection.ts';

/** The sessionStorage key of a token entered by hand. */
export const TOKEN_STORAGE_KEY = 'meshwatch.token';

type TokenStorage = Pick<Storage, 'getItem'>;

export interface TokenSourceOptions {
  /** An endpoint answering `{"token": "..."}` or the token as plain text; fetched on every connect. */
  url?: string | undefined;
  /** Read when there is no `url`; null when the browser refuses storage. */
  storage?: TokenStorage | null;
  fetch?: typeof globalThis.fetch;
}

/**
 * A token source for `RealtimeConnection`. A failed fetch throws, so the
 * connection retries with backoff; a refused request (non-2xx) or no stored
 * token is null, which the connection turns into "sign-in required" once the
 * gateway asks for one.
 */
export function createTokenSource({ url, storage = null, fetch = globalThis.fetch }: TokenSourceOptions): TokenSource {
  const stored: TokenSource = ({ fresh }) => {
    // A fresh token is asked for after the gateway refused one: the stored one is that one.
    if (fresh) return null;
    return readToken(storage);
  };
  if (url) {
    return async (request) => {
      // Credentials: the endpoint knows the user by the site's cookie. No cache: a token must be fresh.
      const response = await fetch(url, { credentials: 'include', cache: 'no-store', headers: { accept: 'application/json, text/plain' } });
      const token = response.ok ? tokenFromBody(await response.text()) : null;
      // The endpoint has none for us (signed out): a token the user typed into the form may do.
      return token ?? stored(request);
    };
  }
  return stored;
}

function tokenFromBody(body: string): string | null {
  const text = body.trim();
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      const token = typeof parsed === 'object' && parsed !== null ? (parsed as { token?: unknown }).token : undefined;
      return typeof token === 'string' && token !== '' ? token : null;
    } catch {
      return null;
    }
  }
  return text === '' ? null : text;
}

function readToken(storage: TokenStorage | null): string | null {
  try {
    return storage?.getItem(TOKEN_STORAGE_KEY) || null;
  } catch {
    return null;
  }
}

/** Keeps a token entered by hand for the next connect; false when the browser refuses storage. */
export function saveToken(token: string, storage: Pick<Storage, 'setItem'> | null = sessionStorageOrNull()): boolean {
  try {
    if (!storage) return false;
    storage.setItem(TOKEN_STORAGE_KEY, token);
    return true;
  } catch {
    return false;
  }
}

/** The tab's sessionStorage, or null where reading it throws (sandboxed frames, storage disabled). */
export function sessionStorageOrNull(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}
