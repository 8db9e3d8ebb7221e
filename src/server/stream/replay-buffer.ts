/**
 * A project's recent messages, so a client that drops and comes back gets what
 * it missed instead of a whole snapshot (DESIGN.md, "Resume"). Bounded three
 * ways, whichever bites first: a count, an age, and the bytes of the
 * serialised envelopes (a burst of 16 KiB log chunks must not hold 160 MB).
 */
import type { StreamEntry } from './stream-entry.ts';

export interface ReplayLimits {
  maxEntries: number;
  maxAgeMs: number;
  maxBytes: number;
}

export const REPLAY_DEFAULTS: ReplayLimits = {
  maxEntries: 10_000,
  maxAgeMs: 5 * 60_000,
  maxBytes: 16 * 1024 * 1024,
};

/**
 * Characters held by every replay buffer of a gateway, against one ceiling:
 * 1,000 rooms of 16 MiB each would otherwise be 16 GB. Past the ceiling the
 * buffer that is pushing to gives up its oldest entries (its clients fall
 * back to snapshots sooner), whatever the others hold.
 */
export interface ReplayBudget {
  usedChars: number;
  readonly maxChars: number;
}

export class ReplayBuffer {
  /** Oldest first from `head`; the front is compacted away in chunks, so a push is amortised O(1). */
  private entries: StreamEntry[] = [];
  private head = 0;
  private chars = 0;

  constructor(
    private readonly limits: ReplayLimits,
    /** Wall-clock ms, the same clock that stamps `StreamEntry.ts`. */
    private readonly now: () => number,
    private readonly budget: ReplayBudget | null = null,
  ) {}

  get size(): number {
    return this.entries.length - this.head;
  }

  push(entry: StreamEntry): void {
    this.entries.push(entry);
    this.chars += entry.serialised.length;
    if (this.budget) this.budget.usedChars += entry.serialised.length;
    this.evict();
  }

  /**
   * Every entry after `seq`, oldest first, when the buffer still holds them
   * all (`lastSeq` is the stream's latest); null when some were already let go.
   */
  since(seq: number, lastSeq: number): StreamEntry[] | null {
    return this.sinceWithin(seq, lastSeq, Infinity).entries;
  }

  /**
   * `since`, and whether the entries' serialised size stays within
   * `maxChars`: past it, `tooLarge` (a replay that would fill the client's
   * send buffer in one go is better served as a snapshot).
   */
  sinceWithin(seq: number, lastSeq: number, maxChars: number): { entries: StreamEntry[] | null; tooLarge: boolean } {
    const entries = this.sinceUnbounded(seq, lastSeq);
    if (!entries || maxChars === Infinity) return { entries, tooLarge: false };
    let chars = 0;
    for (const entry of entries) {
      chars += entry.serialised.length;
      if (chars > maxChars) return { entries: null, tooLarge: true };
    }
    return { entries, tooLarge: false };
  }

  private sinceUnbounded(seq: number, lastSeq: number): StreamEntry[] | null {
    if (seq === lastSeq) return [];
    if (seq > lastSeq) return null;
    this.evict();
    const oldest = this.entries[this.head];
    if (oldest === undefined || oldest.seq > seq + 1) return null;
    // Seqs are contiguous in the buffer, so the start is an index computation.
    const start = this.head + (seq + 1 - oldest.seq);
    return this.entries.slice(start);
  }

  clear(): void {
    if (this.budget) this.budget.usedChars -= this.chars;
    this.entries = [];
    this.head = 0;
    this.chars = 0;
  }

  private evict(): void {
    const { maxEntries, maxAgeMs, maxBytes } = this.limits;
    const tooOld = this.now() - maxAgeMs;
    while (this.head < this.entries.length) {
      const oldest = this.entries[this.head]!;
      const overBudget = this.budget !== null && this.budget.usedChars > this.budget.maxChars;
      if (this.size <= maxEntries && this.chars <= maxBytes && oldest.ts >= tooOld && !overBudget) break;
      this.chars -= oldest.serialised.length;
      if (this.budget) this.budget.usedChars -= oldest.serialised.length;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
