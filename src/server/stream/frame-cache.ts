/**
 * Batch frames shared by a room's connections. Members that subscribe alike
 * (the same `Subscriptions.signature`) and are not being coalesced get the
 * very same frame for the same range of seqs, and their flush windows line up
 * (each opens on the same delta): the frame is built, and encoded to UTF-8,
 * once for all of them rather than once per socket. What socket.io's room
 * broadcast does, with meshwatch's per-connection channels and ranges kept.
 */
export interface SharedFrame {
  readonly text: string;
  readonly bytes: Buffer;
}

/** A few recent frames: members flush the same window within one tick, so old ones are never asked for again. */
const MAX_FRAMES = 16;

export class FrameCache {
  private readonly frames = new Map<string, SharedFrame>();
  hits = 0;
  builds = 0;

  /** The frame for `signature` and seqs `from`..`to`, built by `build` on first use. */
  frameFor(signature: string, from: number, to: number, build: () => string): SharedFrame {
    const key = `${from}:${to}:${signature}`;
    const cached = this.frames.get(key);
    if (cached) {
      this.hits++;
      return cached;
    }
    const text = build();
    const frame = { text, bytes: Buffer.from(text, 'utf8') };
    this.builds++;
    this.frames.set(key, frame);
    if (this.frames.size > MAX_FRAMES) this.frames.delete(this.frames.keys().next().value!);
    return frame;
  }

  /** The stream started over (its seqs mean something else now). */
  clear(): void {
    this.frames.clear();
  }
}
