/**
 * What `npm run bench:ui` runs inside the page. Playwright serialises each
 * function to the page, so none may use imports or anything outside its own
 * body (tsx's `__name` wrapper is stubbed by an earlier init script).
 */

/** Publish time range of the batch the store applied last (`stream.lastBatch`). */
export interface BatchInfo {
  size: number;
  oldestTs: number;
  newestTs: number;
}

/** The part of `window.__meshwatch.store` the bench reads. */
interface BenchStore {
  getState(): {
    status: string;
    nodes: Record<string, unknown>;
    edges: Record<string, unknown>;
    topologyVersion: number;
    stream: { received: number; lastBatch?: BatchInfo | null };
  };
  subscribe(listener: (state: ReturnType<BenchStore['getState']>) => void): () => void;
}

/** What `instrumentPage` leaves on `window.__uiBench`. */
export interface UiProbe {
  /** Long tasks since navigation (the observer is buffered), in page time. */
  tasks: { start: number; duration: number }[];
  /** rAF timestamps while a frame window is open. */
  frames: number[];
  counting: boolean;
  /** The unwrapped requestAnimationFrame, which the bench's own callbacks use. */
  nativeRaf: (callback: FrameRequestCallback) => number;
  /** The timestamp of the frame whose rAF callbacks are running now, or null between frames. */
  currentFrame: number | null;
  latency: { recording: boolean; oldest: number[]; newest: number[]; arrival: number[]; installed: boolean };
  /** Date.now() when the earliest socket frame not yet applied to the store arrived; null when all are applied. */
  pendingArrival: number | null;
}

type ProbeWindow = Window & { __uiBench: UiProbe; __meshwatch?: { store?: BenchStore } };

/**
 * Init script, before any page script: the long-task observer, and a
 * requestAnimationFrame wrapper that records which frame's callbacks are
 * running, so the latency probe can tell a store change made inside a frame
 * (painted at the end of that frame) from one made in a task (painted next frame).
 */
export function instrumentPage(): void {
  const w = window as unknown as ProbeWindow;
  const nativeRaf = window.requestAnimationFrame.bind(window);
  const probe: UiProbe = {
    tasks: [],
    frames: [],
    counting: false,
    nativeRaf,
    currentFrame: null,
    latency: { recording: false, oldest: [], newest: [], arrival: [], installed: false },
    pendingArrival: null,
  };
  w.__uiBench = probe;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.tasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  // When each gateway frame reaches the page: the listener is added before the app's own, so it runs first.
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', () => {
        probe.pendingArrival ??= Date.now();
      });
    }
  };
  // The id is the native one, so cancelAnimationFrame needs no wrapper.
  window.requestAnimationFrame = (callback) =>
    nativeRaf((time) => {
      const outer = probe.currentFrame;
      probe.currentFrame = time;
      try {
        callback(time);
      } finally {
        probe.currentFrame = outer;
      }
    });
}

/** What the bench reads from the store and the DOM between steps; `hasStore: false` when the app does not expose it. */
export function readPage(): {
  hasStore: boolean;
  hasLastBatch: boolean;
  status: string;
  nodes: number;
  edges: number;
  topologyVersion: number;
  received: number;
  drawnNodes: number;
  viewport: string;
  now: number;
} {
  const w = window as unknown as ProbeWindow;
  const store = w.__meshwatch?.store;
  // React Flow's nodes, and those drawn in bulk (zoomed out on a large graph; bulk-nodes.tsx says how many).
  const bulk = Number(document.querySelector('.bulk-nodes')?.getAttribute('data-count') ?? 0);
  const drawnNodes = document.querySelectorAll('.react-flow__node').length + bulk;
  const viewport = (document.querySelector('.react-flow__viewport') as HTMLElement | null)?.style.transform ?? '';
  const now = performance.now();
  if (!store || typeof store.getState !== 'function') {
    return { hasStore: false, hasLastBatch: false, status: '', nodes: 0, edges: 0, topologyVersion: 0, received: 0, drawnNodes, viewport, now };
  }
  const state = store.getState();
  return {
    hasStore: true,
    hasLastBatch: 'lastBatch' in state.stream,
    status: state.status,
    nodes: Object.keys(state.nodes).length,
    edges: Object.keys(state.edges).length,
    topologyVersion: state.topologyVersion,
    received: state.stream.received,
    drawnNodes,
    viewport,
    now,
  };
}

/**
 * Publish-to-paint: on each store change that brings a new `lastBatch`, wait
 * for the next paint, then record `Date.now() - oldestTs` (the batch's worst
 * message) and `Date.now() - newestTs`. The gateway stamps `ts` with its
 * Date.now() on the same machine, so both clocks agree to the millisecond.
 *
 * "After the next paint": the browser renders a frame by running its rAF
 * callbacks, then style, layout and paint, and only then takes the next task.
 * A message posted on a MessageChannel from inside a frame's rAF callbacks
 * therefore runs once that frame's rendering is done (MessageChannel rather
 * than setTimeout(0), which may be clamped to 4 ms). The app applies batches
 * in a rAF callback, so a change made inside a frame (`currentFrame` set by
 * the wrapper in instrumentPage) is painted by that same frame: post at once.
 * A change made in a task (a socket message, the scheduler's fallback timer)
 * is painted by the next frame: post from a rAF callback. Batches waiting for
 * the same paint share one post. This is when the main thread has handed the
 * frame to the compositor; pixels reach the screen a little later.
 */
export function installLatencyProbe(): 'ok' | 'no-store' | 'no-last-batch' {
  const w = window as unknown as ProbeWindow;
  const probe = w.__uiBench;
  const store = w.__meshwatch?.store;
  if (!store || typeof store.getState !== 'function' || typeof store.subscribe !== 'function') return 'no-store';
  if (!('lastBatch' in store.getState().stream)) return 'no-last-batch';
  if (probe.latency.installed) return 'ok';
  probe.latency.installed = true;

  interface Waiter {
    /** The frame that paints these batches, once known. */
    frame: number | null;
    batches: Array<BatchInfo & { arrivedAt: number | null }>;
  }
  const posted: Waiter[] = [];
  let open: Waiter | null = null;
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    const waiter = posted.shift();
    if (!waiter) return;
    if (open === waiter) open = null;
    const now = Date.now();
    for (const batch of waiter.batches) {
      probe.latency.oldest.push(now - batch.oldestTs);
      probe.latency.newest.push(now - batch.newestTs);
      if (batch.arrivedAt !== null) probe.latency.arrival.push(now - batch.arrivedAt);
    }
  };
  const post = (waiter: Waiter) => {
    posted.push(waiter);
    channel.port2.postMessage(null);
  };

  let last = store.getState().stream.lastBatch ?? null;
  store.subscribe((state) => {
    const published = state.stream.lastBatch ?? null;
    if (published === last || published === null) return;
    last = published;
    // Everything that arrived until now is in this store update (the client applies all it has queued).
    const batch = { ...published, arrivedAt: probe.pendingArrival };
    probe.pendingArrival = null;
    if (!probe.latency.recording) return;
    const frame = probe.currentFrame;
    if (open && open.frame === frame) {
      open.batches.push(batch);
    } else if (frame !== null) {
      open = { frame, batches: [batch] };
      post(open);
    } else {
      const waiter: Waiter = { frame: null, batches: [batch] };
      open = waiter;
      probe.nativeRaf((time) => {
        waiter.frame = time;
        post(waiter);
      });
    }
  });
  return 'ok';
}

/** Opens a frame window: counts rAF callbacks (and records their timestamps) until `stopFrames`. */
export function startFrames(): number {
  const probe = (window as unknown as ProbeWindow).__uiBench;
  probe.frames = [];
  probe.counting = true;
  probe.latency.recording = true;
  const tick = (time: number) => {
    if (!probe.counting) return;
    probe.frames.push(time);
    probe.nativeRaf(tick);
  };
  probe.nativeRaf(tick);
  return performance.now();
}

/** Closes the frame window: its frames, and the latencies recorded since the window opened. */
export function stopFrames(): { end: number; frames: number[]; oldest: number[]; newest: number[]; arrival: number[] } {
  const probe = (window as unknown as ProbeWindow).__uiBench;
  probe.counting = false;
  probe.latency.recording = false;
  const result = { end: performance.now(), frames: probe.frames, oldest: probe.latency.oldest, newest: probe.latency.newest, arrival: probe.latency.arrival };
  probe.frames = [];
  probe.latency.oldest = [];
  probe.latency.newest = [];
  probe.latency.arrival = [];
  return result;
}

/** Durations of the long tasks that started in [from, until) (page time). */
export function tasksBetween(range: { from: number; until: number }): number[] {
  return (window as unknown as ProbeWindow).__uiBench.tasks
    .filter((task) => task.start >= range.from && task.start < range.until)
    .map((task) => task.duration);
}

/**
 * A point inside the graph pane where a press lands on the pane itself (not a
 * node, which would be dragged, nor the minimap, controls or legend), or why there is none.
 * Candidates go round a grid so successive drags start in different places.
 */
export function emptyPanePoint(attempt: number): { x: number; y: number } | { missing: string } {
  const pane = document.querySelector('.react-flow__pane');
  if (!pane) return { missing: 'there is no graph pane (.react-flow__pane)' };
  const box = pane.getBoundingClientRect();
  if (box.width < 100 || box.height < 100) return { missing: `the graph pane (.react-flow__pane) is ${Math.round(box.width)}×${Math.round(box.height)} px` };
  const columns = 9;
  const rows = 7;
  for (let i = 0; i < columns * rows; i++) {
    const cell = (attempt * 17 + i) % (columns * rows);
    // Keep to the middle 60 %: the drags go 240 px either way from here.
    const x = box.left + box.width * (0.2 + (0.6 * (cell % columns)) / (columns - 1));
    const y = box.top + box.height * (0.2 + (0.6 * Math.floor(cell / columns)) / (rows - 1));
    const hit = document.elementFromPoint(x, y);
    if (hit && pane.contains(hit) && !hit.closest('.react-flow__node, .react-flow__edge, .react-flow__panel, .react-flow__minimap, .react-flow__controls')) {
      return { x, y };
    }
  }
  return { missing: 'found no empty spot on the graph pane (.react-flow__pane) to drag from' };
}
