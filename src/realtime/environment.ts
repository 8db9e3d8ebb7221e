/**
 * What the realtime client needs to know about the page it runs in: is the
 * network up, is the tab visible, and when either (or focus) changes.
 * Browsers throttle timers in background tabs to once a minute or less, so
 * these events, not timers, are what notice a dead link when the user returns.
 */
export type EnvironmentEvent = 'online' | 'offline' | 'focus' | 'visible';

export interface ClientEnvironment {
  isOnline(): boolean;
  /** Calls `listener` on each event; returns the function that stops it. */
  listen(listener: (event: EnvironmentEvent) => void): () => void;
}

/** The browser's `navigator.onLine`, `window` and `document` events; inert where they do not exist (Node). */
export function browserEnvironment(): ClientEnvironment {
  const win = typeof window === 'undefined' ? null : window;
  const doc = typeof document === 'undefined' ? null : document;
  return {
    isOnline: () => (typeof navigator === 'undefined' ? true : navigator.onLine !== false),
    listen(listener) {
      if (!win) return () => {};
      const online = () => listener('online');
      const offline = () => listener('offline');
      const focus = () => listener('focus');
      const visibility = () => {
        if (doc?.visibilityState === 'visible') listener('visible');
      };
      win.addEventListener('online', online);
      win.addEventListener('offline', offline);
      win.addEventListener('focus', focus);
      doc?.addEventListener('visibilitychange', visibility);
      return () => {
        win.removeEventListener('online', online);
        win.removeEventListener('offline', offline);
        win.removeEventListener('focus', focus);
        doc?.removeEventListener('visibilitychange', visibility);
      };
    },
  };
}
