import { describe, expect, it } from 'vitest';
import {
  firstAtOrAfter,
  lastIndexAtOrBefore,
  medianInterval,
  newestPointTime,
  sliceWindow,
} from '../../../src/features/dashboard/window.ts';
import type { ChartPoint } from '../../../src/protocol/mesh.ts';

/** Points at t = from, from + step, … (n of them), y = their index. */
function series(n: number, from = 0, step = 1_000): ChartPoint[] {
  return Array.from({ length: n }, (_, i) => ({ t: from + i * step, y: i }));
}

describe('sliceWindow', () => {
  const points = series(600); // t = 0 … 599 000

  it('keeps the points with t in [start, end], both edges included', () => {
    const slice = sliceWindow(points, 10_000, 20_000);
    expect(slice.map((p) => p.t)).toEqual(Array.from({ length: 11 }, (_, i) => 10_000 + i * 1_000));
  });

  it('excludes points just outside either edge', () => {
    const slice = sliceWindow(points, 10_001, 19_999);
    expect(slice[0]!.t).toBe(11_000);
    expect(slice.at(-1)!.t).toBe(19_000);
  });

  it('returns the buffer itself when the whole buffer is inside, copying nothing', () => {
    expect(sliceWindow(points, -1, 599_000)).toBe(points);
    expect(sliceWindow(points, 0, 10_000_000)).toBe(points);
  });

  it('returns the points themselves, not copies', () => {
    const slice = sliceWindow(points, 300_000, 599_000);
    expect(slice).toHaveLength(300);
    expect(slice[0]).toBe(points[300]);
  });

  it('is empty for an empty or missing buffer, an inverted window, or a window with no point', () => {
    expect(sliceWindow([], 0, 10)).toEqual([]);
    expect(sliceWindow(undefined, 0, 10)).toEqual([]);
    expect(sliceWindow(points, 20_000, 10_000)).toEqual([]);
    expect(sliceWindow(points, 10_100, 10_900)).toEqual([]);
    expect(sliceWindow(points, Number.NaN, 10)).toEqual([]);
  });

  it('is empty when every point is older than the window', () => {
    expect(sliceWindow(points, 600_000, 900_000)).toEqual([]);
  });

  it('is empty when every point is newer than the window, as at a moment before the series began', () => {
    expect(sliceWindow(series(10, 1_000_000), 0, 999_999)).toEqual([]);
  });

  it('ends at a paused moment between two points', () => {
    const slice = sliceWindow(points, 540_500 - 60_000, 540_500);
    expect(slice[0]!.t).toBe(481_000);
    expect(slice.at(-1)!.t).toBe(540_000);
  });

  it('keeps every point of a run with the same t', () => {
    const run = [{ t: 1, y: 0 }, { t: 2, y: 1 }, { t: 2, y: 2 }, { t: 2, y: 3 }, { t: 3, y: 4 }];
    expect(sliceWindow(run, 2, 2).map((p) => p.y)).toEqual([1, 2, 3]);
  });
});

describe('binary searches', () => {
  const points = series(5, 10); // 10, 1010, 2010, 3010, 4010
  it.each([
    [0, 0],
    [10, 0],
    [11, 1],
    [4_010, 4],
    [4_011, 5],
  ])('firstAtOrAfter(%d) = %d', (t, index) => {
    expect(firstAtOrAfter(points, t)).toBe(index);
  });
  it.each([
    [0, -1],
    [10, 0],
    [1_009, 0],
    [1_010, 1],
    [99_999, 4],
  ])('lastIndexAtOrBefore(%d) = %d', (t, index) => {
    expect(lastIndexAtOrBefore(points, t)).toBe(index);
  });
  it('finds nothing in nothing', () => {
    expect(lastIndexAtOrBefore([], 5)).toBe(-1);
    expect(lastIndexAtOrBefore(undefined, 5)).toBe(-1);
  });
});

describe('medianInterval', () => {
  it('is the usual spacing, whatever one long gap', () => {
    const points = [...series(10, 0, 1_000), { t: 60_000, y: 0 }, { t: 61_000, y: 0 }];
    expect(medianInterval(points)).toBe(1_000);
  });
  it('looks only at points up to the index given', () => {
    const points = [...series(5, 0, 10_000), ...series(20, 50_000, 1_000)];
    expect(medianInterval(points, 4)).toBe(10_000);
  });
  it('needs two points', () => {
    expect(medianInterval([{ t: 1, y: 1 }])).toBeNull();
    expect(medianInterval([])).toBeNull();
  });
});

describe('newestPointTime', () => {
  it('is the newest t across every series, or null with none', () => {
    expect(newestPointTime({ a: series(3, 0), b: series(2, 5_000), c: [] })).toBe(6_000);
    expect(newestPointTime({})).toBeNull();
  });
  it('answers again for the same record without reading it', () => {
    const charts = { a: series(3) };
    expect(newestPointTime(charts)).toBe(2_000);
    charts.a.push({ t: 9_000, y: 0 }); // the store never does this; it replaces the record
    expect(newestPointTime(charts)).toBe(2_000);
    expect(newestPointTime({ ...charts })).toBe(9_000);
  });
});

describe('newestPointTime with a bound', () => {
  it('ends at the newest point not past the bound, so one series stamped in microseconds moves no window', () => {
    const micro = [{ t: 1.7e15, y: 1 }];
    const charts = { a: series(5, 0), b: series(3, 1_000), micro };
    expect(newestPointTime(charts, 10_000)).toBe(4_000);
    // Unbounded, it is the newest of all: what every live window ended at before.
    expect(newestPointTime(charts)).toBe(1.7e15);
    expect(newestPointTime(charts, 10_000)).toBe(4_000);
  });

  it('keeps the points of a series up to the bound, and nothing of a series wholly past it', () => {
    const partly = series(10, 0); // 0 … 9 000
    expect(newestPointTime({ partly }, 5_500)).toBe(5_000);
    expect(newestPointTime({ later: series(3, 20_000) }, 5_500)).toBeNull();
  });

  it('answers for a new bound on the same record', () => {
    const charts = { a: series(10, 0) };
    expect(newestPointTime(charts, 2_000)).toBe(2_000);
    expect(newestPointTime(charts, 6_000)).toBe(6_000);
    expect(newestPointTime(charts, 60_000)).toBe(9_000);
  });
});
