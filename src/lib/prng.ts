/**
 * A seeded pseudo-random source, so a simulated mesh is the same mesh every
 * time for the same seed: mulberry32 (32-bit state, fast, good enough for
 * pictures and tests; not for anything secret).
 */

/** A 32-bit seed from a number or a string (FNV-1a, then an avalanche so similar strings diverge). */
export function hashSeed(seed: number | string): number {
  if (typeof seed === 'number' && Number.isInteger(seed)) return seed >>> 0;
  const text = String(seed);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash >>> 0;
}

/** Uniform floats in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The helpers the simulator draws from, all on one seeded mulberry32 stream. */
export class Random {
  private readonly source: () => number;

  constructor(seed: number | string) {
    this.source = mulberry32(hashSeed(seed));
  }

  /** [0, 1) */
  next(): number {
    return this.source();
  }

  /** [min, max) */
  between(min: number, max: number): number {
    return min + (max - min) * this.source();
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.source() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.source() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.source() * items.length)]!;
  }

  /** Roughly normal in (-1, 1), centred on 0: the mean of three uniforms, without transcendental functions. */
  wobble(): number {
    return (this.source() + this.source() + this.source()) / 1.5 - 1;
  }
}
