import { describe, expect, it } from 'vitest';
import { createOriginPolicy } from '../../src/server/http/origin.ts';
import { EXTRA_ORIGIN, ORIGIN_CASES } from './origin-cases.ts';

describe('origin policy', () => {
  const policy = createOriginPolicy([EXTRA_ORIGIN]);

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
  ])('compares hosts as a browser would: $name', ({ origin, host, allowed }) => {
    expect(policy(host === undefined ? { origin } : { origin, host }).ok).toBe(allowed);
  });

  it('takes extra origins as written or as a browser sends them', () => {
    const lenient = createOriginPolicy(['https://Dash.Example.com/']);
    expect(lenient({ origin: 'https://dash.example.com', host: 'elsewhere' }).ok).toBe(true);
    expect(createOriginPolicy()({ origin: EXTRA_ORIGIN, host: 'elsewhere' })).toEqual({ ok: false, reason: 'origin not allowed' });
  });
});
