/**
 * One connection's messages waiting for the next frame, and the range of seqs
 * they account for. A message the connection does not get (another channel, a
 * paused or filtered log) still moves the range on, so the client can tell
 * "nothing for me" from "lost".
 */
export interface OutboundBatch {
  texts: string[];
  /** First seq the batch accounts for: one past the previous batch's `to`. */
  from: number;
  to: number;
  /** Stats messages left out for a later value with the same key. */
  coalesced: number;
}

export class OutboundQueue {
  private texts: string[] = [];
  private keys: (string | null)[] = [];
  private chars = 0;
  /** The last seq a sent frame (or snapshot) accounted for. */
  private sentSeq = 0;
  /** The last seq seen, sent or skipped. */
  private seenSeq = 0;

  get length(): number {
    return this.texts.length;
  }

  get queuedChars(): number {
    return this.chars;
  }

  /** The last seq every message of which, if the connection gets it, has been sent; null while some wait in the queue. */
  get settledSeq(): number | null {
    return this.texts.length === 0 ? this.seenSeq : null;
  }

  /** The stream position the next frame starts from: after a snapshot at `seq`, or a welcome that replays from it. */
  startAt(seq: number): void {
    this.clear();
    this.sentSeq = seq;
    this.seenSeq = seq;
  }

  /** A message the connection gets. */
  push(seq: number, text: string, coalesceKey: string | null): void {
    this.texts.push(text);
    this.keys.push(coalesceKey);
    this.chars += text.length;
    this.seenSeq = seq;
  }

  /** A message the connection does not get. */
  skip(seq: number): void {
    this.seenSeq = seq;
  }

  /**
   * Everything queued as one batch, or null when nothing is queued (skipped
   * seqs wait for the next batch's range). With `coalesce`, of several
   * messages sharing a key only the last is kept: a slow reader gets each
   * series' and edge's latest value rather than falling further behind.
   */
  take(coalesce: boolean): OutboundBatch | null {
    if (this.texts.length === 0) return null;
    let texts = this.texts;
    let coalesced = 0;
    if (coalesce) {
      const seen = new Set<string>();
      const kept: string[] = [];
      for (let i = texts.length - 1; i >= 0; i--) {
        const key = this.keys[i]!;
        if (key !== null) {
          if (seen.has(key)) {
            coalesced++;
            continue;
          }
          seen.add(key);
        }
        kept.push(texts[i]!);
      }
      texts = kept.reverse();
    }
    const batch: OutboundBatch = { texts, from: this.sentSeq + 1, to: this.seenSeq, coalesced };
    this.sentSeq = this.seenSeq;
    this.texts = [];
    this.keys = [];
    this.chars = 0;
    return batch;
  }

  /** Drops what is queued; the range still starts after the last frame sent, so the client would see the hole. */
  clear(): void {
    this.texts = [];
    this.keys = [];
    this.chars = 0;
  }
}
