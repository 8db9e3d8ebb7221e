/**
 * `POST /api/projects/:id/publish`: how a real mesh feeds the gateway over
 * plain HTTP. The body is one payload or an array of them, validated with the
 * protocol's `Payload` schema and checked as a whole against the project's
 * topology caps; all of it is published, or none of it.
 *
 *   202 {accepted, refused: 0, seq}   published; `seq` is the last one stamped
 *   400 {error, ...}                  not JSON, or a payload fails validation (counted)
 *   401 {error}                       token auth is on and `Authorization: Bearer <jwt>` is missing, invalid or expired (counted)
 *   403 {error}                       sent by a page of another site, or the token does not allow the project (counted)
 *   404 {error}                       the project is not one the gateway knows (MESHWATCH_PROJECTS; counted)
 *   405                               not a POST
 *   413                               body over `maxBodyBytes` (counted)
 *   422 {error, code, index}          the payloads would pass a topology cap; none published (counted)
 *   503 {error, code}                 the gateway is closing or holds too many watched projects (counted)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FRAME_LIMITS } from '../../protocol/frames.ts';
import { ProjectId } from '../../protocol/mesh.ts';
import { Payload } from '../../protocol/messages.ts';
import type { Gateway } from '../gateway.ts';
import { noop, pathnameOf, sendJson } from './http-helpers.ts';
import { createOriginPolicy } from './origin.ts';

/** Options of `createPublishEndpoint`. */
export interface PublishEndpointOptions {
  /** Largest request body accepted. Default 1 MiB, the same as a client frame. */
  maxBodyBytes?: number;
  /**
   * Called with the project id once a request's payloads are published, e.g.
   * to stop a simulator feeding it (a real publisher has taken the project
   * over). Nothing else runs in between, so a simulator stopped here never
   * interleaves its payloads with the request's.
   */
  onPublish?: (projectId: string) => void;
  /** Origins allowed besides same-origin and loopback pages, as for the gateway (`GatewayOptions.allowedOrigins`). */
  allowedOrigins?: string[];
  /** Host names whose same-host pages are allowed, as for the gateway (`GatewayOptions.allowedHosts`). */
  allowedHosts?: string[];
  /**
   * Checks a publisher's bearer token for a project (the gateway's own access
   * rules: `Gateway.authorizePublisher`). Absent: anyone who may reach the
   * endpoint may publish, as on a loopback-only gateway without auth.
   */
  authorize?: ((token: string | undefined, projectId: string) => Promise<{ ok: true } | { ok: false; code: number; reason: string }>) | null;
}

/** Close codes of a refused token, as HTTP statuses. */
const STATUS_OF_CLOSE_CODE: Record<number, number> = { 4401: 401, 4403: 403, 4404: 404 };

/** What the endpoint has done since it was created. */
export interface PublishEndpointStats {
  /** Payloads published. */
  accepted: number;
  /** Requests turned away: invalid, too large, or refused by the gateway (a cap, too many projects, closing). */
  rejected: number;
  /** Requests from a page of another site, answered 403. */
  originsRefused: number;
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
export function createPublishEndpoint(gateway: Pick<Gateway, 'publishAll'>, options: PublishEndpointOptions = {}): PublishEndpoint {
  const maxBodyBytes = options.maxBodyBytes ?? FRAME_LIMITS.maxClientFrameBytes;
  const originPolicy = createOriginPolicy(options.allowedOrigins, { allowedHosts: options.allowedHosts });
  const counts: PublishEndpointStats = { accepted: 0, rejected: 0, originsRefused: 0 };

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
    const outcome = gateway.publishAll(projectId, payloads);
    if (!outcome.ok) {
      // A cap is the request's fault (422); a closing or full gateway is not, and may pass (503).
      const status = outcome.code === 'node-limit' || outcome.code === 'edge-limit' ? 422 : 503;
      const { code, reason, index } = outcome;
      return reject(res, status, { error: reason, code, ...(index === undefined ? {} : { index }) });
    }
    counts.accepted += outcome.count;
    options.onPublish?.(projectId);
    sendJson(res, 202, { accepted: outcome.count, refused: 0, seq: outcome.seq });
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
      const origin = originPolicy(req.headers);
      if (!origin.ok) {
        counts.originsRefused++;
        // The body is never read: close rather than drain what another site's page uploads.
        sendJson(res, 403, { error: origin.reason }, { connection: 'close' });
        return true;
      }
      let projectId: string;
      try {
        projectId = decodeURIComponent(match[1]!);
      } catch {
        reject(res, 400, { error: 'project id is not valid percent-encoding' });
        return true;
      }
      if (!ProjectId.safeParse(projectId).success) {
        reject(res, 400, { error: 'project id must be 1 to 128 characters, not all blank' });
        return true;
      }
      const authorize = options.authorize;
      if (!authorize) {
        receive(req, res, projectId);
        return true;
      }
      // The body waits (unread, paused) until the token is checked.
      const header = req.headers.authorization;
      const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
      authorize(token, projectId).then(
        (decision) => {
          if (decision.ok) return receive(req, res, projectId);
          reject(res, STATUS_OF_CLOSE_CODE[decision.code] ?? 500, { error: decision.reason }, { connection: 'close' });
        },
        () => reject(res, 500, { error: 'internal error' }, { connection: 'close' }),
      );
      return true;
    },
    stats: () => ({ ...counts }),
  };
}
