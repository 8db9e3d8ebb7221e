import { describe, expect, it } from 'vitest';
import {
  groupSeries,
  namePanelId,
  ownershipFrom,
  poolPanelId,
  splitSeriesName,
  type PanelGroup,
  type SeriesOwnership,
} from '../../../src/features/dashboard/group-series.ts';

/** Panel title → its lines' labels: what a reader of the dashboard sees. */
const shape = (panels: readonly PanelGroup[]) => panels.map((p) => [p.title, p.lines.map((l) => l.label)]);

function owned(seriesByNode: Record<string, string[]>, pools: Record<string, string>): SeriesOwnership {
  return ownershipFrom(seriesByNode, new Map(Object.entries(pools)));
}

describe('splitSeriesName', () => {
  it.each([
    ['postgres:stats/tps', 'postgres:stats', 'tps'],
    ['crawl/pages_per_s', 'crawl', 'pages_per_s'],
    ['a/b/c', 'a/b', 'c'],
    ['crawl.pages_per_sec', 'crawl', 'pages_per_sec'],
    ['a.b.c', 'a.b', 'c'],
    // A slash wins over a later dot: `http.p95` is the line.
    ['api/http.p95', 'api', 'http.p95'],
    ['uptime', 'uptime', 'uptime'],
    // Hostile: splits that would leave an empty side make the name its own panel.
    ['/', '/', '/'],
    ['//x', '/', 'x'],
    ['/x', '/x', '/x'],
    ['x/', 'x/', 'x/'],
    ['a.', 'a.', 'a.'],
    ['.a', '.a', '.a'],
    ['__proto__', '__proto__', '__proto__'],
    ['constructor.name', 'constructor', 'name'],
  ])('%s → panel %s, line %s', (name, panel, line) => {
    expect(splitSeriesName(name)).toEqual({ panel, line });
  });
});

describe('groupSeries', () => {
  it('puts series that share a name prefix on one panel, panels and lines sorted', () => {
    const panels = groupSeries(['postgres:stats/tps', 'crawl/pages_per_s', 'postgres:stats/connections', 'crawl.error_rate', 'uptime']);
    expect(shape(panels)).toEqual([
      ['crawl', ['error_rate', 'pages_per_s']],
      ['postgres:stats', ['connections', 'tps']],
      ['uptime', ['uptime']],
    ]);
    expect(panels[0]!.id).toBe(namePanelId('crawl'));
    expect(panels[1]!.lines.map((l) => l.series)).toEqual(['postgres:stats/connections', 'postgres:stats/tps']);
  });

  it('places every name exactly once, even hostile ones, and never the same id twice', () => {
    const long = `${'x'.repeat(120)}/${'y'.repeat(7)}`;
    const names = ['/', '//x', 'a.', '.a', '__proto__', 'constructor', 'toString/valueOf', '__proto__/x', 'hasOwnProperty.y', long, '', 'a.b', 'a/b'];
    const panels = groupSeries(names);
    const placed = panels.flatMap((p) => p.lines.map((l) => l.series));
    expect(placed.sort()).toEqual([...names].sort());
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    expect(panels.find((p) => p.title === '__proto__')!.lines.map((l) => l.label)).toEqual(['__proto__', 'x']);
    expect(panels.find((p) => p.title === 'x'.repeat(120))!.lines.map((l) => l.label)).toEqual(['y'.repeat(7)]);
    // `a.b` and `a/b` share panel `a` and both read `b`; each keeps its own series.
    expect(panels.find((p) => p.title === 'a')!.lines.map((l) => l.series)).toEqual(['a.b', 'a/b']);
  });

  it('ignores duplicate names', () => {
    expect(shape(groupSeries(['a/x', 'a/x', 'a/y']))).toEqual([['a', ['x', 'y']]]);
  });

  it('gives a pool one panel per metric, a line per node, instead of a panel per node', () => {
    const names = ['fetcher-01.pages_per_sec', 'fetcher-02.pages_per_sec', 'fetcher-03.pages_per_sec', 'fetcher-01/errors', 'fetcher-02/errors', 'crawl.pages_per_sec'];
    const ownership = owned(
      { 'fetcher-01': ['fetcher-01.pages_per_sec', 'fetcher-01/errors'], 'fetcher-02': ['fetcher-02.pages_per_sec', 'fetcher-02/errors'], 'fetcher-03': ['fetcher-03.pages_per_sec'] },
      { 'fetcher-01': 'fetchers', 'fetcher-02': 'fetchers', 'fetcher-03': 'fetchers' },
    );
    const panels = groupSeries(names, ownership);
    expect(shape(panels)).toEqual([
      ['crawl', ['pages_per_sec']],
      ['fetchers · errors', ['fetcher-01', 'fetcher-02']],
      ['fetchers · pages_per_sec', ['fetcher-01', 'fetcher-02', 'fetcher-03']],
    ]);
    const pages = panels.find((p) => p.id === poolPanelId('fetchers', 'pages_per_sec'))!;
    expect(pages.nodeIds).toEqual(['fetcher-01', 'fetcher-02', 'fetcher-03']);
    expect(panels[0]!.nodeIds).toBeNull();
  });

  it('keeps a single node’s own series on its name panel, with that node’s events', () => {
    const names = ['postgres.connections', 'postgres.tps', 'queue.depth'];
    const ownership = owned({ postgres: ['postgres.connections', 'postgres.tps'], kafka: ['queue.depth'] }, { postgres: 'storage', kafka: 'pipeline' });
    const panels = groupSeries(names, ownership);
    expect(shape(panels)).toEqual([
      ['postgres', ['connections', 'tps']],
      ['queue', ['depth']],
    ]);
    expect(panels.map((p) => p.nodeIds)).toEqual([['postgres'], ['kafka']]);
  });

  it('pools only series a node names after itself, and only nodes whose pool is known', () => {
    const names = ['a.load', 'b.load', 'shared/load', 'c.load', 'a-extra.load'];
    const ownership = owned({ a: ['a.load'], b: ['b.load', 'shared/load'], c: ['c.load'], 'a-extra': ['a-extra.load'] }, { a: 'web', b: 'web', 'a-extra': 'web' });
    const panels = groupSeries(names, ownership);
    expect(shape(panels)).toEqual([
      // `c` has no pool (its node is unknown): it stays on its own name panel.
      ['c', ['load']],
      ['shared', ['load']],
      ['web · load', ['a', 'a-extra', 'b']],
    ]);
  });

  it('keeps pools with the same metric apart, and pool ids unambiguous', () => {
    const names = ['w1.rps', 'w2.rps', 'd1.rps', 'd2.rps'];
    const ownership = owned({ w1: ['w1.rps'], w2: ['w2.rps'], d1: ['d1.rps'], d2: ['d2.rps'] }, { w1: 'web', w2: 'web', d1: 'db', d2: 'db' });
    expect(shape(groupSeries(names, ownership))).toEqual([
      ['db · rps', ['d1', 'd2']],
      ['web · rps', ['w1', 'w2']],
    ]);
    expect(poolPanelId('a:b', 'c')).not.toBe(poolPanelId('a', 'b:c'));
    expect(poolPanelId('a', 'b')).not.toBe(namePanelId('a · b'));
  });

  it('handles owners and pools named like Object.prototype members', () => {
    const names = ['__proto__.x', 'constructor.x', 'toString'];
    // An own `__proto__` key, as the store holds one (an object literal would set the prototype instead).
    const seriesByNode = Object.defineProperty({ constructor: ['constructor.x'] }, '__proto__', {
      value: ['__proto__.x'],
      enumerable: true,
    }) as Record<string, string[]>;
    const pools = new Map([
      ['__proto__', 'hasOwnProperty'],
      ['constructor', 'hasOwnProperty'],
    ]);
    expect(shape(groupSeries(names, ownershipFrom(seriesByNode, pools)))).toEqual([
      ['toString', ['toString']],
      ['hasOwnProperty · x', ['__proto__', 'constructor']],
    ]);
    // Without owners, the same names group by themselves.
    expect(shape(groupSeries(names))).toEqual([
      ['__proto__', ['x']],
      ['constructor', ['x']],
      ['toString', ['toString']],
    ]);
  });

  it('costs little for the largest store (256 series, 200 in one pool)', () => {
    const names: string[] = [];
    const seriesByNode: Record<string, string[]> = {};
    const pools = new Map<string, string>();
    for (let i = 0; i < 200; i++) {
      const id = `fetcher-${String(i).padStart(3, '0')}`;
      names.push(`${id}.pages_per_sec`);
      seriesByNode[id] = [`${id}.pages_per_sec`];
      pools.set(id, 'fetchers');
    }
    for (let i = 0; i < 56; i++) names.push(`svc${i % 14}/metric_${i}`);
    const panels = groupSeries(names, ownershipFrom(seriesByNode, pools));
    expect(panels).toHaveLength(15);
    expect(panels.at(-1)!.lines).toHaveLength(200);
  });
});
