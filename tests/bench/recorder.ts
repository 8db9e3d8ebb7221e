/**
 * What the timeline's recording costs: the simulator's mesh replayed through
 * a store at a given rate for a given number of simulated seconds (one
 * batch per 1/60 s, log lines left out as the overview page does), the app's
 * recorder recording once a second. Prints what it holds (span, steps,
 * moments), the heap growth over the run (store and recording together) and
 * the time to show a moment (a scrub) at several depths.
 *
 *   node --expose-gc --import tsx tests/bench/recorder.ts [size=200] [rate=10000] [seconds=660]
 */
import { createStore } from 'zustand/vanilla';
import { CrawlSimulator } from '../../src/server/simulator/simulator.ts';
import { createClockStore } from '../../src/store/clock.ts';
import { createRealtimeStore, type RealtimeState } from '../../src/store/realtime.ts';
import { linkShown } from '../../src/store/shown.ts';

const arg = (at: number, fallback: number) => Number(process.argv[2 + at] ?? fallback);
const size = arg(0, 200);
const rate = arg(1, 10_000);
const seconds = arg(2, 660);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const live = createRealtimeStore();
const shown = createStore<RealtimeState>()(() => live.getState());
const clock = createClockStore();
let now = Date.UTC(2026, 11, 7);
const link = linkShown(live, shown, clock, { now: () => now, setTimer: () => 0, clearTimer: () => undefined });
const sim = new CrawlSimulator({ size, ratePerSecond: rate, now });
let seq = 0;
live.getState().applyBatch(sim.initial().map((data) => ({ seq: ++seq, ts: now, data })));
gc();
const heapBefore = process.memoryUsage().heapUsed;
let longestRecordMs = 0;
for (let second = 0; second < seconds; second++) {
  for (let frame = 0; frame < 60; frame++) {
    now += 1000 / 60;
    const payloads = sim.step(1000 / 60).filter((payload) => payload.type !== 'log-chunk');
    live.getState().applyBatch(payloads.map((data) => ({ seq: ++seq, ts: now, data })));
  }
  const started = performance.now();
  link.recordNow();
  longestRecordMs = Math.max(longestRecordMs, performance.now() - started);
}
gc();
const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
const span = link.recorder.span()!;
const times = link.recorder.momentTimes();
const steps = times.slice(1).map((at, i) => Math.round((at - times[i]!) / 1000));
const state = live.getState();
console.log(`recorder: ${size}-node mesh (${Object.keys(state.nodes).length} nodes, ${Object.keys(state.edges).length} edges), ${rate.toLocaleString('en')} messages/s for ${seconds} s`);
console.log(`  held: ${((span.to - span.from) / 1000).toFixed(0)} s in ${span.moments} moments, coarsest step ${(span.stepMs / 1000).toFixed(0)} s, ${(link.recorder.heldBytes() / 2 ** 20).toFixed(1)} MiB estimated`);
console.log(`  steps (s), oldest first: ${steps.slice(0, 15).join(' ')} … ${steps.slice(-10).join(' ')}`);
console.log(`  heap growth over the run (store and recording): ${heapMiB.toFixed(1)} MiB; longest record ${longestRecordMs.toFixed(1)} ms`);
const thinning = link.recorder.thinningCounts();
console.log(`  thinning: ${thinning.merged} merges, ${thinning.folded} folded`);
for (const back of [1, 60, 300, 590]) {
  const started = performance.now();
  clock.getState().scrubTo(now - back * 1000);
  shown.getState();
  console.log(`  show the moment ${back} s back: ${(performance.now() - started).toFixed(1)} ms`);
}
