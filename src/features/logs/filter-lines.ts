import { SEVERITIES, type Severity } from '../../protocol/mesh.ts';
import type { StoredLogLine } from '../../store/realtime.ts';

const RANK = new Map<Severity, number>(SEVERITIES.map((level, index) => [level, index]));

/**
 * Lines at or above `minLevel` whose text (case-insensitive) or level matches
 * `text`; `lines` itself when there is no filter.
 */
export function filterLines(lines: StoredLogLine[], text: string, minLevel: Severity = 'debug'): StoredLogLine[] {
  const needle = text.trim().toLowerCase();
  const floor = RANK.get(minLevel) ?? 0;
  if (needle === '' && floor === 0) return lines;
  return lines.filter(
    (line) => (RANK.get(line.level) ?? 0) >= floor && (needle === '' || line.text.toLowerCase().includes(needle) || line.level === needle),
  );
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
