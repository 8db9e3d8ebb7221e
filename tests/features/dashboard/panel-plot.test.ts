import { describe, expect, it } from 'vitest';
import type { MouseHandlerDataParam, TickItem } from 'recharts';
import { syncByNearestTime, SYNC_TOLERANCE_MS } from '../../../src/features/dashboard/panel-plot.tsx';

const ticks = (...values: number[]): TickItem[] => values.map((value, index) => ({ value, index, coordinate: index * 10, offset: 0 }));
const hovered = (label: string | number | undefined): MouseHandlerDataParam => ({
  activeLabel: label,
  activeIndex: 0,
  activeTooltipIndex: 0,
  isTooltipActive: true,
  activeDataKey: 'y',
  activeCoordinate: { x: 0, y: 0 },
});

describe('the synchronised crosshair', () => {
  it('finds the tick nearest in time to the moment hovered on another panel', () => {
    const own = ticks(1_000, 2_000, 3_000, 4_000);
    expect(syncByNearestTime(own, hovered('2000'))).toBe(1);
    expect(syncByNearestTime(own, hovered(2_400))).toBe(1);
    expect(syncByNearestTime(own, hovered('2600'))).toBe(2);
  });

  it('finds it among unsorted ticks (each line brings its own points)', () => {
    expect(syncByNearestTime(ticks(5_000, 1_000, 3_000, 2_000), hovered('2100'))).toBe(3);
  });

  it('shows nothing where the panel has no point near the moment', () => {
    expect(syncByNearestTime(ticks(1_000), hovered(String(1_000 + SYNC_TOLERANCE_MS + 1)))).toBe(-1);
    expect(syncByNearestTime(ticks(), hovered('1000'))).toBe(-1);
    expect(syncByNearestTime(ticks(1_000), hovered(undefined))).toBe(-1);
    expect(syncByNearestTime(ticks(1_000), hovered('not a time'))).toBe(-1);
  });
});
