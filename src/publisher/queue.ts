/**
 * The publisher's queue: payloads waiting to be sent, oldest first, each
 * already serialised (so a batch's size in bytes is known before it is
 * built). Bounded twice: past `maxSize` payloads or `maxBytes` of JSON, the
 * oldest are dropped, so a publisher cut off from its gateway for hours holds
 * a known amount (a count alone would let 100,000 log chunks of 16 KiB take
 * gigabytes), and what it sends when the link returns is the most recent state.
 *
 * An entry keeps its JSON only, not the payload object as well: that would
 * double what each one costs. The rare failure report parses it back.
 */

/** A payload as queued: `id` orders it among every payload the publisher took. */
export interface QueuedPayload {
  readonly id: number;
  /** `JSON.stringify(payload)`: never contains a raw line break, so it is one NDJSON line. */
  readonly json: string;
  /** UTF-8 length of `json`. */
  readonly bytes: number;
}

/** UTF-8 length of `text`, without encoding it (no TextEncoder allocation per payload). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Fewer slots than this before the head are not worth compacting away. */
const COMPACT_AFTER = 1_024;

/** A FIFO of queued payloads with a count cap and a byte cap; O(1) push and take per payload. */
export class PayloadQueue {
  private items: QueuedPayload[] = [];
  private head = 0;
  private totalBytes = 0;

  /** `maxBytes` counts each payload's JSON; the newest payload stays even when it alone is larger. */
  constructor(
    private readonly maxSize: number,
    private readonly maxBytes: number = Number.POSITIVE_INFINITY,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  /** Bytes of every queued payload's JSON, without separators. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** The oldest queued payload. */
  peek(): QueuedPayload | undefined {
    return this.items[this.head];
  }

  /** Adds `entry` at the end; returns how many of the oldest it pushed out. */
  push(entry: QueuedPayload): number {
    this.items.push(entry);
    this.totalBytes += entry.bytes;
    let dropped = 0;
    while (this.size > this.maxSize || (this.totalBytes > this.maxBytes && this.size > 1)) {
      this.shift();
      dropped++;
    }
    return dropped;
  }

  /**
   * Takes the oldest payloads, in order: at most `maxCount`, and no more
   * than fit in `maxBytes` with one separator each plus `framingBytes` for
   * the body as a whole, but always at least one (a payload larger than
   * `maxBytes` goes alone; the gateway decides on it).
   */
  take(maxCount: number, maxBytes: number, framingBytes = 0): QueuedPayload[] {
    const taken: QueuedPayload[] = [];
    let bytes = framingBytes;
    while (taken.length < maxCount) {
      const next = this.peek();
      if (!next) break;
      if (taken.length > 0 && bytes + next.bytes + 1 > maxBytes) break;
      bytes += next.bytes + 1;
      taken.push(this.shift()!);
    }
    return taken;
  }

  /** Puts `entries` (taken earlier, older than anything queued) back at the front, in order; the cap does not apply. */
  putBack(entries: readonly QueuedPayload[]): void {
    this.items = [...entries, ...this.items.slice(this.head)];
    this.head = 0;
    for (const entry of entries) this.totalBytes += entry.bytes;
  }

  /** Empties the queue; returns how many it held. */
  clear(): number {
    const size = this.size;
    this.items = [];
    this.head = 0;
    this.totalBytes = 0;
    return size;
  }

  private shift(): QueuedPayload | undefined {
    const entry = this.items[this.head];
    if (!entry) return undefined;
    this.items[this.head] = undefined as unknown as QueuedPayload; // let it be collected
    this.head++;
    this.totalBytes -= entry.bytes;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return entry;
  }
}
