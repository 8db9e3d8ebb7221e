/** A tiny HTTP server standing in for the gateway: records every request, and answers as each test scripts it. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body's payloads, NDJSON or a JSON array. */
  payloads: unknown[];
}

export interface ScriptedAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Cut the connection instead of answering. */
  destroy?: boolean;
}

/** Answers request `n` (0-based); may wait (e.g. until the test releases it). */
export type Script = (request: RecordedRequest, n: number) => ScriptedAnswer | Promise<ScriptedAnswer>;

/** 202 for the whole batch, as the gateway answers when every message is valid. */
export const acceptAll: Script = (request, n) => ({
  status: 202,
  body: { accepted: request.payloads.length, refused: 0, seq: n + 1, errors: [] },
});

export interface ScriptedServer {
  url: string;
  requests: RecordedRequest[];
  /** Payloads of the requests answered 2xx, in order. */
  accepted: unknown[];
  /** Most requests it ever had open at once. */
  maxConcurrent: number;
  close(): Promise<void>;
}

function payloadsOf(body: string): unknown[] {
  const text = body.trim();
  if (text.startsWith('[')) return JSON.parse(text) as unknown[];
  return text === '' ? [] : text.split('\n').map((line) => JSON.parse(line) as unknown);
}

export async function startScriptedServer(script: Script): Promise<ScriptedServer> {
  let open = 0;
  const state = { requests: [] as RecordedRequest[], accepted: [] as unknown[], maxConcurrent: 0 };
  const server: Server = createServer((req, res) => {
    open++;
    state.maxConcurrent = Math.max(state.maxConcurrent, open);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const request: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, payloads: payloadsOf(body) };
      const n = state.requests.push(request) - 1;
      const answer = await script(request, n);
      open--;
      if (answer.destroy) {
        req.socket.destroy();
        return;
      }
      if (answer.status >= 200 && answer.status < 300) state.accepted.push(...request.payloads);
      const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return state.requests;
    },
    get accepted() {
      return state.accepted;
    },
    get maxConcurrent() {
      return state.maxConcurrent;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
