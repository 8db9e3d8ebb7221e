/**
 * Charts and logs at a moment are a prefix of what the store holds. The
 * clipper must cut exactly at the moment (points at it included), and hand
 * back the same arrays and the same record while nothing at or before the
 * moment changed, so a paused chart does not re-render as points arrive.
 */
import { describe, expect, it } from 'vitest';
import type { ChartPoint } from '../../../src/protocol/mesh.ts';
import { clipCharts, clipLogs, countUpTo, RecordClipper } from '../../../src/store/history/clip.ts';
import { emptyRecord, type Dict } from '../../../src/store/records.ts';
import type { StoredLogLine } from '../../../src/store/types.ts';

const time = (item: { t: number }) => item.t;
const pt = (t: number, y = t): ChartPoint => ({ t, y });

function record(entries: [string, ChartPoint[]][]): Dict<ChartPoint[]> {
  const out = emptyRecord<ChartPoint[]>();
  for (const [key, value] of entries) out[key] = value;
  return out;
}

describe('countUpTo', () => {
  it('is 0 for no items', () => {
    expect(countUpTo([], 5, time)).toBe(0);
  });

  it('counts every item when all are at or before the moment', () => {
    expect(countUpTo([pt(1), pt(2), pt(3)], 3, time)).toBe(3);
    expect(countUpTo([pt(1), pt(2), pt(3)], 100, time)).toBe(3);
  });

  it('is 0 when every item is after the moment', () => {
    expect(countUpTo([pt(4), pt(5)], 3, time)).toBe(0);
  });

  it('includes items stamped exactly at the moment, however many share it', () => {
    const items = [pt(1), pt(2), pt(2), pt(2), pt(3)];
    expect(countUpTo(items, 2, time)).toBe(4);
    expect(countUpTo(items, 1.999, time)).toBe(1);
    expect(countUpTo([pt(7), pt(7), pt(7)], 7, time)).toBe(3);
    expect(countUpTo([pt(7), pt(7), pt(7)], 6, time)).toBe(0);
  });

  it('agrees with a plain filter on every cut of a longer series', () => {
    const items = [1, 1, 2, 4, 4, 4, 9, 10, 10, 15].map((t) => pt(t));
    for (let moment = 0; moment <= 16; moment += 0.5) {
      expect(countUpTo(items, moment, time), `at ${moment}`).toBe(items.filter((item) => item.t <= moment).length);
    }
  });
});

describe('RecordClipper', () => {
  it('clips every array to the items at or before the moment', () => {
    const clipper = new RecordClipper<ChartPoint>(time);
    const a = [pt(1), pt(2), pt(3)];
    const b = [pt(2), pt(5)];
    const clipped = clipper.clip(record([['a', a], ['b', b]]), 2);
    expect(clipped['a']).toEqual([pt(1), pt(2)]);
    expect(clipped['b']).toEqual([pt(2)]);
    expect(Object.getPrototypeOf(clipped)).toBeNull();
  });

  it('hands back the source array itself when nothing in it is after the moment', () => {
    const clipper = new RecordClipper<ChartPoint>(time);
    const a = [pt(1), pt(2)];
    const empty: ChartPoint[] = [];
    const clipped = clipper.clip(record([['a', a], ['empty', empty]]), 2);
    expect(clipped['a']).toBe(a);
    expect(clipped['empty']).toBe(empty);
  });

  it('returns the same record for the same source and moment', () => {
    const clipper = new RecordClipper<ChartPoint>(time);
    const source = record([['a', [pt(1), pt(5)]]]);
    const first = clipper.clip(source, 2);
    expect(clipper.clip(source, 2)).toBe(first);
  });

  it('keeps a clipped array, and the record, while its series gains points after the moment', () => {
    const clipper = new RecordClipper<ChartPoint>(time);
    const a0 = [pt(1), pt(2), pt(3)];
    const b = [pt(1)];
    const first = clipper.clip(record([['a', a0], ['b', b]]), 3);
    expect(first['a']).toBe(a0);

    // The store replaces a series' array when a point arrives.
    const a1 = [...a0, pt(4)];
    const second = clipper.clip(record([['a', a1], ['b', b]]), 3);
    expect(second['a']).toBe(a0);
    expect(second).toBe(first);

    const a2 = [...a1, pt(5), pt(6)];
    const third = clipper.clip(record([['a', a2], ['b', b]]), 3);
    expect(third).toBe(first);
    expect(third['a']).toEqual([pt(1), pt(2), pt(3)]);
  });

  it('keeps a cut array while points keep arriving after the moment', () => {
    const clipper = new RecordClipper<ChartPoint>(time);
    const a0 = [pt(1), pt(2), pt(5)];
    const first = clipper.clip(record([['a', a0]]), 3);
    expect(first['a']).toEqual([pt(1), pt(2)]);
    const second = clipper.clip(record([['a', [...a0, pt(6)]]]), 3);
    expect(second['a']).toBe(first['a']);
    expect(second).toBe(first);
  });

  it('gives a new array and a new record when a point at or before the moment arrives', () => {
    const clipper = new RecordClipper<ChartPoint>(time);
    const a0 = [pt(1), pt(5)];
    const first = clipper.clip(record([['a', a0]]), 3);
    // A late point, stamped before the moment (the publisher's time), belongs to it.
    const a1 = [pt(1), pt(2.5), pt(5)];
    const second = clipper.clip(record([['a', a1]]), 3);
    expect(second).not.toBe(first);
    expect(second['a']).toEqual([pt(1), pt(2.5)]);
  });

  it('gives a new array when the oldest points are dropped from the front', () => {
    const clipper = new RecordClipper<ChartPoint>(time);
    const p1 = pt(1);
    const p2 = pt(2);
    const p3 = pt(3);
    const first = clipper.clip(record([['a', [p1, p2, pt(9)]]]), 3);
    expect(first['a']).toEqual([p1, p2]);
    // The store is at its cap: the oldest point goes as a new one comes.
    const second = clipper.clip(record([['a', [p2, p3, pt(9)]]]), 3);
    expect(second).not.toBe(first);
    expect(second['a']).toEqual([p2, p3]);
  });

  it('drops a key that disappeared from the source, and a new record says so', () => {
    const clipper = new RecordClipper<ChartPoint>(time);
    const a = [pt(1)];
    const b = [pt(1)];
    const first = clipper.clip(record([['a', a], ['b', b]]), 3);
    const second = clipper.clip(record([['a', a]]), 3);
    expect(second).not.toBe(first);
    expect(Object.keys(second)).toEqual(['a']);
    expect(second['a']).toBe(a);
  });

  it('gives a new record when a key is swapped for another with the same count', () => {
    const clipper = new RecordClipper<ChartPoint>(time);
    const a = [pt(1)];
    const first = clipper.clip(record([['a', a]]), 3);
    const second = clipper.clip(record([['c', a]]), 3);
    expect(second).not.toBe(first);
    expect(Object.keys(second)).toEqual(['c']);
  });

  it('gives a new record when a key appears', () => {
    const clipper = new RecordClipper<ChartPoint>(time);
    const a = [pt(1)];
    const first = clipper.clip(record([['a', a]]), 3);
    const second = clipper.clip(record([['a', a], ['b', [pt(2)]]]), 3);
    expect(second).not.toBe(first);
    expect(Object.keys(second).sort()).toEqual(['a', 'b']);
    // A series whose every point is after the moment is there, empty.
    const third = clipper.clip(record([['a', a], ['b', [pt(2)]], ['late', [pt(9)]]]), 3);
    expect(third['late']).toEqual([]);
  });

  it('forgets a key that went, so one that comes back under its name is clipped afresh', () => {
    const clipper = new RecordClipper<ChartPoint>(time);
    clipper.clip(record([['a', [pt(1), pt(2)]]]), 3);
    clipper.clip(record([]), 3);
    const back = [pt(2.5), pt(7)];
    const clipped = clipper.clip(record([['a', back]]), 3);
    expect(clipped['a']).toEqual([pt(2.5)]);
  });

  it('follows the moment back and forth', () => {
    const clipper = new RecordClipper<ChartPoint>(time);
    const a = [1, 2, 3, 4, 5].map((t) => pt(t));
    const source = record([['a', a]]);
    for (const moment of [5, 1, 3, 0, 4, 2, 5, 3]) {
      const clipped = clipper.clip(source, moment);
      expect(clipped['a'], `at ${moment}`).toEqual(a.filter((item) => item.t <= moment));
    }
  });

  it('handles ids a plain object inherits', () => {
    const clipper = new RecordClipper<ChartPoint>(time);
    const ids = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    const source = record(ids.map((id, i) => [id, [pt(i), pt(10 + i)]]));
    const clipped = clipper.clip(source, 5);
    expect(Object.keys(clipped).sort()).toEqual([...ids].sort());
    ids.forEach((id, i) => expect(clipped[id], id).toEqual([pt(i)]));
    const fewer = clipper.clip(record([['toString', source['toString']!]]), 5);
    expect(Object.keys(fewer)).toEqual(['toString']);
    expect(fewer['constructor']).toBeUndefined();
  });

  it('clips charts by their point time and logs by their line time', () => {
    const charts = clipCharts().clip(record([['s', [pt(1), pt(3)]]]), 2);
    expect(charts['s']).toEqual([pt(1)]);
    const line = (id: number, ts: number): StoredLogLine => ({ id, ts, level: 'info', text: `l${id}` });
    const logs = emptyRecord<StoredLogLine[]>();
    logs['n'] = [line(1, 10), line(2, 20), line(3, 30)];
    expect(clipLogs().clip(logs, 20)['n']).toEqual([line(1, 10), line(2, 20)]);
  });
});
