/**
 * Decoding and encoding at the edges. Both the browser client and the gateway
 * call these once per frame; past them, everything trusts the types.
 */
import {
  BatchFrameShape,
  ClientMessage,
  ErrorFrame,
  FRAME_LIMITS,
  PongFrame,
  SnapshotFrame,
  type SnapshotState,
} from './frames.ts';
import { Envelope } from './messages.ts';

export type DecodedServerFrame =
  | { kind: 'snapshot'; frame: SnapshotFrame; rejected: 0 }
  /** `rejected` counts the envelopes of the frame that failed validation and were dropped. */
  | { kind: 'messages'; messages: Envelope[]; rejected: number }
  | { kind: 'pong'; frame: PongFrame; rejected: 0 }
  | { kind: 'error'; frame: ErrorFrame; rejected: 0 }
  | { kind: 'invalid'; reason: string; rejected: number };

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
 * Decodes one frame from the gateway: a v1 frame (`snapshot`, `batch`, `pong`,
 * `error`) or a floor frame (one bare envelope). Never throws.
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
      return { kind: 'messages', messages, rejected };
    }
    case 'snapshot': {
      const frame = SnapshotFrame.safeParse(value);
      return frame.success ? { kind: 'snapshot', frame: frame.data, rejected: 0 } : invalid('invalid snapshot');
    }
    case 'pong': {
      const frame = PongFrame.safeParse(value);
      return frame.success ? { kind: 'pong', frame: frame.data, rejected: 0 } : invalid('invalid pong');
    }
    case 'error': {
      const frame = ErrorFrame.safeParse(value);
      return frame.success ? { kind: 'error', frame: frame.data, rejected: 0 } : invalid('invalid error frame');
    }
    default:
      return invalid('unknown frame type');
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
export function encodeBatchFrame(serialisedEnvelopes: readonly string[]): string {
  return `{"type":"batch","messages":[${serialisedEnvelopes.join(',')}]}`;
}

export function encodeSnapshotFrame(epoch: string, seq: number, state: SnapshotState): string {
  const frame: SnapshotFrame = { type: 'snapshot', epoch, seq, state };
  return JSON.stringify(frame);
}

export function encodeEnvelope(envelope: Envelope): string {
  return JSON.stringify(envelope);
}
