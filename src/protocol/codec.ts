/**
 * Decoding and encoding at the edges. Both the browser client and the gateway
 * call these once per frame; past them, everything trusts the types.
 */
import {
  AuthenticatedFrame,
  BatchFrameShape,
  ClientMessage,
  ErrorFrame,
  FRAME_LIMITS,
  LogsFrame,
  PongFrame,
  PresenceFrame,
  SnapshotFrame,
  WelcomeFrame,
  type SnapshotReason,
  type SnapshotState,
} from './frames.ts';
import { Envelope } from './messages.ts';

/** The seqs a v1 batch accounts for, and how many stats it coalesced; absent on floor frames. */
export interface BatchRange {
  from: number;
  to: number;
  coalesced: number;
}

export type DecodedServerFrame =
  | { kind: 'welcome'; frame: WelcomeFrame; rejected: 0 }
  | { kind: 'snapshot'; frame: SnapshotFrame; rejected: 0 }
  /** `rejected` counts the envelopes of the frame that failed validation and were dropped. */
  | { kind: 'messages'; messages: Envelope[]; rejected: number; range?: BatchRange }
  | { kind: 'logs'; frame: LogsFrame; rejected: 0 }
  | { kind: 'presence'; frame: PresenceFrame; rejected: 0 }
  | { kind: 'authenticated'; frame: AuthenticatedFrame; rejected: 0 }
  | { kind: 'pong'; frame: PongFrame; rejected: 0 }
  | { kind: 'error'; frame: ErrorFrame; rejected: 0 }
  | { kind: 'invalid'; reason: string; rejected: number };

/** The frames decoded whole by their schema; `batch` is decoded envelope by envelope instead. */
const WHOLE_FRAMES = {
  welcome: WelcomeFrame,
  snapshot: SnapshotFrame,
  logs: LogsFrame,
  presence: PresenceFrame,
  authenticated: AuthenticatedFrame,
  pong: PongFrame,
  error: ErrorFrame,
} as const;
type WholeFrameKind = keyof typeof WHOLE_FRAMES;

function invalid(reason: string, rejected = 1): DecodedServerFrame {
  return { kind: 'invalid', reason, rejected };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Decodes one frame from the gateway: a v1 frame (`welcome`, `snapshot`,
 * `batch`, `logs`, `presence`, `authenticated`, `pong`, `error`) or a floor
 * frame (one bare envelope). Never throws.
 */
export function decodeServerFrame(text: unknown): DecodedServerFrame {
  if (typeof text !== 'string') return invalid('binary frames are not part of the protocol');
  // UTF-16 length never exceeds the UTF-8 byte count, so this refuses only frames
  // surely over the limit, without a pass over every frame to count bytes.
  if (text.length > FRAME_LIMITS.maxServerFrameBytes) return invalid('frame too large');
  const parsed = parseJson(text);
  if (!parsed.ok) return invalid('not JSON');
  const value = parsed.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('not an object');

  const type = (value as { type?: unknown }).type;
  if (type === undefined && 'data' in value) {
    const envelope = Envelope.safeParse(value);
    return envelope.success
      ? { kind: 'messages', messages: [envelope.data], rejected: 0 }
      : invalid('invalid envelope');
  }
  switch (type) {
    case 'batch': {
      const shape = BatchFrameShape.safeParse(value);
      if (!shape.success) return invalid('invalid batch');
      const messages: Envelope[] = [];
      let rejected = 0;
      for (const raw of shape.data.messages) {
        const envelope = Envelope.safeParse(raw);
        if (envelope.success) messages.push(envelope.data);
        else rejected++;
      }
      const { from, to, coalesced } = shape.data;
      if (from === undefined || to === undefined) return { kind: 'messages', messages, rejected };
      if (to < from - 1) return invalid('invalid batch range', Math.max(1, rejected + messages.length));
      return { kind: 'messages', messages, rejected, range: { from, to, coalesced: coalesced ?? 0 } };
    }
    default: {
      const schema = typeof type === 'string' && Object.hasOwn(WHOLE_FRAMES, type) ? WHOLE_FRAMES[type as WholeFrameKind] : null;
      if (!schema) return invalid('unknown frame type');
      const frame = schema.safeParse(value);
      // The schema for `type` parsed it, so the frame is that kind's.
      return frame.success ? ({ kind: type, frame: frame.data, rejected: 0 } as DecodedServerFrame) : invalid(`invalid ${type}`);
    }
  }
}

export type DecodedClientMessage =
  | { ok: true; message: ClientMessage }
  | { ok: false; code: 'too-large' | 'not-json' | 'invalid-message'; reason: string };

/** Decodes one frame from a client. Never throws. */
export function decodeClientMessage(text: string): DecodedClientMessage {
  // A lower bound of the bytes, as above; the gateway's `ws` has already counted them exactly.
  if (text.length > FRAME_LIMITS.maxClientFrameBytes) {
    return { ok: false, code: 'too-large', reason: 'frame too large' };
  }
  const parsed = parseJson(text);
  if (!parsed.ok) return { ok: false, code: 'not-json', reason: 'not JSON' };
  const message = ClientMessage.safeParse(parsed.value);
  if (!message.success) return { ok: false, code: 'invalid-message', reason: 'unknown or malformed message' };
  return { ok: true, message: message.data };
}

/**
 * Builds a v1 batch frame from envelopes already serialised once per project:
 * the gateway fans the same strings out to every connection, so it never
 * stringifies a message per client.
 */
export function encodeBatchFrame(serialisedEnvelopes: readonly string[], from: number, to: number, coalesced = 0): string {
  const extra = coalesced > 0 ? `,"coalesced":${coalesced}` : '';
  return `{"type":"batch","from":${from},"to":${to}${extra},"messages":[${serialisedEnvelopes.join(',')}]}`;
}

export function encodeSnapshotFrame(epoch: string, seq: number, state: SnapshotState, reason?: SnapshotReason): string {
  const frame: SnapshotFrame = { type: 'snapshot', epoch, seq, state };
  if (reason !== undefined) frame.reason = reason;
  return JSON.stringify(frame);
}

/**
 * A snapshot frame from parts serialised once per seq and shared by every
 * connection (`parts` maps each SnapshotState key to its JSON), so a join
 * costs string concatenation, not a stringify of the whole project; only the
 * log windows differ by connection (channels, filters).
 */
export function encodeSnapshotFrameFromParts(
  epoch: string,
  seq: number,
  parts: { [K in keyof SnapshotState]: string },
  reason?: SnapshotReason,
): string {
  const head = `{"type":"snapshot"${reason !== undefined ? `,"reason":${JSON.stringify(reason)}` : ''},"epoch":${JSON.stringify(epoch)},"seq":${seq}`;
  const { nodes, edges, progress, events, series, logs } = parts;
  return `${head},"state":{"nodes":${nodes},"edges":${edges},"progress":${progress},"events":${events},"series":${series},"logs":${logs}}}`;
}

export function encodeEnvelope(envelope: Envelope): string {
  return JSON.stringify(envelope);
}
