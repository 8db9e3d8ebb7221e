import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './app/styles.css';
import { App } from './app/App.tsx';
import { useRealtime } from './store/realtime.ts';

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
window.__meshwatch = { store: useRealtime };

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
