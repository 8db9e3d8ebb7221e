import type { StoredLogLine } from '../../store/realtime.ts';

/** Case-insensitive substring match on the line's text and level; `lines` itself when there is no filter. */
export function filterLines(lines: StoredLogLine[], text: string): StoredLogLine[] {
  const needle = text.trim().toLowerCase();
  if (needle === '') return lines;
  return lines.filter((line) => line.text.toLowerCase().includes(needle) || line.level === needle);
}
