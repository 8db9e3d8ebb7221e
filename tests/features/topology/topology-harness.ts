/**
 * What the component tests of large topologies share: a ResizeObserver that
 * batches like a browser's, and a view reset between tests.
 */
import { afterAll, beforeAll } from 'vitest';
import { useFindResult } from '../../../src/features/topology/find-store.ts';
import { DEFAULT_VIEW_PARAMS } from '../../../src/features/topology/view-params.ts';
import { useTopologyView } from '../../../src/features/topology/view-store.ts';

/**
 * Browsers deliver every size observed in one frame in one callback; the
 * shared stub delivers each in its own task, so React Flow re-renders once
 * per node measured. With 300 nodes appearing at once (a group expanding)
 * that alone takes seconds in jsdom; this batches them as browsers do.
 */
class BatchedResizeObserver {
  private readonly pending = new Set<Element>();
  private scheduled = false;
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element) {
    this.pending.add(target);
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      const entries = [...this.pending].map((t) => ({ target: t }) as ResizeObserverEntry);
      this.pending.clear();
      if (entries.length > 0) this.callback(entries, this as unknown as ResizeObserver);
    }, 0);
  }
  unobserve(target: Element) {
    this.pending.delete(target);
  }
  disconnect() {
    this.pending.clear();
  }
}

/** Installs the batching ResizeObserver for the calling test file, and restores the shared one after it. */
export function useBatchedResizeObserver(): void {
  const shared = globalThis.ResizeObserver;
  beforeAll(() => {
    globalThis.ResizeObserver = BatchedResizeObserver as unknown as typeof ResizeObserver;
  });
  afterAll(() => {
    globalThis.ResizeObserver = shared;
  });
}

/** The view's settings, find and stored pins back to a fresh page's. */
export function resetTopologyView(): void {
  useTopologyView.setState({ params: DEFAULT_VIEW_PARAMS, keyboardTarget: null, autoFit: false, animate: false });
  useFindResult.setState({ matches: null, error: null });
  // The view reads its settings from the address bar on mount, and writes them back.
  window.history.replaceState(null, '', '/');
  localStorage.clear();
}
