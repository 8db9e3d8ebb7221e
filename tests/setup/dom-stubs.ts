/**
 * jsdom lacks what React Flow measures with. Without these, React Flow keeps
 * every node hidden (it waits for a size that never comes). Charts watch
 * their visibility with IntersectionObserver. Node-environment tests skip all of it.
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

  /**
   * Reports nothing on its own (a watched element stays "visible"); a test
   * moves an element in or out of view with `IntersectionObserverStub.report`.
   */
  class IntersectionObserverStub {
    static readonly observers = new Set<IntersectionObserverStub>();
    static report(target: Element, isIntersecting: boolean): void {
      for (const observer of IntersectionObserverStub.observers) {
        if (!observer.targets.has(target)) continue;
        const entry = { target, isIntersecting, intersectionRatio: isIntersecting ? 1 : 0 } as IntersectionObserverEntry;
        observer.callback([entry], observer as unknown as IntersectionObserver);
      }
    }
    readonly targets = new Set<Element>();
    constructor(private readonly callback: IntersectionObserverCallback) {}
    observe(target: Element) {
      this.targets.add(target);
      IntersectionObserverStub.observers.add(this);
    }
    unobserve(target: Element) {
      this.targets.delete(target);
    }
    disconnect() {
      this.targets.clear();
      IntersectionObserverStub.observers.delete(this);
    }
    takeRecords(): IntersectionObserverEntry[] {
      return [];
    }
  }
  globalThis.IntersectionObserver = IntersectionObserverStub as unknown as typeof IntersectionObserver;

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
