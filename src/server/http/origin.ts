/**
 * Same-origin by default (DESIGN.md, "Limits"). The gateway has no
 * authentication yet, so any page the developer visits could otherwise open
 * its socket or POST to the publish endpoint (a `text/plain` POST is a simple
 * request: no preflight asks first). Browsers always send `Origin` on both;
 * tools and servers (curl, a `ws` client, a publisher) send none and are let
 * through, since they are not a page acting with the developer's network.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Hosts whose pages are the developer's own, on any port. */
const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether a request may go on, and if not, the short reason sent with its 403. */
export type OriginCheck = { ok: true } | { ok: false; reason: string };

/** Decides on requests by their `Origin` header; build one per server with `createOriginPolicy`. */
export type OriginPolicy = (headers: IncomingHttpHeaders) => OriginCheck;

/**
 * Allows a request with no `Origin`; one from a page served by the same host
 * as the request (`Origin`'s host equals `Host`); one from a loopback page
 * (`localhost`, `127.0.0.1`, `[::1]`, any port); and one from any of
 * `allowedOrigins` (exact origins such as `https://dash.example.com`).
 * Everything else, including the opaque origin `null`, is refused.
 */
export function createOriginPolicy(allowedOrigins: readonly string[] = []): OriginPolicy {
  const allowed = new Set(allowedOrigins.map(normaliseOrigin));
  const refused: OriginCheck = { ok: false, reason: 'origin not allowed' };
  return (headers) => {
    const origin = headers.origin;
    if (origin === undefined) return { ok: true };
    if (allowed.has(origin)) return { ok: true };
    let url: URL;
    try {
      url = new URL(origin); // `null` (an opaque origin) is not a URL, and is refused here
    } catch {
      return refused;
    }
    if (LOOPBACK_HOSTNAMES.has(url.hostname)) return { ok: true };
    if (headers.host !== undefined && sameHost(url, headers.host)) return { ok: true };
    return refused;
  };
}

/** `Host` against the origin's host, both normalised the same way (case, the scheme's default port). */
function sameHost(origin: URL, host: string): boolean {
  try {
    return new URL(`${origin.protocol}//${host}`).host === origin.host;
  } catch {
    return false;
  }
}

/** What a browser would send for `origin`: `https://Example.com/` becomes `https://example.com`. */
function normaliseOrigin(origin: string): string {
  try {
    const url = new URL(origin);
    // `file:` and other opaque origins serialise as 'null'; keep what was configured.
    return url.origin === 'null' ? origin : url.origin;
  } catch {
    return origin;
  }
}
