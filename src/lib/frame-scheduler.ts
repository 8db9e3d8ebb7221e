/**
 * Runs a callback at most once per animation frame, however often it is asked.
 *
 * Browsers stop animation frames in background tabs, so a fallback timer also
 * fires (background tabs throttle it to about once a second, which is fine:
 * nobody is looking); whichever comes first runs the callback and cancels the other.
 */
export interface FrameScheduler {
  /** Asks for the callback to run on the next frame; repeated asks before then are free. */
  request(): void;
  /** Runs the callback now if a frame was requested, and cancels the pending one. */
  flush(): void;
  cancel(): void;
}

const FALLBACK_FRAME_MS = 100;

export function createFrameScheduler(callback: () => void, fallbackMs = FALLBACK_FRAME_MS): FrameScheduler {
  const raf = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : null;
  const caf = typeof cancelAnimationFrame === 'function' ? cancelAnimationFrame : null;
  let frame: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending = false;

  const clear = () => {
    if (frame !== null && caf) caf(frame);
    if (timer !== null) clearTimeout(timer);
    frame = null;
    timer = null;
  };
  const run = () => {
    clear();
    if (!pending) return;
    pending = false;
    callback();
  };

  return {
    request() {
      if (pending) return;
      pending = true;
      if (raf) frame = raf(run);
      timer = setTimeout(run, raf ? fallbackMs : 16);
    },
    flush: run,
    cancel() {
      pending = false;
      clear();
    },
  };
}
