import { describe, expect, it } from 'vitest';
import { createFrameBudgetMonitor, type FrameBudgetStats } from '../../src/lib/frame-budget.ts';

/** Stands in for requestAnimationFrame: a test decides when each frame comes and how long after the last. */
function fakeFrames() {
  let now = 0;
  let nextHandle = 1;
  const pending = new Map<number, FrameRequestCallback>();
  return {
    requestFrame: (callback: FrameRequestCallback) => {
      const handle = nextHandle++;
      pending.set(handle, callback);
      return handle;
    },
    cancelFrame: (handle: number) => void pending.delete(handle),
    get pending() {
      return pending.size;
    },
    /** Runs the frames waiting now, `gapMs` after the previous one. */
    frame(gapMs: number) {
      now += gapMs;
      const callbacks = [...pending.values()];
      pending.clear();
      for (const callback of callbacks) callback(now);
    },
    frames(count: number, gapMs: number) {
      for (let i = 0; i < count; i++) this.frame(gapMs);
    },
  };
}

function setup(options: { budgetMs?: number; windowMs?: number; overRatio?: number } = {}) {
  const raf = fakeFrames();
  const reports: FrameBudgetStats[] = [];
  const monitor = createFrameBudgetMonitor({
    ...options,
    requestFrame: raf.requestFrame,
    cancelFrame: raf.cancelFrame,
    onOverBudget: (stats) => reports.push(stats),
  });
  return { raf, reports, monitor };
}

describe('frame budget monitor', () => {
  it('stays quiet while frames keep within budget', () => {
    const { raf, reports, monitor } = setup();
    monitor.start();
    raf.frames(1_000, 16);
    expect(reports).toEqual([]);
    expect(raf.pending).toBe(1);
  });

  it('reports once, then stops, when most frames of a full window are over budget', () => {
    const { raf, reports, monitor } = setup({ budgetMs: 20, windowMs: 2_000, overRatio: 0.5 });
    monitor.start();
    raf.frame(0); // the first frame only sets the clock
    raf.frames(39, 50); // 1 950 ms: the window is not full yet
    expect(reports).toEqual([]);
    raf.frame(50); // 2 000 ms: judged
    expect(reports).toEqual([{ p90Ms: 50, frames: 40 }]);
    expect(raf.pending).toBe(0);
    raf.frames(100, 50);
    expect(reports).toHaveLength(1);
  });

  it('does not report when exactly the ratio, not more, is over budget', () => {
    const { raf, reports, monitor } = setup({ budgetMs: 20, windowMs: 1_000, overRatio: 0.5 });
    monitor.start();
    raf.frame(0);
    // Alternating 10 ms and 30 ms: half over budget, 50 frames in 1 000 ms.
    for (let i = 0; i < 50; i++) raf.frame(i % 2 === 0 ? 10 : 30);
    expect(reports).toEqual([]);
  });

  it('reports a p90 that reflects the slowest tenth of frames', () => {
    const { raf, reports, monitor } = setup({ budgetMs: 20, windowMs: 1_000, overRatio: 0.5 });
    monitor.start();
    raf.frame(0);
    raf.frames(8, 25);
    raf.frames(2, 400); // 10 frames, 1 000 ms, all over budget
    expect(reports).toEqual([{ p90Ms: 400, frames: 10 }]);
  });

  it('judges each window afresh: one slow window after smooth ones still reports', () => {
    const { raf, reports, monitor } = setup({ budgetMs: 20, windowMs: 1_000 });
    monitor.start();
    raf.frame(0);
    raf.frames(250, 16); // 4 000 ms of smooth frames: several windows pass
    expect(reports).toEqual([]);
    raf.frames(40, 40); // at least one whole window of slow frames
    expect(reports).toHaveLength(1);
  });

  it('does not count gaps over a second: a hidden tab is not slow rendering', () => {
    const { raf, reports, monitor } = setup({ budgetMs: 20, windowMs: 2_000 });
    monitor.start();
    raf.frame(0);
    // Background tabs get a frame every few seconds, if at all.
    raf.frames(20, 5_000);
    expect(reports).toEqual([]);
    // Smooth frames after it fill a window without a report.
    raf.frames(200, 16);
    expect(reports).toEqual([]);
  });

  it('stops asking for frames when stopped, and starts afresh when started again', () => {
    const { raf, reports, monitor } = setup({ budgetMs: 20, windowMs: 1_000 });
    monitor.start();
    raf.frame(0);
    raf.frames(15, 50); // 750 ms of slow frames
    monitor.stop();
    expect(raf.pending).toBe(0);

    monitor.start();
    monitor.start(); // a second start is a no-op
    expect(raf.pending).toBe(1);
    raf.frame(0);
    raf.frames(15, 50); // another 750 ms: the first 750 ms were forgotten
    expect(reports).toEqual([]);
    raf.frames(5, 50);
    expect(reports).toHaveLength(1);
  });

  it('can be started again from its own report', () => {
    const raf = fakeFrames();
    let reports = 0;
    const monitor = createFrameBudgetMonitor({
      windowMs: 100,
      requestFrame: raf.requestFrame,
      cancelFrame: raf.cancelFrame,
      onOverBudget: () => {
        reports++;
        monitor.start();
      },
    });
    monitor.start();
    raf.frame(0);
    raf.frames(2, 50);
    expect(reports).toBe(1);
    expect(raf.pending).toBe(1);
  });
});
