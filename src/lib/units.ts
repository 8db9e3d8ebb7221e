/**
 * What a series measures, read from its name, and how its numbers read:
 * `pages_per_s` is a rate, `p95_ms` a latency, `bytes_written` a size,
 * `hit_ratio` a percentage. Publishers name series freely; these are the
 * conventions most of them follow (Prometheus' and StatsD's among them).
 */
import { formatCompact, formatMs, formatPercent, formatRate } from './format.ts';

export type UnitKind = 'rate' | 'byte-rate' | 'ms' | 'seconds' | 'bytes' | 'ratio' | 'percent' | 'count';

export interface Unit {
  kind: UnitKind;
  /** A value as the legend and the tooltip show it: `412/s`, `87 ms`, `1.2 MiB`, `99 %`. */
  format: (value: number) => string;
  /** A value as an axis tick shows it: as short as it can be and still tell ticks apart. */
  tick: (value: number) => string;
  /** Whether the axis starts at zero; a ratio near 99 % reads better on a tight axis. */
  zeroBased: boolean;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** A size in binary units: `512 B`, `1.2 KiB`, `34 MiB`. */
export function formatBytes(bytes: number): string {
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const sign = bytes < 0 ? '-' : '';
  const digits = unit === 0 ? Math.round(value) : value < 10 ? value.toFixed(1) : Math.round(value);
  return `${sign}${digits} ${BYTE_UNITS[unit]}`;
}

/** A ratio in [0, 1] as an axis tick: two decimals at most, so 99.2 % and 99.4 % stay apart. */
function tickRatio(ratio: number): string {
  return `${+(ratio * 100).toFixed(2)}%`;
}

const UNITS: Record<UnitKind, Unit> = {
  rate: { kind: 'rate', format: formatRate, tick: formatCompact, zeroBased: true },
  'byte-rate': { kind: 'byte-rate', format: (v) => `${formatBytes(v)}/s`, tick: formatBytes, zeroBased: true },
  ms: { kind: 'ms', format: formatMs, tick: formatMs, zeroBased: true },
  seconds: { kind: 'seconds', format: (v) => formatMs(v * 1_000), tick: (v) => formatMs(v * 1_000), zeroBased: true },
  bytes: { kind: 'bytes', format: formatBytes, tick: formatBytes, zeroBased: true },
  ratio: { kind: 'ratio', format: formatPercent, tick: tickRatio, zeroBased: false },
  percent: { kind: 'percent', format: (v) => formatPercent(v / 100), tick: (v) => `${+v.toFixed(1)}%`, zeroBased: true },
  count: { kind: 'count', format: formatCompact, tick: formatCompact, zeroBased: true },
};

export function unitOf(kind: UnitKind): Unit {
  return UNITS[kind];
}

/** `pages_per_sec` → `[pages, per, sec]`; only the last part of a dotted or slashed name counts. */
function metricWords(name: string): string[] {
  const metric = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('.')) + 1) || name;
  return metric
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

const RATE_WORDS = new Set(['tps', 'rps', 'qps', 'ops', 'iops']);
const PER_SECOND = new Set(['s', 'sec', 'second', 'secs']);

function isPerSecond(words: readonly string[]): boolean {
  const last = words.at(-1);
  if (last === undefined) return false;
  if (words.at(-2) === 'per' && PER_SECOND.has(last)) return true;
  return words.some((word) => RATE_WORDS.has(word));
}

function allWithin(values: Iterable<number>, min: number, max: number): boolean {
  for (const value of values) if (!(value >= min && value <= max)) return false;
  return true;
}

/**
 * The unit a series' name implies. `values` decide the one ambiguous case:
 * a `…_ratio` or `…_rate` whose values all lie in [0, 1] is a fraction
 * (shown as a percentage); otherwise it is a plain number.
 */
export function inferUnit(name: string, values: Iterable<number> = []): Unit {
  const words = metricWords(name);
  const last = words.at(-1);
  const has = (word: string) => words.includes(word);
  if (isPerSecond(words)) return UNITS[has('bytes') || has('byte') ? 'byte-rate' : 'rate'];
  if (last === 'ms' || last === 'millis' || last === 'milliseconds') return UNITS.ms;
  if (last === 'seconds' || last === 'secs') return UNITS.seconds;
  if (has('bytes') || has('byte')) return UNITS.bytes;
  if (has('pct') || has('percent') || has('percentage')) return UNITS.percent;
  if ((has('ratio') || last === 'rate') && allWithin(values, 0, 1)) return UNITS.ratio;
  return UNITS.count;
}
