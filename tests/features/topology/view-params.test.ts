import { describe, expect, it } from 'vitest';
import {
  DEFAULT_VIEW_PARAMS,
  VIEW_PARAM_LIMITS,
  readViewParams,
  writeViewParams,
  type ViewParams,
} from '../../../src/features/topology/view-params.ts';

const view = (overrides: Partial<ViewParams>): ViewParams => ({ ...DEFAULT_VIEW_PARAMS, ...overrides });

describe('view parameters in the URL', () => {
  it.each<[string, string, Partial<ViewParams>]>([
    ['nothing', '', {}],
    ['only a question mark', '?', {}],
    ['only other parameters', '?project=demo&debug', {}],
    ['a find expression', '?find=kind%3Dfetcher+and+errors%3E2%25', { find: 'kind=fetcher and errors>2%' }],
    ['a find expression without the question mark', 'find=rps>100', { find: 'rps>100' }],
    ['every mode', '?mode=hide', { mode: 'hide' }],
    ['focus mode', '?mode=focus', { mode: 'focus' }],
    ['an unknown mode', '?mode=blink', {}],
    ['a mode in the wrong case', '?mode=HIDE', {}],
    ['a layout', '?layout=force', { layout: 'force' }],
    ['the grid layout', '?layout=grid', { layout: 'grid' }],
    ['an unknown layout', '?layout=spiral', {}],
    ['expanded groups', '?expand=fetchers,storage', { expanded: ['fetchers', 'storage'] }],
    ['expand all', '?expand=*', { expanded: ['*'] }],
    ['collapsed groups, trimmed and deduplicated', '?collapse=+a+,b,,a,%20b', { collapsed: ['a', 'b'] }],
    ['an empty list', '?expand=&collapse=,,,', {}],
    ['a selected node', '?node=fetcher-01', { node: 'fetcher-01' }],
    ['an empty node', '?node=', {}],
    ['a blank node', '?node=+++', {}],
    ['an overlong node id', `?node=${'n'.repeat(VIEW_PARAM_LIMITS.idLength + 1)}`, {}],
    ['the first of repeated parameters', '?mode=focus&mode=hide', { mode: 'focus' }],
    ['broken percent escapes', '?find=%E0%A4%A&node=%', { find: '%E0%A4%A'.replace('%E0%A4', '\uFFFD'), node: '%' }],
    [
      'everything at once',
      '?project=x&find=down&mode=focus&layout=grid&expand=a&collapse=b&node=c#top',
      { find: 'down', mode: 'focus', layout: 'grid', expanded: ['a'], collapsed: ['b'], node: 'c' },
    ],
  ])('reads %s', (_case, search, expected) => {
    expect(readViewParams(search.replace(/#.*$/, ''))).toEqual(view(expected));
  });

  it('drops overlong group ids and keeps at most the list limit', () => {
    const ids = Array.from({ length: 300 }, (_, i) => `g${i}`);
    const long = 'x'.repeat(VIEW_PARAM_LIMITS.idLength + 1);
    const params = readViewParams(`?expand=${long},${ids.join(',')},${'y'.repeat(VIEW_PARAM_LIMITS.idLength)}`);
    expect(params.expanded).toHaveLength(VIEW_PARAM_LIMITS.listEntries);
    expect(params.expanded[0]).toBe('g0');
    expect(params.expanded.at(-1)).toBe('g199');
  });

  it('ignores a find longer than its limit', () => {
    expect(readViewParams(`?find=${'a'.repeat(VIEW_PARAM_LIMITS.findLength + 1)}`).find).toBe('');
    expect(readViewParams(`?find=${'a'.repeat(VIEW_PARAM_LIMITS.findLength)}`).find).toHaveLength(VIEW_PARAM_LIMITS.findLength);
  });

  it('hands out fresh lists, never the defaults’ own', () => {
    const first = readViewParams('');
    first.expanded.push('mutated');
    expect(readViewParams('').expanded).toEqual([]);
    expect(DEFAULT_VIEW_PARAMS.expanded).toEqual([]);
  });

  it.each<[string, string, Partial<ViewParams>, string]>([
    ['a default view leaves a bare URL bare', 'http://host/app', {}, 'http://host/app'],
    ['a default view keeps other parameters and the hash', 'http://host/app?project=demo#logs', {}, 'http://host/app?project=demo#logs'],
    ['a default view removes stale view parameters', 'http://host/?mode=hide&project=demo&find=x&node=a', {}, 'http://host/?project=demo'],
    ['a default view drops an empty query', 'http://host/?mode=hide#h', {}, 'http://host/#h'],
    ['other parameters stay byte for byte', '/app?project=a%20b&flag&x=1+2', { mode: 'hide' }, '/app?project=a%20b&flag&x=1+2&mode=hide'],
    ['every parameter, in a fixed order', '/?project=p', view({ find: 'down', mode: 'focus', layout: 'force', expanded: ['a', 'b'], collapsed: ['c'], node: 'n' }), '/?project=p&find=down&mode=focus&layout=force&expand=a,b&collapse=c&node=n'],
    ['the find text is escaped', '/', { find: 'a&b=c #d+e%' }, '/?find=a%26b%3Dc+%23d%2Be%25'],
    ['a view parameter spelled with escapes is replaced', '/?%6Dode=hide', { mode: 'focus' }, '/?mode=focus'],
    ['a view parameter spelled with + is not confused with others', '/?mode+x=1', {}, '/?mode+x=1'],
    ['a hash with a question mark stays the hash', '/page#a?mode=hide', { layout: 'grid' }, '/page?layout=grid#a?mode=hide'],
    ['lists are normalized as reading would', '/', { expanded: [' a ', 'a', '', 'b,c', 'd'] }, '/?expand=a,d'],
    ['a blank node is no node', '/', { node: '  ' }, '/'],
  ])('writes: %s', (_case, href, params, expected) => {
    expect(writeViewParams(href, view(params))).toBe(expected);
  });

  it.each<[string, Partial<ViewParams>]>([
    ['the default view', {}],
    ['unicode find text', { find: 'label~"Größe Café" 日本 \u{1F600}' }],
    ['find text with the URL’s own characters', { find: 'a&b=c#d?e+f%20g/h:i@j,k;l' }],
    ['find text with quotes and backslashes', { find: String.raw`label="say \"hi\"" or id=x\y` }],
    ['find text of spaces', { find: '   ' }],
    ['unicode group and node ids', { expanded: ['grüppe', '群'], collapsed: ['*'], node: 'nœud-1' }],
    ['ids with the URL’s own characters', { expanded: ['a&b', 'c=d', 'e#f', 'g+h', 'i%j'], node: '?&=#' }],
    ['every setting', { find: 'kind=fetcher', mode: 'hide', layout: 'grid', expanded: ['x'], collapsed: ['y'], node: 'z' }],
  ])('round-trips %s', (_case, params) => {
    const written = writeViewParams('https://mesh.example/app?project=demo#events', view(params));
    const url = new URL(written);
    expect(url.searchParams.get('project')).toBe('demo');
    expect(url.hash).toBe('#events');
    expect(readViewParams(url.search)).toEqual(view(params));
  });

  it('round-trips a view written over a URL that already held one', () => {
    const first = writeViewParams('/?project=p', view({ find: 'x', mode: 'hide', expanded: ['a'] }));
    const second = writeViewParams(first, view({ layout: 'force', collapsed: ['b'] }));
    expect(second).toBe('/?project=p&layout=force&collapse=b');
    expect(readViewParams(second.slice(second.indexOf('?')))).toEqual(view({ layout: 'force', collapsed: ['b'] }));
  });

  it('writes a lone surrogate in find text as a replacement character instead of throwing', () => {
    const written = writeViewParams('/', view({ find: 'a\uD800b' }));
    expect(readViewParams(written.slice(1)).find).toBe('a\uFFFDb');
  });

  it('never throws on odd input', () => {
    for (const search of ['%', '?%%%', '?=&=&', '?find', '?expand=%2C%2C', '?&&&', '\u0000', '?node=\uD800']) {
      expect(() => readViewParams(search)).not.toThrow();
    }
    expect(readViewParams('?find').find).toBe('');
    expect(readViewParams('?expand=%2C%2C').expanded).toEqual([]);
  });
});
