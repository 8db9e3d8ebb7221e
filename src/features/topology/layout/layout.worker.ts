/// <reference lib="webworker" />
/**
 * The layout worker: a first layout of 2,000 nodes takes seconds, and the
 * page must keep drawing live data meanwhile.
 */
import { LayoutEngine } from './engine.ts';
import type { LayoutWorkerRequest, LayoutWorkerResponse } from './protocol.ts';

const engine = new LayoutEngine();
const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = (event: MessageEvent<LayoutWorkerRequest>) => {
  const request = event.data;
  try {
    const response = engine.handle(request);
    scope.postMessage(response satisfies LayoutWorkerResponse, [response.xy.buffer]);
  } catch (error) {
    const failure: LayoutWorkerResponse = { type: 'error', requestId: request.requestId, message: error instanceof Error ? error.message : String(error) };
    scope.postMessage(failure);
  }
};
