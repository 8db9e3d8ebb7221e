/**
 * One stamped message as the gateway keeps it: serialised once for every
 * connection, with what each connection's filters need to look at without
 * parsing it again.
 */
import type { Payload } from '../../protocol/messages.ts';
import { logsChannel, type BaseChannel, type Channel } from '../../protocol/frames.ts';
import { assertNever } from '../../lib/assert-never.ts';

export interface StreamEntry {
  readonly seq: number;
  /** Wall-clock ms, as stamped. */
  readonly ts: number;
  readonly channel: Channel;
  /**
   * Stats of one series or one edge: a slow reader may get only the latest of
   * several queued with the same key. Null for everything else, which is
   * never coalesced (topology, events, progress, logs).
   */
  readonly coalesceKey: string | null;
  readonly payload: Payload;
  /** `encodeEnvelope({seq, ts, data: payload})`. */
  readonly serialised: string;
}

/** The channel a payload travels on (DESIGN.md, "Channels"). */
export function channelOf(payload: Payload): Channel {
  const base = baseChannelOf(payload);
  return base ?? logsChannel((payload as Extract<Payload, { type: 'log-chunk' }>).nodeId);
}

function baseChannelOf(payload: Payload): BaseChannel | null {
  switch (payload.type) {
    case 'node-upsert':
    case 'node-status':
    case 'node-delete':
    case 'edge-upsert':
    case 'edge-delete':
      return 'topology';
    case 'edge-stats':
    case 'chart-point':
      return 'stats';
    case 'event':
      return 'events';
    case 'progress':
      return 'progress';
    case 'log-chunk':
      return null;
    default:
      return assertNever(payload);
  }
}

/** Edge stats are replaced whole (lossless to coalesce); chart points are a series' latest value. */
export function coalesceKeyOf(payload: Payload): string | null {
  if (payload.type === 'edge-stats') return `e:${payload.id}`;
  if (payload.type === 'chart-point') return `s:${payload.series}`;
  return null;
}
