/**
 * `POST /api/projects/:id/publish`: how a real mesh feeds the gateway over
 * plain HTTP. The body is one payload, a JSON array of payloads, or NDJSON
 * (one payload per line, blank lines skipped; `content-type:
 * application/x-ndjson`, or guessed when the body is several JSON values on
 * separate lines); a leading UTF-8 byte-order mark is ignored. Each message
 * is validated on its own with the protocol's `Payload` schema: one bad
 * message costs only itself, so a publisher's batch is not lost to one bad
 * line. The valid ones are published in order, as one run checked against
 * the project's topology caps: all of them, or none.
 *
 * Checking runs on the gateway's event loop, where every viewer's frames and
 * heartbeats wait for it, so it is bounded: at most 10,000 messages per
 * request (`MAX_MESSAGES_PER_REQUEST`; counted before any is parsed), and
 * checking stops at the 1,001st invalid one (`MAX_INVALID_MESSAGES`): a
 * publisher that sends that much garbage is broken, not unlucky.
 *
 *   202 {accepted, refused, seq, errors}   the valid messages published; `seq` is the last one stamped;
 *                                          `errors` lists the refused ones (the first 100; `refused` counts all)
 *   204                               a browser's preflight (OPTIONS) from a page the origin policy allows
 *   400 {error, accepted: 0, refused, seq: null, errors}   no message is valid, or more than 1,000 are
 *                                     invalid (`refused` then counts those checked; none published) (counted)
 *   400 {error}                       empty body, `[]`, not JSON at all, or a bad project id (counted)
 *   401 {error}                       token auth is on and `Authorization: Bearer <jwt>` (scheme in any case)
 *                                     is missing, invalid or expired (counted)
 *   403 {error}                       sent by a page of another site, or the token does not allow the project (counted)
 *   404 {error}                       the project is not one the gateway knows (MESHWATCH_PROJECTS; counted)
 *   405 {error}                       not a POST (nor a preflight)
 *   413 {error}                       body over `maxBodyBytes`, or more than 10,000 messages in it (counted)
 *   422 {error, code, index}          the valid messages would pass a topology cap; none published;
 *                                     `index` is the offending message's position in the body (counted)
 *   503 {error, code}                 the gateway is closing, holds too many watched projects, or its
 *                                     store is unavailable (`code: 'unavailable'`); with `retry-after` (counted)
 *
 * An entry of `errors` is `{index, line?, error, issues}`: `index` the
 * message's 0-based position among the body's messages, `line` its 1-based
 * line (NDJSON only), `error` 'not JSON' or 'invalid payload', `issues` up to
 * five `{path, message}` from the schema.
 *
 * A page of another origin that the origin policy allows (`allowedOrigins`,
 * a loopback dev server) may publish from the browser: its preflight is
 * answered, and every answer to its POST (whatever the status) carries
 * `Access-Control-Allow-Origin` with its origin, so the page can read it.
 * A page the policy refuses gets 403 and no CORS header, preflight or not.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FRAME_LIMITS } from '../../protocol/frames.ts';
import { ProjectId } from '../../protocol/mesh.ts';
import { Payload } from '../../protocol/messages.ts';
import type { PublishAllOutcome } from '../room.ts';
import { noop, pathnameOf, sendJson } from './http-helpers.ts';
import { log } from '../log.ts';
import { createOriginPolicy } from './origin.ts';
import { parsePublishBody, type BodyMessage } from './publish-body.ts';

/**
 * What the endpoint publishes through: the gateway's `publishAll`, or one
 * that answers later (a gateway sharing projects through Redis must ask it
 * for the seqs). A rejected promise is answered 503 `unavailable`.
 */
export interface PublishTarget {
  publishAll(projectId: string, payloads: readonly Payload[]): PublishAllOutcome | Promise<PublishAllOutcome>;
}

/** One refused message of a request, as the response lists it. */
export interface PublishMessageError {
  /** 0-based position among the body's messages (blank NDJSON lines are not messages). */
  index: number;
  /** 1-based line of the body, for NDJSON. */
  line?: number;
  error: 'not JSON' | 'invalid payload';
  /** The schema's first few complaints; none for a line that is not JSON. */
  issues: { path: string; message: string }[];
}

/** Options of `createPublishEndpoint`. */
export interface PublishEndpointOptions {
  /** Largest request body accepted. Default 1 MiB, the same as a client frame. */
  maxBodyBytes?: number;
  /**
   * Called with the project id once a request's payloads are published, e.g.
   * to stop a simulator feeding it (a real publisher has taken the project
   * over). When `publishAll` answers synchronously, nothing else runs in
   * between, so a simulator stopped here never interleaves its payloads with
   * the request's.
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
  /**
   * Requests turned away: unreadable, none of their messages valid, too many
   * messages or too many invalid ones, too large, unauthorised, or refused by
   * the gateway (a cap, too many projects, closing).
   */
  rejected: number;
  /**
   * Messages not published: each invalid one, and every message of a request
   * refused as a whole (for too many invalid ones, or by the gateway). Not
   * those of a request too large or with too many messages: they are not counted.
   */
  messagesRefused: number;
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
/** Refused messages listed in a response; `refused` counts them all. Keeps a body of 1,000 bad lines from echoing back megabytes. */
export const MAX_LISTED_ERRORS = 100;
/** Messages in one request; past it, 413 before any is parsed. 10,000 small payloads is about 1 MiB, the body limit. */
export const MAX_MESSAGES_PER_REQUEST = 10_000;
/** Invalid messages in one request; at the next one checking stops and the whole request is refused. */
export const MAX_INVALID_MESSAGES = 1_000;
/** What a page of an allowed other origin is told by a preflight: it may POST with these headers, and need not ask again for 10 minutes. */
const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'POST',
  'access-control-allow-headers': 'content-type, authorization',
  'access-control-max-age': '600',
};
/** `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 7235). */
const BEARER = /^bearer +(\S.*)$/i;
/** Schema issues listed per message. */
const MAX_ISSUES = 5;
/** A path segment is a key of the publisher's JSON: a hostile one is cut, not echoed whole. */
const MAX_PATH_SEGMENT = 64;
/** Seconds a publisher is asked to wait after a 503: the gateway may be restarting or shedding projects. */
const RETRY_AFTER_S = '1';

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function issuesOf(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): PublishMessageError['issues'] {
  return error.issues.slice(0, MAX_ISSUES).map((issue) => ({
    path: issue.path.map((segment) => String(segment).slice(0, MAX_PATH_SEGMENT)).join('.'),
    message: issue.message,
  }));
}

/** The payload of `message`, or why it is refused. */
function validate(message: BodyMessage, index: number): { ok: true; payload: Payload } | { ok: false; error: PublishMessageError } {
  const line = message.line === undefined ? {} : { line: message.line };
  if (!message.ok) return { ok: false, error: { index, ...line, error: 'not JSON', issues: [] } };
  const parsed = Payload.safeParse(message.value);
  if (parsed.success) return { ok: true, payload: parsed.data };
  return { ok: false, error: { index, ...line, error: 'invalid payload', issues: issuesOf(parsed.error) } };
}

/** The publish endpoint for `gateway`; mount it by calling `handle` first in a request handler or middleware. */
export function createPublishEndpoint(gateway: PublishTarget, options: PublishEndpointOptions = {}): PublishEndpoint {
  const maxBodyBytes = options.maxBodyBytes ?? FRAME_LIMITS.maxClientFrameBytes;
  const originPolicy = createOriginPolicy(options.allowedOrigins, { allowedHosts: options.allowedHosts });
  const counts: PublishEndpointStats = { accepted: 0, rejected: 0, messagesRefused: 0, originsRefused: 0 };

  const reject = (res: ServerResponse, status: number, body: Record<string, unknown>, headers?: Record<string, string>) => {
    counts.rejected++;
    sendJson(res, status, body, headers);
  };

  const publish = (res: ServerResponse, projectId: string, text: string, contentType: string | undefined) => {
    const body = parsePublishBody(text, contentType, { maxMessages: MAX_MESSAGES_PER_REQUEST, maxUnreadable: MAX_INVALID_MESSAGES });
    if (!body.ok) return reject(res, body.tooMany ? 413 : 400, { error: body.error });
    const valid: Payload[] = [];
    /** Where each valid payload sits among the body's messages, to name a capped one by its own index. */
    const positions: number[] = [];
    const errors: PublishMessageError[] = [];
    let refused = 0;
    for (let index = 0; index < body.messages.length && refused <= MAX_INVALID_MESSAGES; index++) {
      const result = validate(body.messages[index]!, index);
      if (result.ok) {
        valid.push(result.payload);
        positions.push(index);
        continue;
      }
      refused++;
      if (errors.length < MAX_LISTED_ERRORS) errors.push(result.error);
    }
    if (refused > MAX_INVALID_MESSAGES) {
      counts.messagesRefused += body.count;
      const error = `more than ${MAX_INVALID_MESSAGES} invalid messages in one request: none published`;
      return reject(res, 400, { error, accepted: 0, refused, seq: null, errors });
    }
    if (valid.length === 0) {
      counts.messagesRefused += refused;
      return reject(res, 400, { error: 'no valid payloads', accepted: 0, refused, seq: null, errors });
    }

    const settle = (outcome: PublishAllOutcome) => {
      if (!outcome.ok) {
        counts.messagesRefused += body.messages.length;
        const { code, reason, index } = outcome;
        // A cap is the request's fault (422); a closing or full gateway is not, and may pass (503).
        if (code === 'node-limit' || code === 'edge-limit') {
          return reject(res, 422, { error: reason, code, ...(index === undefined ? {} : { index: positions[index] ?? index }) });
        }
        return reject(res, 503, { error: reason, code }, { 'retry-after': RETRY_AFTER_S });
      }
      counts.accepted += outcome.count;
      counts.messagesRefused += refused;
      options.onPublish?.(projectId);
      sendJson(res, 202, { accepted: outcome.count, refused, seq: outcome.seq, errors });
    };
    const outcome = gateway.publishAll(projectId, valid);
    // A synchronous outcome is settled at once: nothing (a simulator's tick) runs between publish and `onPublish`.
    if (!isPromise(outcome)) return settle(outcome);
    outcome.then(
      (settled) => {
        try {
          settle(settled);
        } catch (error) {
          log.error('publish failed', { error });
          sendJson(res, 500, { error: 'internal error' });
        }
      },
      (error: unknown) => {
        counts.messagesRefused += body.messages.length;
        log.error('publish: gateway unavailable', { error });
        reject(res, 503, { error: 'gateway unavailable', code: 'unavailable' }, { 'retry-after': RETRY_AFTER_S });
      },
    );
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
        publish(res, projectId, Buffer.concat(chunks).toString('utf8'), req.headers['content-type']);
      } catch (error) {
        log.error('publish failed', { error });
        sendJson(res, 500, { error: 'internal error' });
      }
    });
  };

  return {
    handle(req, res) {
      const match = ROUTE.exec(pathnameOf(req.url));
      if (!match) return false;
      const preflight = req.method === 'OPTIONS' && req.headers.origin !== undefined;
      if (req.method !== 'POST' && !preflight) {
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
      if (req.headers.origin !== undefined) {
        // Set before any answer is written, so every status carries them (writeHead merges them in).
        res.setHeader('access-control-allow-origin', req.headers.origin);
        res.setHeader('vary', 'Origin');
      }
      if (preflight) {
        res.writeHead(204, PREFLIGHT_HEADERS).end();
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
      const token = BEARER.exec(req.headers.authorization ?? '')?.[1]!.trim();
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
