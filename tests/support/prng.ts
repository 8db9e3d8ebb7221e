/** Deterministic randomness for tests and benchmarks, on the simulator's mulberry32. */
import { mulberry32 } from '../../src/lib/prng.ts';

export function prng(seed: number) {
  const next = mulberry32(seed);
  /** An integer in [0, n). */
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}
