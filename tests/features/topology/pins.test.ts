// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadPins, savePins, withPin } from '../../../src/features/topology/pins.ts';

const KEY = 'meshwatch:pins:demo:layered';

beforeEach(() => localStorage.clear());
afterEach(() => vi.restoreAllMocks());

describe('pins', () => {
  it('round-trips through local storage, rounded to whole pixels', () => {
    savePins('demo', 'layered', new Map([
      ['frontier', { x: 10.4, y: -20.6 }],
      ['parser', { x: 300, y: 0 }],
    ]));
    expect(loadPins('demo', 'layered')).toEqual(new Map([
      ['frontier', { x: 10, y: -21 }],
      ['parser', { x: 300, y: 0 }],
    ]));
  });

  it('keeps pins apart per project and per layout', () => {
    savePins('demo', 'layered', new Map([['a', { x: 1, y: 1 }]]));
    savePins('demo', 'grid', new Map([['a', { x: 2, y: 2 }]]));
    savePins('other', 'layered', new Map([['a', { x: 3, y: 3 }]]));
    expect(loadPins('demo', 'layered').get('a')).toEqual({ x: 1, y: 1 });
    expect(loadPins('demo', 'grid').get('a')).toEqual({ x: 2, y: 2 });
    expect(loadPins('other', 'layered').get('a')).toEqual({ x: 3, y: 3 });
    expect(loadPins('demo', 'force').size).toBe(0);
  });

  it('keeps the order pins were made in, and ids such as __proto__', () => {
    savePins('demo', 'layered', new Map([
      ['z', { x: 1, y: 1 }],
      ['__proto__', { x: 2, y: 2 }],
      ['a', { x: 3, y: 3 }],
    ]));
    const loaded = loadPins('demo', 'layered');
    expect([...loaded.keys()]).toEqual(['z', '__proto__', 'a']);
    expect(loaded.get('__proto__')).toEqual({ x: 2, y: 2 });
  });

  it('removes the entry when there are no pins left', () => {
    savePins('demo', 'layered', new Map([['a', { x: 1, y: 1 }]]));
    savePins('demo', 'layered', new Map());
    expect(localStorage.getItem(KEY)).toBeNull();
    expect(loadPins('demo', 'layered').size).toBe(0);
  });

  it.each([
    ['not JSON', '{oops'],
    ['an object', '{"a":[1,2]}'],
    ['a string', '"pins"'],
    ['null', 'null'],
    ['a number', '42'],
  ])('ignores storage holding %s', (_, raw) => {
    localStorage.setItem(KEY, raw);
    expect(loadPins('demo', 'layered')).toEqual(new Map());
  });

  it('keeps the valid entries of a partly corrupted list', () => {
    localStorage.setItem(
      KEY,
      JSON.stringify([
        ['good', 1, 2],
        ['short', 1],
        ['long', 1, 2, 3],
        [7, 1, 2],
        ['text', '1', 2],
        ['nulls', null, null],
        'flat',
        null,
        { id: 'object', x: 1, y: 2 },
        ['also-good', -5, 0],
      ]),
    );
    expect(loadPins('demo', 'layered')).toEqual(new Map([
      ['good', { x: 1, y: 2 }],
      ['also-good', { x: -5, y: 0 }],
    ]));
  });

  it('keeps at most 5,000 pins, dropping the oldest, when saving', () => {
    const many = new Map(Array.from({ length: 5_003 }, (_, i) => [`n${i}`, { x: i, y: i }] as const));
    savePins('demo', 'layered', many);
    const loaded = loadPins('demo', 'layered');
    expect(loaded.size).toBe(5_000);
    expect(loaded.has('n0')).toBe(false);
    expect(loaded.has('n2')).toBe(false);
    expect(loaded.has('n3')).toBe(true);
    expect(loaded.get('n5002')).toEqual({ x: 5002, y: 5002 });
  });

  it('reads at most the newest 5,000 pins of an oversized list someone else wrote', () => {
    localStorage.setItem(KEY, JSON.stringify(Array.from({ length: 6_000 }, (_, i) => [`n${i}`, i, 0])));
    const loaded = loadPins('demo', 'layered');
    expect(loaded.size).toBe(5_000);
    expect(loaded.has('n999')).toBe(false);
    expect(loaded.has('n1000')).toBe(true);
  });

  it('gives the newest pin the last place, so the bound drops pins least recently moved', () => {
    const pins = new Map([
      ['a', { x: 1, y: 1 }],
      ['b', { x: 2, y: 2 }],
    ]);
    const next = withPin(pins, 'a', { x: 9, y: 9 });
    expect([...next]).toEqual([
      ['b', { x: 2, y: 2 }],
      ['a', { x: 9, y: 9 }],
    ]);
    // A copy: the map it was given is unchanged.
    expect(pins.get('a')).toEqual({ x: 1, y: 1 });
    expect([...pins.keys()]).toEqual(['a', 'b']);
  });

  it('does not throw when storage is full or denied', () => {
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    expect(() => savePins('demo', 'layered', new Map([['a', { x: 1, y: 1 }]]))).not.toThrow();
    vi.spyOn(Storage.prototype, 'getItem').mockImplementation(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    expect(loadPins('demo', 'layered')).toEqual(new Map());
  });
});
