import { describe, expect, it } from 'vitest';
import {
  arrangePanels,
  EMPTY_LAYOUT,
  layoutStorageKey,
  MAX_REMEMBERED,
  movePanel,
  parseLayout,
  readStoredLayout,
  serializeLayout,
  setHidden,
  setWide,
  setWindow,
  stepPanel,
  withPanels,
  writeStoredLayout,
  type DashboardLayout,
} from '../../../src/features/dashboard/layout.ts';

const layout = (order: string[], extra: Partial<DashboardLayout> = {}): DashboardLayout => ({ ...EMPTY_LAYOUT, order, ...extra });

/** A Storage over a Map, with switches to make it fail the way browsers do. */
function memoryStorage(initial: Record<string, string> = {}, fail: { read?: boolean; write?: boolean } = {}): Storage & { data: Map<string, string>; writes: number } {
  const data = new Map(Object.entries(initial));
  const storage = {
    data,
    writes: 0,
    get length() {
      return data.size;
    },
    key: (i: number) => [...data.keys()][i] ?? null,
    getItem(key: string) {
      if (fail.read) throw new DOMException('denied', 'SecurityError');
      return data.get(key) ?? null;
    },
    setItem(key: string, value: string) {
      if (fail.write) throw new DOMException('full', 'QuotaExceededError');
      storage.writes++;
      data.set(key, value);
    },
    removeItem: (key: string) => void data.delete(key),
    clear: () => data.clear(),
  };
  return storage;
}

describe('dashboard layout storage', () => {
  it('round-trips a layout', () => {
    const saved = layout(['a', 'b', 'c'], { wide: ['b'], hidden: ['c'], windowMs: 60_000 });
    expect(parseLayout(serializeLayout(saved))).toEqual(saved);
  });

  it('keeps one layout per project under its own key', () => {
    const storage = memoryStorage();
    writeStoredLayout(storage, 'shop', layout(['x']));
    writeStoredLayout(storage, 'crawl', layout(['y']));
    expect([...storage.data.keys()].sort()).toEqual([layoutStorageKey('crawl'), layoutStorageKey('shop')]);
    expect(layoutStorageKey('shop')).toBe('meshwatch.dashboard.shop');
    expect(readStoredLayout(storage, 'shop').order).toEqual(['x']);
    expect(readStoredLayout(storage, 'crawl').order).toEqual(['y']);
    expect(readStoredLayout(storage, 'other')).toEqual(EMPTY_LAYOUT);
  });

  it('does not write what is already stored', () => {
    const storage = memoryStorage();
    writeStoredLayout(storage, 'p', layout(['a']));
    writeStoredLayout(storage, 'p', layout(['a']));
    expect(storage.writes).toBe(1);
  });

  it.each([
    ['nothing', null],
    ['not JSON', '{oops'],
    ['a number', '42'],
    ['null', 'null'],
    ['an array', '["a","b"]'],
    ['another version', JSON.stringify({ version: 99, order: ['a'] })],
    ['no version', JSON.stringify({ order: ['a'] })],
    ['a prototype attack', '{"__proto__": {"version": 1, "order": ["a"]}}'],
  ])('reads %s as the empty layout', (_, raw) => {
    expect(parseLayout(raw)).toEqual(EMPTY_LAYOUT);
  });

  it('keeps what is usable of a damaged layout', () => {
    const raw = JSON.stringify({
      version: 1,
      order: ['a', 7, null, 'b', 'a', '', 'x'.repeat(5_000), { id: 'c' }, 'c'],
      wide: 'a',
      hidden: ['b', 'not-in-order', 3],
      windowMs: 123,
    });
    expect(parseLayout(raw)).toEqual({ order: ['a', 'b', 'c'], wide: [], hidden: ['b'], windowMs: 5 * 60_000 });
  });

  it('reads at most the remembered number of panels', () => {
    const order = Array.from({ length: MAX_REMEMBERED * 3 }, (_, i) => `p${i}`);
    expect(parseLayout(JSON.stringify({ version: 1, order })).order).toHaveLength(MAX_REMEMBERED);
  });

  it('treats storage that throws as empty, and a failed write as no write', () => {
    expect(readStoredLayout(memoryStorage({}, { read: true }), 'p')).toEqual(EMPTY_LAYOUT);
    expect(readStoredLayout(undefined, 'p')).toEqual(EMPTY_LAYOUT);
    expect(() => writeStoredLayout(memoryStorage({}, { write: true }), 'p', layout(['a']))).not.toThrow();
    expect(() => writeStoredLayout(undefined, 'p', layout(['a']))).not.toThrow();
  });
});

describe('arranging panels', () => {
  it('appends panels it has not seen, in the order given, and returns the same layout when there are none', () => {
    const before = layout(['b', 'a']);
    const after = withPanels(before, ['a', 'c', 'b', 'd']);
    expect(after.order).toEqual(['b', 'a', 'c', 'd']);
    expect(withPanels(after, ['d', 'a'])).toBe(after);
  });

  it('remembers panels that are gone, so they return to their place', () => {
    const saved = layout(['a', 'gone', 'b']);
    expect(arrangePanels(saved, ['b', 'a']).shown).toEqual(['a', 'b']);
    expect(arrangePanels(saved, ['b', 'gone', 'a']).shown).toEqual(['a', 'gone', 'b']);
  });

  it('forgets the panels gone longest first once it remembers too many, never current ones', () => {
    const old = Array.from({ length: MAX_REMEMBERED }, (_, i) => `old${i}`);
    const after = withPanels(layout(old, { hidden: ['old0', 'old5'] }), ['new1', 'new2']);
    expect(after.order).toHaveLength(MAX_REMEMBERED);
    expect(after.order.slice(0, 2)).toEqual(['old2', 'old3']);
    expect(after.order.slice(-2)).toEqual(['new1', 'new2']);
    expect(after.hidden).toEqual(['old5']);
  });

  it('splits the current panels into shown and hidden, in the user’s order', () => {
    const saved = layout(['c', 'a', 'b'], { hidden: ['a'] });
    expect(arrangePanels(saved, ['a', 'b', 'c', 'd'])).toEqual({ shown: ['c', 'b', 'd'], hidden: ['a'] });
  });

  it('moves a panel onto another’s place, from either side', () => {
    const saved = layout(['a', 'b', 'c', 'd']);
    expect(movePanel(saved, 'a', 'c').order).toEqual(['b', 'c', 'a', 'd']);
    expect(movePanel(saved, 'd', 'b').order).toEqual(['a', 'd', 'b', 'c']);
    expect(movePanel(saved, 'a', 'a')).toBe(saved);
    expect(movePanel(saved, 'zz', 'a')).toBe(saved);
  });

  it('steps a panel one place among the shown panels, skipping hidden and gone ones', () => {
    const saved = layout(['a', 'hidden', 'gone', 'b', 'c'], { hidden: ['hidden'] });
    const shown = arrangePanels(saved, ['a', 'hidden', 'b', 'c']).shown;
    expect(shown).toEqual(['a', 'b', 'c']);
    expect(arrangePanels(stepPanel(saved, shown, 'b', -1), ['a', 'hidden', 'b', 'c']).shown).toEqual(['b', 'a', 'c']);
    expect(arrangePanels(stepPanel(saved, shown, 'a', 1), ['a', 'hidden', 'b', 'c']).shown).toEqual(['b', 'a', 'c']);
    expect(stepPanel(saved, shown, 'a', -1)).toBe(saved);
    expect(stepPanel(saved, shown, 'c', 1)).toBe(saved);
  });

  it('makes a panel wide or normal, hides and shows it, and sets the window', () => {
    let saved = layout(['a', 'b']);
    saved = setWide(saved, 'a', true);
    expect(saved.wide).toEqual(['a']);
    expect(setWide(saved, 'a', true)).toBe(saved);
    saved = setHidden(saved, 'b', true);
    expect(arrangePanels(saved, ['a', 'b'])).toEqual({ shown: ['a'], hidden: ['b'] });
    saved = setHidden(saved, 'b', false);
    expect(arrangePanels(saved, ['a', 'b'])).toEqual({ shown: ['a', 'b'], hidden: [] });
    expect(setWide(saved, 'a', false).wide).toEqual([]);
    expect(setHidden(saved, 'unknown', true)).toBe(saved);
    expect(setWindow(saved, 60_000).windowMs).toBe(60_000);
  });
});
