/**
 * Remembers keys in order of last use, so a bounded collection can evict the
 * key that has gone longest untouched. `touch` is O(1): a Map keeps insertion
 * order, and re-inserting moves a key to the end.
 */
export class LruKeys {
  private readonly order = new Map<string, true>();

  touch(key: string): void {
    this.order.delete(key);
    this.order.set(key, true);
  }

  delete(key: string): void {
    this.order.delete(key);
  }

  clear(): void {
    this.order.clear();
  }

  get size(): number {
    return this.order.size;
  }

  /** The least recently touched key, or undefined when empty. */
  oldest(): string | undefined {
    for (const key of this.order.keys()) return key;
    return undefined;
  }
}
