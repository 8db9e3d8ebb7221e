import { formatClockMs } from '../../lib/format.ts';
import type { StoredLogLine } from '../../store/realtime.ts';

/** Wide enough for the longest level name, so pasted lines keep their columns. */
const LEVEL_WIDTH = 5;

/** Lines as text, one per line: `hh:mm:ss.mmm LEVEL text`, the time local, as the view shows it. */
export function formatLogText(lines: readonly StoredLogLine[]): string {
  let out = '';
  for (const line of lines) out += `${formatClockMs(line.ts)} ${line.level.toUpperCase().padEnd(LEVEL_WIDTH)} ${line.text}\n`;
  return out;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/**
 * `<nodeId>-<yyyymmdd-hhmmss>.log` for the log as of `at` (local time). A
 * node id is anything the publisher chose; characters a file system or a
 * shell would trip on become `_`.
 */
export function logFileName(nodeId: string, at: number): string {
  const date = new Date(at);
  const stamp = `${date.getFullYear()}${pad2(date.getMonth() + 1)}${pad2(date.getDate())}-${pad2(date.getHours())}${pad2(date.getMinutes())}${pad2(date.getSeconds())}`;
  const safe = nodeId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 100) || 'node';
  return `${safe}-${stamp}.log`;
}

/** "copied 214 lines", "copied 1 line". */
export function describeLines(count: number): string {
  return `${count} ${count === 1 ? 'line' : 'lines'}`;
}
