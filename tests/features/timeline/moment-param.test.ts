/** `?at=` in the address bar: read forgivingly, written without disturbing anything else. */
import { describe, expect, it } from 'vitest';
import { readMomentParam, writeMomentParam } from '../../../src/features/timeline/moment-param.ts';

const MOMENT = Date.UTC(2026, 11, 7, 9, 12, 3);

describe('readMomentParam', () => {
  it('reads an ISO moment in UTC', () => {
    expect(readMomentParam('?at=2026-12-07T09:12:03Z')).toBe(MOMENT);
    expect(readMomentParam('at=2026-12-07T09:12:03Z')).toBe(MOMENT);
    expect(readMomentParam('?at=2026-12-07T09%3A12%3A03Z')).toBe(MOMENT);
    expect(readMomentParam('?at=2026-12-07T09:12:03.250Z')).toBe(MOMENT + 250);
    expect(readMomentParam('?at=2026-12-07T10:12:03%2B01:00')).toBe(MOMENT);
  });

  it('reads milliseconds since the epoch', () => {
    expect(readMomentParam(`?at=${MOMENT}`)).toBe(MOMENT);
    expect(readMomentParam('?at=0')).toBe(0);
  });

  it('finds the moment among other parameters', () => {
    expect(readMomentParam(`?view=graph&at=${MOMENT}&node=fetcher-1`)).toBe(MOMENT);
  });

  it.each([
    ['missing', ''],
    ['missing among others', '?view=graph'],
    ['empty', '?at='],
    ['garbage', '?at=yesterday'],
    ['a date without a time', '?at=2026-12-07'],
    ['an impossible date', '?at=2026-13-45T99:99:99Z'],
    ['a negative number', '?at=-5'],
    ['a number with a fraction', '?at=12.5'],
    ['a number too long to be a time', '?at=1234567890123456'],
    ['hex', '?at=0x1F'],
    ['too long', `?at=2026-12-07T09:12:03Z${'0'.repeat(60)}`],
    ['far too long', `?at=${'9'.repeat(5_000)}`],
  ])('gives null for a moment that is %s', (_name, search) => {
    expect(readMomentParam(search)).toBeNull();
  });
});

describe('writeMomentParam', () => {
  it('writes the moment in whole seconds, as ISO UTC', () => {
    const href = writeMomentParam('http://localhost/', MOMENT + 999);
    const url = new URL(href);
    expect(url.searchParams.get('at')).toBe('2026-12-07T09:12:03Z');
    expect(readMomentParam(url.search)).toBe(MOMENT);
  });

  it('keeps the other parameters, their order and the hash', () => {
    const href = writeMomentParam('http://localhost/p?view=graph&node=fetcher-1#details', MOMENT);
    const url = new URL(href);
    expect(url.pathname).toBe('/p');
    expect(url.hash).toBe('#details');
    expect([...url.searchParams.keys()]).toEqual(['view', 'node', 'at']);
    expect(url.searchParams.get('view')).toBe('graph');
    expect(url.searchParams.get('node')).toBe('fetcher-1');
    expect(href.startsWith('http://localhost/p?view=graph&node=fetcher-1&at=')).toBe(true);
    expect(href.endsWith('#details')).toBe(true);
  });

  it('replaces a moment already there rather than adding another', () => {
    const href = writeMomentParam(`http://localhost/?at=2020-01-01T00:00:00Z&view=graph`, MOMENT);
    const url = new URL(href);
    expect(url.searchParams.getAll('at')).toEqual(['2026-12-07T09:12:03Z']);
    expect(url.searchParams.get('view')).toBe('graph');
  });

  it('removes the moment for null, leaving the rest', () => {
    expect(writeMomentParam(`http://localhost/?view=graph&at=${MOMENT}#x`, null)).toBe('http://localhost/?view=graph#x');
    expect(writeMomentParam(`http://localhost/?at=${MOMENT}`, null)).toBe('http://localhost/');
    expect(writeMomentParam(`http://localhost/?at=${MOMENT}#x`, null)).toBe('http://localhost/#x');
    expect(writeMomentParam('http://localhost/path', null)).toBe('http://localhost/path');
  });

  it('keeps values that need encoding as they read', () => {
    const href = writeMomentParam('http://localhost/?q=a%20b%26c&node=%E2%9C%93', MOMENT);
    const url = new URL(href);
    expect(url.searchParams.get('q')).toBe('a b&c');
    expect(url.searchParams.get('node')).toBe('✓');
  });

  it('leaves a question mark or hash inside the hash alone', () => {
    const href = writeMomentParam('http://localhost/?view=graph#a?b=c#d', MOMENT);
    expect(href.endsWith('#a?b=c#d')).toBe(true);
    expect(new URL(href).searchParams.get('view')).toBe('graph');
  });

  it('round-trips through readMomentParam', () => {
    for (const moment of [0, MOMENT, MOMENT + 1, Date.UTC(1999, 0, 1)]) {
      const href = writeMomentParam('http://localhost/?view=graph', moment);
      expect(readMomentParam(new URL(href).search)).toBe(Math.floor(moment / 1000) * 1000);
    }
  });
});
