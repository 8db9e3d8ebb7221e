import { useRealtime } from '../store/realtime.ts';

declare global {
  interface Window {
    /**
     * The realtime store, for the console and for benchmarks that time what
     * reaches the screen (`npm run bench:ui`): `__meshwatch.store.getState()`.
     * Reading it changes nothing; it is the same store the views subscribe to.
     */
    __meshwatch?: { store: typeof useRealtime };
  }
}

export function exposeStoreForDebugging(): void {
  window.__meshwatch = { store: useRealtime };
}
