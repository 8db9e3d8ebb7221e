/**
 * `POST /api/projects/:id/publish`: how a real mesh feeds the gateway over
 * plain HTTP. The body is one payload or an array of them, validated with the
 * protocol's `Payload` schema; all of it is published, or none of it.
 *
 *   202 {accepted, refused, seq}   published; `seq` is the last one stamped
 *   400 {error, ...}               not JSON, or a payload fails validation (counted)
 *   405                            not a POST
 *   413                            body over `maxBodyBytes` (counted)
 *   503                            the gateway refused every payload (closing, too many projects)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FRAME_LIMITS } from '../../protocol/frames.ts';
import { Id } from '../../protocol/mesh.ts';
import { Payload } from '../../protocol/messages.ts';
import type { Gateway } from '../gateway.ts';
import { noop, pathnameOf, sendJson } from './http-helpers.ts';

/** Options of `createPublishEndpoint`. */
export interface PublishEndpointOptions {
  /** Largest request body accepted. Default 1 MiB, the same as a client frame. */
  maxBodyBytes?: number;
  /** Called with the project id before its payloads are published (e.g. to stop a simulator feeding it). */
  onPublish?: (projectId: string) => void;
}

/** What the endpoint has done since it was created. */
export interface PublishEndpointStats {
  /** Payloads published. */
  accepted: number;
  /** Requests turned away as invalid or too large. */
  rejected: number;
}

/** The endpoint, to be asked first by a request handler. */
export interface PublishEndpoint {
  /** Handles the request when it is for this endpoint and returns true; otherwise leaves it alone. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  stats(): PublishEndpointStats;
}

const ROUTE = /^\/api\/projects\/([^/]+)\/publish\/?$/;
/** A client still uploading a too-large body is read (and dropped) this far, so it can see its 413; past it, cut off. */
const DRAIN_FACTOR = 8;

/** The publish endpoint for `gateway`; mount it by calling `handle` first in a request handler or middleware. */
export function createPublishEndpoint(gateway: Pick<Gateway, 'publish'>, options: PublishEndpointOptions = {}): PublishEndpoint {
  const maxBodyBytes = options.maxBodyBytes ?? FRAME_LIMITS.maxClientFrameBytes;
  const counts: PublishEndpointStats = { accepted: 0, rejected: 0 };

  const reject = (res: ServerResponse, status: number, body: Record<string, unknown>, headers?: Record<string, string>) => {
    counts.rejected++;
    sendJson(res, status, body, headers);
  };

  const publish = (res: ServerResponse, projectId: string, text: string) => {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return reject(res, 400, { error: 'body is not JSON' });
    }
    const items = Array.isArray(body) ? body : [body];
    if (items.length === 0) return reject(res, 400, { error: 'no payloads' });
    const payloads: Payload[] = [];
    for (let index = 0; index < items.length; index++) {
      const parsed = Payload.safeParse(items[index]);
      if (!parsed.success) {
        const issues = parsed.error.issues.slice(0, 5).map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
        return reject(res, 400, { error: 'invalid payload', index, issues });
      }
      payloads.push(parsed.data);
    }
    options.onPublish?.(projectId);
    let accepted = 0;
    let seq: number | null = null;
    const refusals: Array<{ index: number; code: string; reason: string }> = [];
    payloads.forEach((payload, index) => {
      const outcome = gateway.publish(projectId, payload);
      if (outcome.ok) {
        accepted++;
        seq = outcome.envelope.seq;
      } else if (refusals.length < 20) {
        refusals.push({ index, code: outcome.code, reason: outcome.reason });
      }
    });
    counts.accepted += accepted;
    if (accepted === 0) return sendJson(res, 503, { error: 'gateway refused the payloads', refusals });
    sendJson(res, 202, { accepted, refused: payloads.length - accepted, seq, ...(refusals.length > 0 ? { refusals } : {}) });
  };

  const receive = (req: IncomingMessage, res: ServerResponse, projectId: string) => {
    const tooLarge = () => reject(res, 413, { error: `body larger than ${maxBodyBytes} bytes` }, { connection: 'close' });
    const declared = Number(req.headers['content-length']);
    let received = 0;
    let overflowed = Number.isFinite(declared) && declared > maxBodyBytes;
    if (overflowed) tooLarge();
    const chunks: Buffer[] = [];
    req.on('error', noop); // a client that goes away mid-upload is not an error of ours
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (overflowed) {
        if (received > maxBodyBytes * DRAIN_FACTOR) req.destroy();
        return;
      }
      if (received > maxBodyBytes) {
        overflowed = true;
        chunks.length = 0;
        tooLarge();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (overflowed) return;
      try {
        publish(res, projectId, Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        console.error('[meshwatch publish] failed:', error);
        sendJson(res, 500, { error: 'internal error' });
      }
    });
  };

  return {
    handle(req, res) {
      const match = ROUTE.exec(pathnameOf(req.url));
      if (!match) return false;
      if (req.method !== 'POST') {
        sendJson(res, 405, { error: 'use POST' }, { allow: 'POST' });
        return true;
      }
      let projectId: string;
      try {
        projectId = decodeURIComponent(match[1]!);
      } catch {
        reject(res, 400, { error: 'project id is not valid percent-encoding' });
        return true;
      }
      if (projectId.trim() === '' || !Id.safeParse(projectId).success) {
        reject(res, 400, { error: 'project id must be 1 to 128 characters' });
        return true;
      }
      receive(req, res, projectId);
      return true;
    },
    stats: () => ({ ...counts }),
  };
}
