/**
 * Same-origin by default (DESIGN.md, "Limits"). Any page the developer visits
 * could otherwise open the gateway's socket or POST to the publish endpoint
 * (a `text/plain` POST is a simple request: no preflight asks first), with
 * the developer's network position and cookies. Browsers always send `Origin`
 * on both; tools and servers (curl, a `ws` client, a publisher) send none and
 * are let through, since they are not a page acting for the developer.
 *
 * "Same host" alone is not proof of a page of ours: with DNS rebinding,
 * `evil.example` points its name at 127.0.0.1 (or a LAN address), and its
 * page's `Origin` (`http://evil.example:8080`) matches the request's `Host`
 * (`evil.example:8080`). But such a request always names the attacker's
 * domain in `Host`, so same-host counts only when `Host` is an IP literal, a
 * loopback name, or a host name the operator vouched for (`allowedHosts`, or
 * the host of an allowed origin).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';

/** Hosts whose pages are the developer's own, on any port. */
const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether a request may go on, and if not, the short reason sent with its 403. */
export type OriginCheck = { ok: true } | { ok: false; reason: string };

/** Decides on requests by their `Origin` header; build one per server with `createOriginPolicy`. */
export type OriginPolicy = (headers: IncomingHttpHeaders) => OriginCheck;

/** Options of `createOriginPolicy`. */
export interface OriginPolicyOptions {
  /**
   * Host names (exact, any case, no port) by which the server is reached, e.g.
   * `mesh.internal`: a page served under one of them may connect to the same
   * host. The hosts of `allowedOrigins` count too. Default none, so only
   * same-host pages reached by IP address or loopback name are allowed.
   */
  allowedHosts?: readonly string[];
}

/**
 * Allows a request with no `Origin`; one from a loopback page (`localhost`,
 * `127.0.0.1`, `[::1]`, any port); one from any of `allowedOrigins` (exact
 * origins such as `https://dash.example.com`); and one from a page served by
 * the same host as the request (`Origin`'s host equals `Host`) when `Host`'s
 * name is an IP literal, `localhost`, or one of `options.allowedHosts` or the
 * hosts of `allowedOrigins` (see the module comment: DNS rebinding).
 * Everything else, including the opaque origin `null`, is refused.
 */
export function createOriginPolicy(allowedOrigins: readonly string[] = [], options: OriginPolicyOptions = {}): OriginPolicy {
  const allowed = new Set(allowedOrigins.map(normaliseOrigin));
  const trustedHosts = new Set<string>();
  for (const name of options.allowedHosts ?? []) trustedHosts.add(normaliseHostname(name));
  for (const origin of allowedOrigins) {
    const hostname = hostnameOfOrigin(origin);
    if (hostname !== null) trustedHosts.add(hostname);
  }
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
    if (headers.host === undefined) return refused;
    const host = parseHost(url, headers.host);
    if (host !== null && host.host === url.host && (isIpOrLoopback(host.hostname) || trustedHosts.has(host.hostname))) {
      return { ok: true };
    }
    return refused;
  };
}

/** `Host` parsed as the origin's scheme would (case, the scheme's default port, IDN), or null when it is not a host. */
function parseHost(origin: URL, host: string): URL | null {
  try {
    return new URL(`${origin.protocol}//${host}`);
  } catch {
    return null;
  }
}

/** A name no rebinding attacker can put in `Host`: an address (`10.1.2.3`, `[2001:db8::1]`) or `localhost`. */
function isIpOrLoopback(hostname: string): boolean {
  if (hostname === 'localhost') return true;
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) !== 0;
}

/** A configured host name as a parsed `Host` spells it: lower case, IDN as punycode. Left as written if it is not a host. */
function normaliseHostname(name: string): string {
  const trimmed = name.trim().toLowerCase();
  try {
    const url = new URL(`http://${trimmed}`);
    // Only a bare name: `mesh.internal:8080` or `mesh.internal/x` stay as written, and so match no `Host`.
    return url.host === url.hostname && url.href === `http://${url.hostname}/` ? url.hostname : trimmed;
  } catch {
    return trimmed;
  }
}

/** The host name of an http(s) origin, or null for anything else (`null`, `file:`, not a URL). */
function hostnameOfOrigin(origin: string): string | null {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.hostname : null;
  } catch {
    return null;
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
