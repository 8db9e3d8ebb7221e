import { describe, expect, it } from 'vitest';
import { describeLines, formatLogText, logFileName } from '../../../src/features/logs/log-text.ts';
import type { StoredLogLine } from '../../../src/store/realtime.ts';

const at = (h: number, m: number, s: number, ms: number) => new Date(2025, 0, 2, h, m, s, ms).getTime();

describe('log text', () => {
  it('writes one line per log line: time with milliseconds, level in capitals padded to one width, text', () => {
    const lines: StoredLogLine[] = [
      { id: 1, ts: at(9, 12, 3, 45), level: 'info', text: 'GET / 200' },
      { id: 2, ts: at(9, 12, 3, 999), level: 'debug', text: 'cache hit' },
      { id: 3, ts: at(14, 0, 0, 7), level: 'error', text: '  indented\ttab' },
      { id: 4, ts: at(14, 0, 1, 0), level: 'warn', text: '' },
    ];
    expect(formatLogText(lines)).toBe(
      '09:12:03.045 INFO  GET / 200\n09:12:03.999 DEBUG cache hit\n14:00:00.007 ERROR   indented\ttab\n14:00:01.000 WARN  \n',
    );
  });

  it('writes nothing for no lines', () => {
    expect(formatLogText([])).toBe('');
  });

  it.each([
    ['fetcher-1', 'fetcher-1-20250102-091203.log'],
    ['postgres.primary_2', 'postgres.primary_2-20250102-091203.log'],
    ['../../etc/passwd', '__.._etc_passwd-20250102-091203.log'],
    ['a b:c\\d/e*f?"g<h>|', 'a_b_c_d_e_f__g_h__-20250102-091203.log'],
    ['.hidden', '_hidden-20250102-091203.log'],
    ['ノード', '___-20250102-091203.log'],
    ['x'.repeat(300), `${'x'.repeat(100)}-20250102-091203.log`],
  ])('names the file for node %j', (nodeId, expected) => {
    expect(logFileName(nodeId, at(9, 12, 3, 500))).toBe(expected);
  });

  it('says lines in the singular for one', () => {
    expect([describeLines(0), describeLines(1), describeLines(214)]).toEqual(['0 lines', '1 line', '214 lines']);
  });
});
