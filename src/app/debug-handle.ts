import { useClock } from '../store/clock.ts';
import { useRealtime } from '../store/realtime.ts';
import { useShown } from '../store/shown.ts';

declare global {
  interface Window {
    /**
     * The stores, for the console, benchmarks that time what reaches the
     * screen (`npm run bench:ui`) and end-to-end tests: `store` is the live
     * realtime store, `shown` what the views draw (the live store, or the
     * clock's recorded moment), `clock` the timeline's. Reading them changes nothing.
     */
    __meshwatch?: { store: typeof useRealtime; shown?: typeof useShown; clock?: typeof useClock };
  }
}

export function exposeStoreForDebugging(): void {
  window.__meshwatch = { store: useRealtime, shown: useShown, clock: useClock };
}
