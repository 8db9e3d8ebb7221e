import { useLayoutEffect, useState, type RefObject } from 'react';

interface Size {
  width: number;
  height: number;
}

/**
 * The element's rendered size, kept current with a ResizeObserver. Starts at
 * `fallback` so the first render already draws something sensible.
 */
export function useElementSize(ref: RefObject<HTMLElement | null>, fallback: Size): Size {
  const [size, setSize] = useState(fallback);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      // offsetWidth/Height, not the entry's contentRect: the first measure runs without an
      // entry, and whole pixels keep a subpixel resize from re-rendering the chart.
      const width = element.offsetWidth;
      const height = element.offsetHeight;
      setSize((current) =>
        current.width === width && current.height === height ? current : { width, height },
      );
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}
