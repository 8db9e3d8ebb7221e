import { isUnfiltered, logLineFilter } from '../../protocol/log-filter.ts';
import { SEVERITIES, type Severity } from '../../protocol/mesh.ts';
import type { StoredLogLine } from '../../store/realtime.ts';

/**
 * Lines at or above `minLevel` whose text (case-insensitive) or level matches
 * `text`; `lines` itself when there is no filter. The gateway's filter
 * (protocol/log-filter.ts), plus matching a level by its name.
 */
export function filterLines(lines: StoredLogLine[], text: string, minLevel: Severity = 'debug'): StoredLogLine[] {
  if (isUnfiltered({ minLevel, text })) return lines;
  const needle = text.trim().toLowerCase();
  const atLevel = logLineFilter({ minLevel });
  const matches = logLineFilter({ minLevel, text });
  return lines.filter((line) => matches(line.level, line.text) || (line.level === needle && atLevel(line.level, line.text)));
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
