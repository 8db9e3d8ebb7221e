/**
 * What one connection is subscribed to (DESIGN.md, "Channels") and its log
 * streams' pause and filter state (seed 002), and so which of a project's
 * messages it gets, and in what form.
 */
import {
  ALL_CHANNELS,
  ALL_LOGS_CHANNEL,
  BASE_CHANNELS,
  FRAME_LIMITS,
  LOGS_CHANNEL_PREFIX,
  type BaseChannel,
  type Channel,
  type LogLine,
  type LogStreamOptions,
} from '../../protocol/frames.ts';
import { encodeEnvelope } from '../../protocol/codec.ts';
import { splitLogLines } from '../../protocol/fold.ts';
import { isUnfiltered, logLineFilter } from '../../protocol/log-filter.ts';
import type { Severity } from '../../protocol/mesh.ts';
import type { StreamEntry } from './stream-entry.ts';

const BASE = new Set<string>(BASE_CHANNELS);

interface LogStream {
  options: LogStreamOptions;
  /** Null when unfiltered: the shared serialised envelope goes out as it is. */
  test: ((level: Severity, text: string) => boolean) | null;
}

/** What a change of subscriptions did, so the connection can send the log windows that are now due. */
export interface SubscriptionChange {
  ok: boolean;
  /** Nodes whose log stream has just started (or is `*`): each gets its window. */
  logsStarted: string[];
  allLogsStarted: boolean;
}

export class Subscriptions {
  private readonly base = new Set<BaseChannel>();
  private allLogs = false;
  private readonly logNodes = new Set<string>();
  private readonly streams = new Map<string, LogStream>();
  /** `signature`, until the subscriptions change. */
  private cachedSignature: string | null = null;

  constructor(channels: readonly Channel[] = ALL_CHANNELS) {
    this.subscribe(channels);
  }

  /** Channels as the client would name them, for `welcome`. */
  list(): Channel[] {
    const out: Channel[] = [...this.base];
    if (this.allLogs) out.push(ALL_LOGS_CHANNEL);
    for (const node of this.logNodes) out.push(`${LOGS_CHANNEL_PREFIX}${node}`);
    return out;
  }

  /**
   * Everything that decides what `render` makes of an entry, as one string:
   * two connections with the same signature get the same text for every
   * entry, so a frame of the same range of seqs is the same frame (shared:
   * frame-cache.ts).
   */
  get signature(): string {
    if (this.cachedSignature === null) {
      const streams = [...this.streams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([node, stream]) => [node, stream.options]);
      this.cachedSignature = JSON.stringify([[...this.base].sort(), this.allLogs, [...this.logNodes].sort(), streams]);
    }
    return this.cachedSignature;
  }

  /** Adds channels; refused whole (ok: false) when the connection would hold more than `maxChannels`. */
  subscribe(channels: readonly Channel[]): SubscriptionChange {
    this.cachedSignature = null;
    const change: SubscriptionChange = { ok: true, logsStarted: [], allLogsStarted: false };
    const newLogNodes = new Set<string>();
    for (const channel of channels) {
      if (BASE.has(channel) || channel === ALL_LOGS_CHANNEL) continue;
      const node = channel.slice(LOGS_CHANNEL_PREFIX.length);
      if (!this.logNodes.has(node)) newLogNodes.add(node);
    }
    if (this.logNodes.size + newLogNodes.size > FRAME_LIMITS.maxChannels) return { ...change, ok: false };
    for (const channel of channels) {
      if (BASE.has(channel)) this.base.add(channel as BaseChannel);
      else if (channel === ALL_LOGS_CHANNEL) {
        change.allLogsStarted ||= !this.allLogs;
        this.allLogs = true;
      }
    }
    for (const node of newLogNodes) this.logNodes.add(node);
    change.logsStarted = [...newLogNodes];
    return change;
  }

  unsubscribe(channels: readonly Channel[]): void {
    this.cachedSignature = null;
    for (const channel of channels) {
      if (BASE.has(channel)) this.base.delete(channel as BaseChannel);
      else if (channel === ALL_LOGS_CHANNEL) {
        this.allLogs = false;
        for (const node of [...this.streams.keys()]) if (!this.logNodes.has(node)) this.streams.delete(node);
      } else {
        const node = channel.slice(LOGS_CHANNEL_PREFIX.length);
        this.logNodes.delete(node);
        this.streams.delete(node);
      }
    }
  }

  has(channel: BaseChannel): boolean {
    return this.base.has(channel);
  }

  wantsLogsOf(nodeId: string): boolean {
    return this.allLogs || this.logNodes.has(nodeId);
  }

  /** The node's pause and filter state. Bounded like the channels: options for nodes not subscribed are refused. */
  setLogOptions(nodeId: string, options: LogStreamOptions): boolean {
    if (!this.wantsLogsOf(nodeId)) return false;
    if (!this.streams.has(nodeId) && this.streams.size >= FRAME_LIMITS.maxChannels) return false;
    this.cachedSignature = null;
    const kept: LogStreamOptions = {};
    if (options.minLevel !== undefined) kept.minLevel = options.minLevel;
    if (options.text?.trim()) kept.text = options.text;
    if (options.paused) kept.paused = true;
    this.streams.set(nodeId, { options: kept, test: isUnfiltered(kept) ? null : logLineFilter(kept) });
    return true;
  }

  logOptions(nodeId: string): LogStreamOptions {
    return this.streams.get(nodeId)?.options ?? {};
  }

  /**
   * The entry as this connection gets it: the shared serialised envelope; a
   * log chunk cut down to the lines its filter passes; or null when the
   * connection does not get it at all (not subscribed, paused, filtered out).
   */
  render(entry: StreamEntry): string | null {
    const { payload } = entry;
    if (payload.type !== 'log-chunk') return this.base.has(entry.channel as BaseChannel) ? entry.serialised : null;
    if (!this.wantsLogsOf(payload.nodeId)) return null;
    const stream = this.streams.get(payload.nodeId);
    if (!stream) return entry.serialised;
    if (stream.options.paused) return null;
    if (!stream.test) return entry.serialised;
    const level = payload.level ?? 'info';
    const lines = splitLogLines(payload.text);
    const kept = lines.filter((line) => stream.test!(level, line));
    if (kept.length === 0) return null;
    if (kept.length === lines.length) return entry.serialised;
    return encodeEnvelope({ seq: entry.seq, ts: entry.ts, data: { ...payload, text: kept.join('\n') } });
  }

  /** A node's log window as this connection should see it; null while its stream is paused. */
  filterWindow(nodeId: string, lines: readonly LogLine[]): LogLine[] | null {
    const stream = this.streams.get(nodeId);
    if (stream?.options.paused) return null;
    if (!stream?.test) return [...lines];
    return lines.filter((line) => stream.test!(line.level, line.text));
  }

  /** Whether every log window goes out unfiltered and unpaused (the cached snapshot part can be reused). */
  get allLogsUnfiltered(): boolean {
    return this.allLogs && [...this.streams.values()].every((stream) => !stream.test && !stream.options.paused);
  }
}
