/**
 * jsdom lacks what React Flow measures with. Without these, React Flow keeps
 * every node hidden (it waits for a size that never comes). Node-environment
 * tests skip all of it.
 */
if (typeof window !== 'undefined') {
  class AsyncResizeObserver {
    constructor(private readonly callback: ResizeObserverCallback) {}
    observe(target: Element) {
      // React Flow expects the first measurement asynchronously, as browsers do.
      setTimeout(() => this.callback([{ target } as ResizeObserverEntry], this as unknown as ResizeObserver), 0);
    }
    unobserve() {}
    disconnect() {}
  }
  globalThis.ResizeObserver = AsyncResizeObserver as unknown as typeof ResizeObserver;

  class DOMMatrixReadOnlyStub {
    m22: number;
    constructor(transform?: string) {
      const scale = transform?.match(/scale\(([\d.]+)\)/)?.[1];
      this.m22 = scale !== undefined ? Number(scale) : 1;
    }
  }
  (globalThis as unknown as { DOMMatrixReadOnly: unknown }).DOMMatrixReadOnly = DOMMatrixReadOnlyStub;

  Object.defineProperties(HTMLElement.prototype, {
    offsetHeight: { configurable: true, get() { return Number.parseFloat(this.style?.height) || 600; } },
    offsetWidth: { configurable: true, get() { return Number.parseFloat(this.style?.width) || 800; } },
  });
  (SVGElement.prototype as unknown as { getBBox: () => DOMRect }).getBBox = () =>
    ({ x: 0, y: 0, width: 100, height: 20 }) as DOMRect;
}
