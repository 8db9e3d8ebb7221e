import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PROJECT } from '../../src/protocol/mesh.ts';
import { projectFromLocation, resolveWsUrl } from '../../src/realtime/config.ts';

const page = (search = '', protocol = 'http:', host = 'localhost:5173') => ({ protocol, host, search });

describe('the gateway URL', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ['the page origin by default', page(), undefined, 'ws://localhost:5173/ws?project=demo'],
    ['wss on an https page', page('', 'https:', 'mesh.example.com'), undefined, 'wss://mesh.example.com/ws?project=demo'],
    ['a path override', page('?ws=/gateway/ws'), undefined, 'ws://localhost:5173/gateway/ws?project=demo'],
    ['a full ws URL override', page('?ws=ws://10.0.0.5:8080/ws'), undefined, 'ws://10.0.0.5:8080/ws?project=demo'],
    ['an http URL, turned into ws', page('?ws=https://gw.example.com/ws'), undefined, 'wss://gw.example.com/ws?project=demo'],
    ['the build-time setting', page(), 'ws://build.example:9000/ws', 'ws://build.example:9000/ws?project=demo'],
    ['the query over the build-time setting', page('?ws=/q'), 'ws://build.example:9000/ws', 'ws://localhost:5173/q?project=demo'],
  ])('uses %s', (_case, location, configured, expected) => {
    expect(resolveWsUrl(location, 'demo', configured)).toBe(expected);
  });

  it.each([['http://[oops'], ['javascript:alert(1)'], ['ftp://files.example/ws']])(
    'ignores an unusable override %j and says so, rather than blank the page',
    (bad) => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      expect(resolveWsUrl(page(`?ws=${encodeURIComponent(bad)}`), 'demo')).toBe('ws://localhost:5173/ws?project=demo');
      expect(warn).toHaveBeenCalledOnce();
    },
  );

  it('encodes the project id', () => {
    expect(resolveWsUrl(page(), 'crawl eu&x=1')).toBe('ws://localhost:5173/ws?project=crawl+eu%26x%3D1');
  });
});

describe('the project', () => {
  it.each([
    ['', DEFAULT_PROJECT],
    ['?project=crawl-eu', 'crawl-eu'],
    ['?project=%20%20', DEFAULT_PROJECT],
    [`?project=${'x'.repeat(129)}`, DEFAULT_PROJECT],
    [`?project=${'x'.repeat(128)}`, 'x'.repeat(128)],
  ])('from %j is %j', (search, expected) => {
    expect(projectFromLocation({ search })).toBe(expected);
  });
});
