import { describe, expect, it } from 'vitest';
import { formatBytes, inferUnit, type UnitKind } from '../../src/lib/units.ts';

describe('inferUnit', () => {
  const cases: Array<[name: string, values: number[], kind: UnitKind]> = [
    ['crawl/pages_per_s', [40], 'rate'],
    ['crawl.pages_per_sec', [40], 'rate'],
    ['api/requests_per_second', [40], 'rate'],
    ['postgres:stats/tps', [1_800], 'rate'],
    ['gateway.rps', [90], 'rate'],
    ['redis:stats/ops_per_s', [7_000], 'rate'],
    ['redis:stats/ops', [7_000], 'rate'],
    ['kafka:lag/bytes_in_per_s', [3e6], 'byte-rate'],
    ['gateway/p95_ms', [87], 'ms'],
    ['frontier/queue_ms', [120], 'ms'],
    ['job/duration_seconds', [3], 'seconds'],
    ['storage/bytes_written', [2e12], 'bytes'],
    ['disk.used_bytes', [2e9], 'bytes'],
    ['postgres.cache_hit_ratio', [0.98, 0.991], 'ratio'],
    ['crawl.error_rate', [0.018, 0.03], 'ratio'],
    ['crawl.error_rate', [0.2, 12], 'count'],
    ['weird.ratio', [-0.1], 'count'],
    ['disk/used_pct', [42], 'percent'],
    ['cpu.percent', [87], 'percent'],
    ['queue.depth', [3_000], 'count'],
    ['postgres.connections', [110], 'count'],
    ['kafka:lag/consumer_lag', [2_400], 'count'],
    // Only the last part of the name counts: a `tps` panel is not a rate unless the line is.
    ['tps/connections', [5], 'count'],
    ['stops', [3], 'count'],
    ['', [], 'count'],
    ['a.', [1], 'count'],
  ];
  it.each(cases)('reads %s (values %j) as %s', (name, values, kind) => {
    expect(inferUnit(name, values).kind).toBe(kind);
  });

  it('formats each unit for people', () => {
    expect(inferUnit('crawl/pages_per_s').format(412)).toBe('412/s');
    expect(inferUnit('crawl/pages_per_s').format(4_120)).toBe('4.1k/s');
    expect(inferUnit('kafka:lag/bytes_in_per_s').format(3 * 1024 * 1024)).toBe('3.0 MiB/s');
    expect(inferUnit('gateway/p95_ms').format(87.4)).toBe('87 ms');
    expect(inferUnit('gateway/p95_ms').format(1_200)).toBe('1.2 s');
    expect(inferUnit('job/duration_seconds').format(2.5)).toBe('2.5 s');
    expect(inferUnit('storage/bytes_written').format(1.5 * 1024 ** 4)).toBe('1.5 TiB');
    expect(inferUnit('postgres.cache_hit_ratio', [0.987]).format(0.987)).toBe('99 %');
    expect(inferUnit('postgres.cache_hit_ratio', [0.987]).tick(0.9925)).toBe('99.25%');
    expect(inferUnit('disk/used_pct', [42]).format(42)).toBe('42 %');
    expect(inferUnit('queue.depth').format(1_234)).toBe('1.2k');
  });

  it('starts ratio axes where the data is, and counts and rates at zero', () => {
    expect(inferUnit('postgres.cache_hit_ratio', [0.99]).zeroBased).toBe(false);
    expect(inferUnit('storage/bytes_written').zeroBased).toBe(true);
    expect(inferUnit('queue.depth').zeroBased).toBe(true);
    expect(inferUnit('crawl/pages_per_s').zeroBased).toBe(true);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [20 * 1024, '20 KiB'],
    [5 * 1024 ** 2, '5.0 MiB'],
    [3 * 1024 ** 3, '3.0 GiB'],
    [-2048, '-2.0 KiB'],
    [1024 ** 6, '1024 PiB'],
  ])('%d bytes read %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
