import { describe, expect, it } from 'vitest';
import type { PanelGroup } from '../../../src/features/dashboard/group-series.ts';
import { buildPanelView, markersFor, MAX_LINES, MAX_MARKERS, PanelViewCache, phaseOf } from '../../../src/features/dashboard/panel-view.ts';
import type { ChartPoint } from '../../../src/protocol/mesh.ts';
import { initialRealtimeData, type RealtimeState } from '../../../src/store/realtime.ts';
import type { MeshEvent } from '../../../src/store/types.ts';

const MIN = 60_000;

function series(n: number, from: number, step = 1_000, y = (i: number) => i): ChartPoint[] {
  return Array.from({ length: n }, (_, i) => ({ t: from + i * step, y: y(i) }));
}

function panel(names: string[], nodeIds: string[] | null = null): PanelGroup {
  return { id: 'p', title: 'p', lines: names.map((series) => ({ series, label: series })), nodeIds };
}

let nextId = 0;
function event(ts: number, severity: MeshEvent['severity'], nodeId?: string): MeshEvent {
  return { id: ++nextId, ts, severity, message: `${severity} at ${ts}`, ...(nodeId ? { nodeId } : {}) };
}

function state(charts: Record<string, ChartPoint[]>, events: MeshEvent[] = []): RealtimeState {
  return { ...initialRealtimeData(), charts, events } as unknown as RealtimeState;
}

describe('buildPanelView', () => {
  it('draws the window ending at `end`, with each line’s latest value and unit', () => {
    const rate = series(600, 0); // t 0 … 599 s
    const latency = series(600, 0, 1_000, () => 87);
    const view = buildPanelView(panel(['gw/requests_per_s', 'gw/p95_ms']), [rate, latency], [], 599_000, MIN);
    expect(view.start).toBe(539_000);
    expect(view.lines.map((l) => [l.label, l.points.length, l.latest.t, l.unit.kind, l.axis])).toEqual([
      ['gw/requests_per_s', 61, 599_000, 'rate', 'left'],
      ['gw/p95_ms', 61, 599_000, 'ms', 'right'],
    ]);
    expect(view.axes!.left.kind).toBe('rate');
    expect(view.axes!.right!.kind).toBe('ms');
  });

  it('shows a paused moment’s window and nothing after the moment', () => {
    const view = buildPanelView(panel(['a']), [series(600, 0)], [], 300_500, MIN);
    expect(view.lines[0]!.points.at(-1)!.t).toBe(300_000);
    expect(view.lines[0]!.latest.y).toBe(300);
    expect(view.newest!.t).toBe(300_000);
  });

  it('draws no line whose points are all older than the window, but still knows its newest point', () => {
    const view = buildPanelView(panel(['a']), [series(10, 0)], [], 10 * MIN, MIN);
    expect(view.lines).toEqual([]);
    expect(view.moreLines).toBe(0);
    expect(view.axes).toBeNull();
    expect(view.newest).toEqual({ t: 9_000, intervalMs: 1_000 });
  });

  it('draws the eight lines with the highest latest values of a large pool and counts the rest', () => {
    const names = Array.from({ length: 20 }, (_, i) => `n${String(i).padStart(2, '0')}`);
    const buffers = names.map((_, i) => series(5, 0, 1_000, () => (i * 7) % 20));
    const view = buildPanelView(panel(names), buffers, [], 4_000, MIN);
    expect(view.lines).toHaveLength(MAX_LINES);
    expect(view.moreLines).toBe(12);
    const drawnValues = view.lines.map((l) => l.latest.y).sort((a, b) => b - a);
    expect(drawnValues).toEqual([19, 18, 17, 16, 15, 14, 13, 12]);
    // Drawn in the panel's order, keeping each line's colour index.
    const indexes = view.lines.map((l) => l.index);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
  });

  it('says from when a full buffer holds its points, when the window starts before that', () => {
    // 600 points ten a second: the buffer covers a minute, the window five.
    const busy = series(600, 240_100, 100);
    const view = buildPanelView(panel(['a']), [busy], [], 300_000, 5 * MIN, { maxPoints: 600 });
    expect(view.heldFrom).toBe(240_100);
    expect(view.lines[0]!.points).toHaveLength(600);
  });

  it('says nothing of a buffer not full (the series began later), or of a window inside what is held', () => {
    expect(buildPanelView(panel(['a']), [series(599, 240_100, 100)], [], 300_000, 5 * MIN, { maxPoints: 600 }).heldFrom).toBeNull();
    expect(buildPanelView(panel(['a']), [series(600, 240_100, 100)], [], 300_000, 30_000, { maxPoints: 600 }).heldFrom).toBeNull();
  });

  it('names the latest of the lines’ oldest held points', () => {
    const view = buildPanelView(panel(['a', 'b']), [series(4, 10_000), series(4, 20_000)], [], 30_000, MIN, { maxPoints: 4 });
    expect(view.heldFrom).toBe(20_000);
  });

  it('judges what is held by the whole buffers when the series are clipped to a moment', () => {
    const whole = series(4, 20_000); // full at 4 points
    // At a moment before the oldest point held, the clipped series is empty.
    const view = buildPanelView(panel(['a']), [[]], [], 15_000, MIN, { held: [whole], maxPoints: 4 });
    expect(view.lines).toEqual([]);
    expect(view.newest).toBeNull();
    expect(view.heldFrom).toBe(20_000);
  });

  it('counts lines whose points are all after the end', () => {
    const view = buildPanelView(panel(['a', 'b']), [series(3, 0), [{ t: 1.7e15, y: 1 }]], [], 2_000, MIN);
    expect(view.lines.map((l) => l.series)).toEqual(['a']);
    expect(view.ahead).toBe(1);
  });

  it('shares the right axis among a third unit', () => {
    const buffers = [series(3, 0), series(3, 0), series(3, 0)];
    const view = buildPanelView(panel(['x/a_per_s', 'x/b_ms', 'x/c_bytes']), buffers, [], 2_000, MIN);
    expect(view.lines.map((l) => l.axis)).toEqual(['left', 'right', 'right']);
  });
});

describe('markersFor', () => {
  const events = [
    event(50_000, 'error', 'db'),
    event(40_000, 'info', 'db'),
    event(30_000, 'warn', 'web'),
    event(20_000, 'warn'),
    event(10_000, 'debug'),
    event(5_000, 'error', 'db'),
  ];

  it('keeps, for a panel no node owns, errors and the warnings of no node inside the window, newest first', () => {
    // The web node's warning would mark every unowned panel of a busy mesh: left out.
    expect(markersFor(events, 10_000, 50_000, null).map((e) => e.ts)).toEqual([50_000, 20_000]);
  });

  it('keeps, for a panel of nodes, only their events and events of no node', () => {
    expect(markersFor(events, 0, 60_000, new Set(['db'])).map((e) => e.ts)).toEqual([50_000, 20_000, 5_000]);
  });

  it('keeps at most the newest thirty', () => {
    const many = Array.from({ length: 100 }, (_, i) => event(100_000 - i, 'warn'));
    const markers = markersFor(many, 0, 100_000, null);
    expect(markers).toHaveLength(MAX_MARKERS);
    expect(markers[0]!.ts).toBe(100_000);
  });
});

describe('PanelViewCache', () => {
  const p = panel(['a', 'b']);

  it('answers the same state with the same view', () => {
    const cache = new PanelViewCache(p, MIN);
    const s = state({ a: series(5, 0), b: series(5, 0) });
    const first = cache.view(s, null, 1);
    expect(first).not.toBeNull();
    expect(cache.view(s, null, 1)).toBe(first);
  });

  it('is null before any point', () => {
    expect(new PanelViewCache(p, MIN).view(state({}), null, 1)).toBeNull();
  });

  it('while live, redraws for its own points when the data enters a new second, or on its next tick', () => {
    const cache = new PanelViewCache(p, MIN);
    const a = series(5, 0); // up to t = 4 000
    const first = cache.view(state({ a, b: [] }), null, 1)!;
    // A point later in the same second of data: held until the tick moves.
    const sameSecond = state({ a: [...a, { t: 3_500 + 400, y: 9 }].sort((x, y) => x.t - y.t), b: [{ t: 3_600, y: 1 }] });
    expect(cache.view(sameSecond, null, 1)).toBe(first);
    const ticked = cache.view(sameSecond, null, 2)!;
    expect(ticked).not.toBe(first);
    expect(ticked.lines.map((l) => l.series)).toEqual(['a', 'b']);
    // A point in the next second of data: drawn at once.
    const nextSecond = state({ a: [...a, { t: 4_500, y: 5 }], b: [{ t: 3_600, y: 1 }] });
    expect(cache.view(nextSecond, null, 2)!.lines[0]!.latest.t).toBe(4_500);
  });

  it('steps its live end at its own phase, so panels with different phases redraw at different points', () => {
    const early = new PanelViewCache(p, MIN, { phaseMs: 0 });
    const late = new PanelViewCache(p, MIN, { phaseMs: 600 });
    const a = series(5, 0); // up to t = 4 000
    const e1 = early.view(state({ a, b: [] }), null, 1)!;
    const l1 = late.view(state({ a, b: [] }), null, 1)!;
    // 4 300 is in the next second for the phase-0 panel, not for the 600 ms one (its seconds end at …600).
    const step = state({ a: [...a, { t: 4_300, y: 2 }], b: [] });
    expect(early.view(step, null, 1)).not.toBe(e1);
    expect(late.view(step, null, 1)).toBe(l1);
    const past = state({ a: [...a, { t: 4_300, y: 2 }, { t: 4_700, y: 3 }], b: [] });
    expect(late.view(past, null, 1)).not.toBe(l1);
    expect(phaseOf('postgres', 1_000)).toBe(phaseOf('postgres', 1_000));
    expect(new Set(['crawl', 'dns', 'gateway', 'kafka:lag', 'redis:stats'].map((id) => phaseOf(id, 1_000))).size).toBeGreaterThan(1);
  });

  it('does not redraw for other series’ points within the same second', () => {
    const cache = new PanelViewCache(p, MIN);
    const a = series(5, 0);
    const b = series(5, 0);
    const first = cache.view(state({ a, b, other: series(1, 4_000) }), null, 1);
    expect(cache.view(state({ a, b, other: series(1, 3_999) }), null, 1)).toBe(first);
    expect(cache.view(state({ a, b, other: series(1, 3_999) }), null, 2)).toBe(first);
  });

  it('redraws for events only when its markers change', () => {
    const cache = new PanelViewCache(panel(['a'], ['db']), MIN);
    const a = series(5, 0);
    const first = cache.view(state({ a }, []), null, 1)!;
    const other = cache.view(state({ a }, [event(3_000, 'warn', 'web'), event(3_000, 'info', 'db')]), null, 2);
    expect(other).toBe(first);
    const mine = event(3_000, 'error', 'db');
    const marked = cache.view(state({ a }, [mine]), null, 3)!;
    expect(marked).not.toBe(first);
    expect(marked.markers).toEqual([mine]);
    expect(marked.lines).toBe(first.lines);
  });

  it('while live, looks for markers in new events once a tick, not on every batch', () => {
    const cache = new PanelViewCache(panel(['a']), MIN);
    const a = series(5, 0);
    const first = cache.view(state({ a }, []), null, 1)!;
    const error = event(3_000, 'error');
    // Events come with nearly every batch: within the tick, the markers wait.
    expect(cache.view(state({ a }, [error]), null, 1)).toBe(first);
    expect(cache.view(state({ a }, [event(3_500, 'warn'), error]), null, 1)).toBe(first);
    const ticked = cache.view(state({ a }, [error]), null, 2)!;
    expect(ticked.markers).toEqual([error]);
  });

  it('while paused, shows the markers of a scrub at once', () => {
    const cache = new PanelViewCache(panel(['a']), MIN);
    const a = series(5, 0);
    const first = cache.view(state({ a }, []), 4_000, 1)!;
    const error = event(3_000, 'error');
    expect(cache.view(state({ a }, [error]), 4_000, 1)!.markers).toEqual([error]);
    expect(first.markers).toEqual([]);
  });

  it('holds the view on screen, whatever arrives, and catches up when the hold ends', () => {
    const cache = new PanelViewCache(p, MIN);
    const shown = cache.view(state({ a: series(5, 0), b: [] }), null, 1)!;
    const newer = state({ a: series(9, 0), b: series(9, 0) }, [event(8_000, 'error')]);
    expect(cache.view(newer, null, 2, true)).toBe(shown);
    expect(cache.view(newer, 1_000, 3, true)).toBe(shown);
    const caughtUp = cache.view(newer, null, 3, false)!;
    expect(caughtUp.lines.map((l) => l.latest.t)).toEqual([8_000, 8_000]);
    expect(caughtUp.markers).toHaveLength(1);
  });

  it('holds what is on screen when rendering trails the views built', () => {
    const cache = new PanelViewCache(p, MIN);
    const drawn = cache.view(state({ a: series(5, 0), b: [] }), null, 1);
    cache.noteShown(drawn);
    const built = cache.view(state({ a: series(7, 0), b: [] }), null, 1)!;
    expect(built).not.toBe(drawn);
    // The newer view was built but not yet drawn when the pointer arrived.
    expect(cache.view(state({ a: series(8, 0), b: [] }), null, 2, true)).toBe(drawn);
  });

  it('while live, ends its window at the newest point not stamped ahead of the clock', () => {
    const now = () => 10_000;
    const cache = new PanelViewCache(p, MIN, { now });
    const view = cache.view(state({ a: series(5, 0), b: [{ t: 1.7e15, y: 1 }] }), null, 1)!;
    expect(view.end).toBe(4_000);
    expect(view.lines.map((l) => l.series)).toEqual(['a']);
    expect(view.ahead).toBe(1);
    // A point a little ahead (within the tolerance) still ends the window.
    expect(cache.view(state({ a: series(5, 0), b: [{ t: 13_000, y: 1 }] }), null, 2)!.end).toBe(13_000);
  });

  it('trusts the gateway’s clock when it runs ahead of this one', () => {
    const cache = new PanelViewCache(p, MIN, { now: () => 0 });
    const s = state({ a: series(5, 56_000), b: [] });
    s.stream = { ...s.stream, lastBatch: { size: 1, oldestTs: 60_000, newestTs: 60_000 } };
    expect(cache.view(s, null, 1)!.end).toBe(60_000);
  });

  it('while paused, says what the store no longer holds before the moment, from its live buffers', () => {
    const whole = { a: series(600, 100_000, 100), b: [] };
    const cache = new PanelViewCache(p, MIN, { heldCharts: () => whole, maxPoints: 600 });
    // The shown state is clipped to the moment: nothing of `a` is that old.
    const view = cache.view(state({ a: [], b: [] }), 90_000, 1)!;
    expect(view.newest).toBeNull();
    expect(view.heldFrom).toBe(100_000);
  });

  it('while paused, redraws for any change of its series (a scrub), and ends at the moment', () => {
    const cache = new PanelViewCache(p, MIN);
    const first = cache.view(state({ a: series(5, 0), b: [] }), 2_500, 1)!;
    expect(first.end).toBe(2_500);
    expect(first.lines[0]!.latest.t).toBe(2_000);
    const scrubbed = cache.view(state({ a: series(3, 0), b: [] }), 2_500, 1)!;
    expect(scrubbed).not.toBe(first);
    expect(scrubbed.lines[0]!.points).toHaveLength(3);
  });
});
