import { isUnfiltered, logLineFilter } from '../../protocol/log-filter.ts';
import { SEVERITIES, type Severity } from '../../protocol/mesh.ts';
import type { StoredLogLine } from '../../store/realtime.ts';

/**
 * The test for lines at or above `minLevel` whose text (case-insensitive) or
 * level matches `text`; null when every line passes. The gateway's filter
 * (protocol/log-filter.ts), plus matching a level by its name.
 */
export function lineMatcher(text: string, minLevel: Severity = 'debug'): ((line: StoredLogLine) => boolean) | null {
  if (isUnfiltered({ minLevel, text })) return null;
  const needle = text.trim().toLowerCase();
  const atLevel = logLineFilter({ minLevel });
  const matches = logLineFilter({ minLevel, text });
  return (line) => matches(line.level, line.text) || (line.level === needle && atLevel(line.level, line.text));
}

/** The lines {@link lineMatcher} lets through; `lines` itself when there is no filter. */
export function filterLines(lines: StoredLogLine[], text: string, minLevel: Severity = 'debug'): StoredLogLine[] {
  const matches = lineMatcher(text, minLevel);
  return matches === null ? lines : lines.filter(matches);
}

/**
 * How many of `live` (oldest first) arrived after `seen`, the newest line the
 * reader has been shown, and pass `matches`: "N new" counts what resuming
 * would show.
 */
export function countNewLines(
  live: readonly StoredLogLine[],
  seen: StoredLogLine | undefined,
  matches: ((line: StoredLogLine) => boolean) | null,
): number {
  let count = 0;
  for (let i = live.length - 1; i >= 0; i--) {
    const line = live[i]!;
    // Ids grow with arrival: the first line already seen ends the new ones.
    if (seen !== undefined && line.id <= seen.id) break;
    if (matches === null || matches(line)) count++;
  }
  return count;
}

/**
 * The part of the local filter the gateway can apply too: it matches text
 * only, so a filter that is a level's name (which also matches lines of that
 * level here) is not sent; the gateway then sends more, and this filter narrows.
 */
export function gatewayText(text: string, maxLength: number): string | undefined {
  const needle = text.trim();
  if (needle === '' || (SEVERITIES as readonly string[]).includes(needle.toLowerCase())) return undefined;
  // A longer text would be refused; a prefix lets through a superset, which the local filter narrows.
  return needle.slice(0, maxLength);
}
