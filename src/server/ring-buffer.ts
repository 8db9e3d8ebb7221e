/**
 * A fixed-capacity list that forgets its oldest items: the gateway's recent
 * windows (events, chart points, log lines) are made of these, so none of them
 * can grow with time. `push` is O(1) and never allocates once full.
 */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item;
      this.count++;
      return;
    }
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
  }

  /** Oldest first; at most the `limit` newest items when given. */
  toArray(limit = this.count): T[] {
    const take = Math.max(0, Math.min(limit, this.count));
    const out = new Array<T>(take);
    const skip = this.count - take;
    for (let i = 0; i < take; i++) out[i] = this.items[(this.start + skip + i) % this.capacity] as T;
    return out;
  }
}
