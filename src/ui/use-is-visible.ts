import { useEffect, useState, useSyncExternalStore, type RefObject } from 'react';

function subscribeToPageVisibility(onChange: () => void): () => void {
  document.addEventListener('visibilitychange', onChange);
  return () => document.removeEventListener('visibilitychange', onChange);
}
const isPageVisible = () => document.visibilityState !== 'hidden';
const assumeVisible = () => true;

/**
 * Whether the element is on screen: it intersects the viewport (after its
 * scrolling ancestors clip it) and the tab is not hidden. True until the
 * first observation, and always where IntersectionObserver is missing.
 */
export function useIsVisible(ref: RefObject<Element | null>): boolean {
  const [inView, setInView] = useState(true);
  const pageVisible = useSyncExternalStore(subscribeToPageVisibility, isPageVisible, assumeVisible);
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      const latest = entries.at(-1);
      if (latest) setInView(latest.isIntersecting);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return inView && pageVisible;
}
