import { describe, expect, it } from 'vitest';
import { createOriginPolicy } from '../../src/server/http/origin.ts';
import { EXTRA_ORIGIN, ORIGIN_CASES } from './origin-cases.ts';

describe('origin policy', () => {
  const policy = createOriginPolicy([EXTRA_ORIGIN]);
  const withHost = createOriginPolicy([EXTRA_ORIGIN], { allowedHosts: ['mesh.internal'] });

  it.each(ORIGIN_CASES)('$name: allowed $allowed', ({ origin, host = '127.0.0.1:8080', allowed }) => {
    const headers = origin === undefined ? { host } : { host, origin };
    expect(policy(headers).ok).toBe(allowed);
  });

  it.each([
    { name: 'the scheme’s default port written out in Host', origin: 'https://mesh.internal', host: 'mesh.internal:443', allowed: true },
    { name: 'a Host in capitals', origin: 'http://mesh.internal', host: 'MESH.internal', allowed: true },
    { name: 'the same host over another scheme’s default port', origin: 'https://mesh.internal', host: 'mesh.internal:80', allowed: false },
    { name: 'no Host at all', origin: 'http://mesh.internal', host: undefined, allowed: false },
    { name: 'an Origin that is not a URL', origin: 'not a url', host: 'mesh.internal', allowed: false },
    { name: 'a Host that is not a host', origin: 'http://mesh.internal', host: 'mesh internal', allowed: false },
  ])('compares hosts as a browser would: $name', ({ origin, host, allowed }) => {
    expect(withHost(host === undefined ? { origin } : { origin, host }).ok).toBe(allowed);
  });

  describe('against DNS rebinding, allows a same-host page only when Host names', () => {
    it.each([
      { name: 'an IPv4 address', host: '10.1.2.3:8080', allowed: true },
      { name: 'a loopback IPv4 address', host: '127.0.0.2:8080', allowed: true },
      { name: 'a bracketed IPv6 address', host: '[2001:db8::1]:8080', allowed: true },
      { name: 'localhost', host: 'localhost:8080', allowed: true },
      { name: 'an allowed host, in any case', host: 'Mesh.Internal:8080', allowed: true },
      { name: 'the host of an allowed origin', host: 'dash.example.com:8080', allowed: true },
      { name: 'the attacker’s name (evil.example)', host: 'evil.example:8080', allowed: false },
      { name: 'a subdomain of an allowed host', host: 'evil.mesh.internal:8080', allowed: false },
      { name: 'an allowed host with a trailing dot', host: 'mesh.internal.:8080', allowed: false },
      { name: 'a name under localhost', host: 'evil.localhost:8080', allowed: false },
    ])('$name (allowed: $allowed)', ({ host, allowed }) => {
      const origin = `http://${host}`;
      expect(withHost({ origin, host }).ok).toBe(allowed);
    });

    it('and refuses names it has not been told of', () => {
      expect(policy({ origin: 'http://mesh.internal:8080', host: 'mesh.internal:8080' }).ok).toBe(false);
      expect(createOriginPolicy()({ origin: 'http://dash.example.com:8080', host: 'dash.example.com:8080' }).ok).toBe(false);
      expect(createOriginPolicy([], { allowedHosts: ['dash.example.com'] })({ origin: 'https://dash.example.com', host: 'dash.example.com' }).ok).toBe(true);
    });

    it('ignores a configured host that is not a bare name', () => {
      const portOnly = createOriginPolicy([], { allowedHosts: ['mesh.internal:8080', 'mesh.internal/x'] });
      expect(portOnly({ origin: 'http://mesh.internal:8080', host: 'mesh.internal:8080' }).ok).toBe(false);
    });
  });

  it('takes extra origins as written or as a browser sends them', () => {
    const lenient = createOriginPolicy(['https://Dash.Example.com/']);
    expect(lenient({ origin: 'https://dash.example.com', host: 'elsewhere' }).ok).toBe(true);
    expect(lenient({ origin: 'https://dash.example.com', host: 'dash.example.com' }).ok).toBe(true);
    expect(createOriginPolicy()({ origin: EXTRA_ORIGIN, host: 'elsewhere' })).toEqual({ ok: false, reason: 'origin not allowed' });
  });
});
