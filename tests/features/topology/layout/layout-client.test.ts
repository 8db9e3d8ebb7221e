import { afterEach, describe, expect, it, vi } from 'vitest';
import { LayoutEngine } from '../../../../src/features/topology/layout/engine.ts';
import { createLayoutClient, type LayoutClient, type LayoutJob } from '../../../../src/features/topology/layout/layout-client.ts';
import type { LayoutResponse, LayoutWorkerRequest, LayoutWorkerResponse } from '../../../../src/features/topology/layout/protocol.ts';

function job(key: string, extra: Partial<LayoutJob> = {}): LayoutJob {
  return {
    key,
    algorithm: 'layered',
    nodeIds: ['a', 'b', 'c'],
    edges: [
      { source: 'a', target: 'b' },
      { source: 'b', target: 'c' },
    ],
    groups: [],
    pins: [],
    ...extra,
  };
}

/** Follows a promise without awaiting it, so a test can ask whether it has settled. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

/** Runs every pending microtask (promise callbacks), but no timer. */
async function flushMicrotasks() {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
const macrotask = () => new Promise((resolve) => setTimeout(resolve, 0));

function positionsOf(response: LayoutResponse) {
  return new Map(response.ids.map((id, i) => [id, { x: response.xy[i * 2]!, y: response.xy[i * 2 + 1]! }]));
}

const clients: LayoutClient[] = [];
function client(options?: { preferWorker?: boolean }) {
  const created = createLayoutClient(options);
  clients.push(created);
  return created;
}

afterEach(() => {
  for (const c of clients.splice(0)) c.dispose();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

/** Layout requests the engine actually ran. */
function spyOnLayouts() {
  const handle = vi.spyOn(LayoutEngine.prototype, 'handle');
  return () => handle.mock.calls.filter(([request]) => request.type === 'layout').map(([request]) => (request as { key: string }).key);
}

describe('the layout client without workers', () => {
  it('runs inline where there is no Worker', () => {
    expect(typeof Worker).toBe('undefined');
    expect(client().mode).toBe('inline');
    expect(client({ preferWorker: false }).mode).toBe('inline');
  });

  it('answers asynchronously, a macrotask later, as a worker would', async () => {
    const ran = spyOnLayouts();
    const layouts = client();
    const answer = track(layouts.layout(job('k')));
    expect(ran()).toEqual([]);
    await flushMicrotasks();
    expect(answer.settled).toBe(false);
    expect(ran()).toEqual([]);

    await macrotask();
    await flushMicrotasks();
    expect(answer.settled).toBe(true);
    expect(answer.value).toMatchObject({ type: 'layout', key: 'k' });
    expect([...answer.value!.ids].sort()).toEqual(['a', 'b', 'c']);
  });

  it('runs at most one more layout for a burst that arrives while one is in flight, answering the others null', async () => {
    const ran = spyOnLayouts();
    const layouts = client();
    const first = layouts.layout(job('first'));
    const second = track(layouts.layout(job('second')));
    const third = track(layouts.layout(job('third')));
    const last = layouts.layout(job('last'));

    // Superseded before they started: answered at once, without waiting for the layout in flight.
    await flushMicrotasks();
    expect(second).toEqual({ settled: true, value: null });
    expect(third).toEqual({ settled: true, value: null });

    expect((await first)?.key).toBe('first');
    expect((await last)?.key).toBe('last');
    expect(ran()).toEqual(['first', 'last']);
  });

  it('starts a request at once when nothing is in flight', async () => {
    const ran = spyOnLayouts();
    const layouts = client();
    expect((await layouts.layout(job('one')))?.key).toBe('one');
    expect((await layouts.layout(job('two')))?.key).toBe('two');
    expect(ran()).toEqual(['one', 'two']);
  });

  it('answers every pending request null on dispose, and every later one too', async () => {
    const ran = spyOnLayouts();
    const layouts = client();
    const inFlight = track(layouts.layout(job('in-flight')));
    const queued = track(layouts.layout(job('queued')));
    layouts.dispose();
    await flushMicrotasks();
    expect(inFlight).toEqual({ settled: true, value: null });
    expect(queued).toEqual({ settled: true, value: null });
    expect(await layouts.layout(job('after'))).toBeNull();
    await macrotask();
    expect(ran()).toEqual([]);
  });

  it('runs no layout after dispose, even with a reset sent after the layout', async () => {
    const ran = spyOnLayouts();
    const layouts = client();
    const inFlight = layouts.layout(job('in-flight'));
    layouts.reset();
    layouts.dispose();
    expect(await inFlight).toBeNull();
    await macrotask();
    await macrotask();
    // The page is gone: a layout now would only cost main-thread time (seconds, at 2,000 nodes).
    expect(ran()).toEqual([]);
  });

  it('rejects a request whose layout fails, and goes on with the next', async () => {
    const layouts = client();
    const original = LayoutEngine.prototype.handle;
    vi.spyOn(LayoutEngine.prototype, 'handle').mockImplementation(function (this: LayoutEngine, request) {
      if (request.key === 'broken') throw new Error('no room');
      return original.call(this, request);
    });
    const broken = layouts.layout(job('broken'));
    const next = layouts.layout(job('next'));
    await expect(broken).rejects.toThrow(/layout failed: .*no room/);
    expect((await next)?.key).toBe('next');
  });

  it('remembers layouts between requests, and forgets them on reset', async () => {
    const layouts = client();
    const pin = { x: 5_000, y: 5_000 };
    const fresh = positionsOf((await layouts.layout(job('k')))!);
    const pinned = positionsOf((await layouts.layout(job('k', { pins: [['b', pin]] })))!);
    expect(pinned.get('b')).toEqual(pin);
    // Without the pin in the request, the remembered layout still has it.
    const remembered = await layouts.layout(job('k'));
    expect(positionsOf(remembered!).get('b')).toEqual(pin);
    expect(remembered!.changed).toBe(false);

    layouts.reset();
    const after = await layouts.layout(job('k'));
    expect(after!.changed).toBe(true);
    expect(positionsOf(after!)).toEqual(fresh);
  });

  it('resets before a layout asked for after the reset, even while another is in flight', async () => {
    const layouts = client();
    await layouts.layout(job('k', { pins: [['b', { x: 5_000, y: 5_000 }]] }));
    const inFlight = layouts.layout(job('k'));
    layouts.reset();
    const after = layouts.layout(job('k'));
    expect(positionsOf((await inFlight)!).get('b')).toEqual({ x: 5_000, y: 5_000 });
    expect(positionsOf((await after)!).get('b')).not.toEqual({ x: 5_000, y: 5_000 });
  });
});

/**
 * A stand-in for the browser's Worker, driven by the test: it records what
 * the page posts and answers only when told to, running the real engine.
 */
class FakeWorker {
  static instances: FakeWorker[] = [];
  onmessage: ((event: MessageEvent<LayoutWorkerResponse>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  readonly posted: LayoutWorkerRequest[] = [];
  terminated = false;
  private readonly engine = new LayoutEngine();

  constructor(
    readonly url: URL,
    readonly options: WorkerOptions,
  ) {
    FakeWorker.instances.push(this);
  }
  postMessage(request: LayoutWorkerRequest) {
    this.posted.push(request);
  }
  terminate() {
    this.terminated = true;
  }
  /** Answers the oldest unanswered request, the way the worker's script would. */
  answerNext() {
    const request = this.posted.shift();
    if (!request) throw new Error('nothing to answer');
    const response = this.engine.handle(request);
    if (response) this.onmessage?.({ data: response } as MessageEvent<LayoutWorkerResponse>);
    return response;
  }
  send(data: LayoutWorkerResponse) {
    this.onmessage?.({ data } as MessageEvent<LayoutWorkerResponse>);
  }
  fail(message: string) {
    const event = { message, preventDefault: vi.fn() } as unknown as ErrorEvent;
    this.onerror?.(event);
    return event;
  }
}

describe('the layout client with a worker', () => {
  function workerClient() {
    FakeWorker.instances = [];
    vi.stubGlobal('Worker', FakeWorker);
    const layouts = client();
    const worker = FakeWorker.instances[0]!;
    return { layouts, worker };
  }

  it('runs the layout worker as a module, and posts one request at a time', async () => {
    const { layouts, worker } = workerClient();
    expect(layouts.mode).toBe('worker');
    expect(worker.url.pathname).toMatch(/layout\.worker\.ts$/);
    expect(worker.options.type).toBe('module');

    const first = layouts.layout(job('first'));
    const skipped = layouts.layout(job('skipped'));
    const last = layouts.layout(job('last'));
    expect(worker.posted.map((r) => r.type === 'layout' && r.key)).toEqual(['first']);
    expect(await skipped).toBeNull();

    worker.answerNext();
    expect((await first)?.key).toBe('first');
    expect(worker.posted.map((r) => r.type === 'layout' && r.key)).toEqual(['last']);
    worker.answerNext();
    expect((await last)?.key).toBe('last');
  });

  it('ignores an answer to a request that is not the one in flight', async () => {
    const { layouts, worker } = workerClient();
    const answer = track(layouts.layout(job('k')));
    const requestId = (worker.posted[0] as { requestId: number }).requestId;
    worker.send({ type: 'layout', requestId: requestId + 100, key: 'stale', ids: [], xy: new Float64Array(), changed: true, ms: 0 });
    await flushMicrotasks();
    expect(answer.settled).toBe(false);
    worker.answerNext();
    await flushMicrotasks();
    expect(answer.value?.key).toBe('k');
  });

  it('rejects a request the worker reports failed', async () => {
    const { layouts, worker } = workerClient();
    const answer = layouts.layout(job('k'));
    const { requestId } = worker.posted[0] as { requestId: number };
    worker.send({ type: 'error', requestId, message: 'out of memory' });
    await expect(answer).rejects.toThrow('layout failed: out of memory');
  });

  it('carries a reset with the next job it posts to the worker, and terminates it on dispose', () => {
    const { layouts, worker } = workerClient();
    layouts.reset();
    expect(worker.posted).toEqual([]);
    void layouts.layout(job('k'));
    expect(worker.posted).toEqual([expect.objectContaining({ type: 'layout', key: 'k', fresh: true })]);
    layouts.dispose();
    expect(worker.terminated).toBe(true);
  });

  it('lays out on the main thread when the worker fails, answering the request it had', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { layouts, worker } = workerClient();
    const answer = layouts.layout(job('k'));
    const event = worker.fail('blocked by CSP');
    expect(event.preventDefault).toHaveBeenCalled();
    expect(worker.terminated).toBe(true);
    expect(layouts.mode).toBe('inline');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('blocked by CSP'));
    expect((await answer)?.key).toBe('k');
    // And every later request.
    expect((await layouts.layout(job('later')))?.key).toBe('later');
  });

  it('settles every request when the worker fails with one in flight and a newer one waiting', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { layouts, worker } = workerClient();
    const inFlight = track(layouts.layout(job('in-flight')));
    const newer = layouts.layout(job('newer'));
    worker.fail('crashed');
    expect((await newer)?.key).toBe('newer');
    await macrotask();
    await flushMicrotasks();
    // The request the worker had was superseded by the newer one: it must be answered (null), not left hanging.
    expect(inFlight.settled).toBe(true);
    expect(inFlight.value).toBeNull();
  });
});
