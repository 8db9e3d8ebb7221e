import type { StoredLogLine } from '../../store/realtime.ts';

/** Case-insensitive substring match on the line's text and level; `lines` itself when there is no filter. */
export function filterLines(lines: StoredLogLine[], text: string): StoredLogLine[] {
  const needle = text.trim().toLowerCase();
  if (needle === '') return lines;
  return lines.filter((line) => line.text.toLowerCase().includes(needle) || line.level === needle);
}

/** How many of `lines` (oldest first) arrived after `since`, the newest line the reader has seen. */
export function countNewerLines(lines: StoredLogLine[], since: StoredLogLine | undefined): number {
  if (!since) return lines.length;
  let count = 0;
  // Ids grow with arrival, so the scan from the end stops at the first line already seen.
  while (count < lines.length && lines[lines.length - 1 - count]!.id > since.id) count++;
  return count;
}
