/**
 * The page's side of the layout worker. At most one request is in flight;
 * while it runs, only the newest of the requests that arrive is kept (the
 * others are answered `null`: superseded), so a burst of topology changes
 * costs one more layout, not one each.
 *
 * Where there are no workers (jsdom) or the worker cannot start, the same
 * engine runs on the main thread, one macrotask later, with the same answers.
 */
import { LayoutEngine } from './engine.ts';
import type { LayoutRequest, LayoutResponse, LayoutWorkerRequest, LayoutWorkerResponse } from './protocol.ts';

export type LayoutJob = Omit<LayoutRequest, 'type' | 'requestId' | 'fresh'>;

export interface LayoutClient {
  /** Resolves with the layout, or null when a newer job replaced this one before it started. */
  layout(job: LayoutJob): Promise<LayoutResponse | null>;
  /** Forgets every remembered layout: the next job sent lays out afresh (a job already running cannot undo it). */
  reset(): void;
  dispose(): void;
  readonly disposed: boolean;
  /** `worker` in browsers; `inline` where workers are missing or failed. */
  readonly mode: 'worker' | 'inline';
}

interface Pending {
  job: LayoutJob;
  resolve: (response: LayoutResponse | null) => void;
  reject: (error: Error) => void;
}

interface Transport {
  send(request: LayoutWorkerRequest): void;
  dispose(): void;
}

export function createLayoutClient(options: { preferWorker?: boolean } = {}): LayoutClient {
  let nextId = 1;
  let inFlight: (Pending & { requestId: number }) | null = null;
  let queued: Pending | null = null;
  let disposed = false;
  let freshNext = false;

  const receive = (response: LayoutWorkerResponse) => {
    if (!inFlight || response.requestId !== inFlight.requestId) return;
    const done = inFlight;
    inFlight = null;
    if (response.type === 'error') done.reject(new Error(`layout failed: ${response.message}`));
    else done.resolve(response);
    pump();
  };

  const inline = (): Transport => {
    const engine = new LayoutEngine();
    const timers = new Set<ReturnType<typeof setTimeout>>();
    return {
      send(request) {
        // A macrotask, as a worker's answer would be: callers never see a synchronous result.
        const timer = setTimeout(() => {
          timers.delete(timer);
          try {
            receive(engine.handle(request));
          } catch (error) {
            receive({ type: 'error', requestId: request.requestId, message: String(error) });
          }
        }, 0);
        timers.add(timer);
      },
      dispose() {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
      },
    };
  };

  let mode: 'worker' | 'inline' = 'inline';
  let transport: Transport;
  if ((options.preferWorker ?? true) && typeof Worker !== 'undefined') {
    try {
      const worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module', name: 'meshwatch-layout' });
      worker.onmessage = (event: MessageEvent<LayoutWorkerResponse>) => receive(event.data);
      worker.onerror = (event) => {
        // A worker that cannot load (a strict CSP, say) must not leave the graph without positions.
        console.warn(`meshwatch: layout worker failed (${event.message}); laying out on the main thread`);
        event.preventDefault();
        worker.terminate();
        mode = 'inline';
        transport = inline();
        if (inFlight) {
          const { job, resolve, reject } = inFlight;
          inFlight = null;
          // Run again inline, unless a newer job already waits: then this one is superseded.
          if (queued) resolve(null);
          else queued = { job, resolve, reject };
          pump();
        }
      };
      transport = { send: (request) => worker.postMessage(request), dispose: () => worker.terminate() };
      mode = 'worker';
    } catch {
      transport = inline();
    }
  } else {
    transport = inline();
  }

  function pump(): void {
    if (inFlight || !queued || disposed) return;
    const next = queued;
    queued = null;
    inFlight = { ...next, requestId: nextId++ };
    const fresh = freshNext;
    freshNext = false;
    transport.send({ type: 'layout', requestId: inFlight.requestId, fresh, ...next.job });
  }

  return {
    get mode() {
      return mode;
    },
    layout(job) {
      if (disposed) return Promise.resolve(null);
      return new Promise((resolve, reject) => {
        queued?.resolve(null);
        queued = { job, resolve, reject };
        pump();
      });
    },
    reset() {
      freshNext = true;
    },
    get disposed() {
      return disposed;
    },
    dispose() {
      disposed = true;
      transport.dispose();
      queued?.resolve(null);
      inFlight?.resolve(null);
      queued = inFlight = null;
    },
  };
}
