/**
 * Per-second rates of counters over a recent window (about 10 s), from
 * samples of the counters taken now and then: by a timer, and at each scrape.
 * The rate at a moment is the counters' rise since the oldest sample kept,
 * which is the newest one at least a window old, so a rate covers a whole
 * window once the sampler has run that long, and less before.
 */

/** Options of `new RateSampler`. */
export interface RateSamplerOptions {
  /** How far back a rate looks. Default 10 000 ms. */
  windowMs?: number;
  /**
   * Samples closer together than this are not kept (the rates are still
   * computed from the newest counters), so a scraper polling in a loop
   * cannot grow the sampler. Default 500 ms.
   */
  minIntervalMs?: number;
}

interface CounterSample<K extends string> {
  at: number;
  values: Readonly<Record<K, number>>;
}

/** Rates of the counters named `K`. */
export class RateSampler<K extends string> {
  private readonly windowMs: number;
  private readonly minIntervalMs: number;
  /** Oldest first; the first is the newest sample at least a window old, when there is one. */
  private samples: CounterSample<K>[] = [];

  constructor(options: RateSamplerOptions = {}) {
    this.windowMs = options.windowMs ?? 10_000;
    this.minIntervalMs = options.minIntervalMs ?? 500;
  }

  /** Samples held, for tests of the bound. */
  get size(): number {
    return this.samples.length;
  }

  /**
   * Takes the counters' `values` at `at` (monotonic milliseconds) and returns
   * each one's rise per second over the window ending now: 0 before there is
   * an earlier sample, and never below 0 (a counter that went back is a reset).
   */
  observe(at: number, values: Readonly<Record<K, number>>): Record<K, number> {
    const last = this.samples.at(-1);
    if (!last || at - last.at >= this.minIntervalMs) this.samples.push({ at, values: { ...values } });
    // Keep one sample at or before the window's start: the base of a rate over the whole window.
    while (this.samples.length > 1 && this.samples[1]!.at <= at - this.windowMs) this.samples.shift();
    const base = this.samples[0]!;
    const seconds = (at - base.at) / 1000;
    const rates = {} as Record<K, number>;
    for (const key of Object.keys(values) as K[]) {
      const rise = values[key] - (base.values[key] ?? values[key]);
      rates[key] = seconds > 0 ? Math.max(0, rise) / seconds : 0;
    }
    return rates;
  }
}
