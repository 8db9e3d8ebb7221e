/**
 * Seed 002's log filter, applied where the lines are: the gateway filters a
 * streamed node's lines per connection, so a filter that keeps 1 line in 100
 * also saves 99 % of the bandwidth.
 */
import { SEVERITIES, type Severity } from './mesh.ts';
import type { LogStreamOptions } from './frames.ts';

const RANK: Record<Severity, number> = Object.fromEntries(SEVERITIES.map((level, index) => [level, index])) as Record<Severity, number>;

/** Whether `options` lets every line through (no level floor, no text). */
export function isUnfiltered(options: LogStreamOptions | undefined): boolean {
  return !options || ((options.minLevel === undefined || options.minLevel === SEVERITIES[0]) && !options.text?.trim());
}

/**
 * A line test for `options`: at or above `minLevel`, containing `text`
 * (case-insensitive). Build it once per filter change, not per line.
 */
export function logLineFilter(options: LogStreamOptions | undefined): (level: Severity, text: string) => boolean {
  const floor = RANK[options?.minLevel ?? SEVERITIES[0]];
  const needle = options?.text?.trim().toLowerCase() ?? '';
  return (level, text) => RANK[level] >= floor && (needle === '' || text.toLowerCase().includes(needle));
}
