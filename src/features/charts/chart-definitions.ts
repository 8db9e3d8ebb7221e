/**
 * Which series the chart panel draws. Configuration, not data: a chart shows
 * whatever points the store holds for these names, or "waiting for data".
 */
import { formatCompact, formatPercent, formatRate } from '../../lib/format.ts';
import type { RealtimeState } from '../../store/realtime.ts';
import type { ChartPoint } from '../../protocol/mesh.ts';

export interface SeriesSpec {
  series: string;
  label: string;
  color: string;
  /** Series of very different scales get their own axis. */
  axis: 'left' | 'right';
  format: (value: number) => string;
}

export type AxisDomain = readonly [number | 'auto' | 'dataMin' | 'dataMax', number | 'auto' | 'dataMin' | 'dataMax'];

export interface ChartSpec {
  id: string;
  title: string;
  series: readonly SeriesSpec[];
  /** Tick labels for the value axes: short, they share a narrow column. */
  axisFormat: (value: number) => string;
  /** Zero-based unless the interesting part is a narrow band (a cache hit ratio near 99 %). */
  domain: AxisDomain;
  /** Defined once here, per chart: the chart's series arrays, compared element by element with `useShallow`. */
  select: (state: RealtimeState) => Array<ChartPoint[] | undefined>;
}

// Series hues are kept clear of the status colours, except where red means "errors".
const BLUE = '#3b82f6';
const VIOLET = '#8b5cf6';
const TEAL = '#14b8a6';
const RED = '#e5484d';
const PINK = '#d946ef';

const ZERO_BASED: AxisDomain = [0, 'auto'];
const TIGHT: AxisDomain = ['auto', 'auto'];
// Two decimals: a cache hit ratio moves in hundredths of a percent.
const axisPercent = (value: number) => `${+(value * 100).toFixed(2)}%`;

function chart(
  id: string,
  title: string,
  series: SeriesSpec[],
  axis: { format?: (value: number) => string; domain?: AxisDomain } = {},
): ChartSpec {
  const names = series.map((s) => s.series);
  return {
    id,
    title,
    series,
    axisFormat: axis.format ?? formatCompact,
    domain: axis.domain ?? ZERO_BASED,
    select: (state) => names.map((name) => state.charts[name]),
  };
}

export const CHARTS: readonly ChartSpec[] = [
  chart('postgres', 'Postgres', [
    { series: 'postgres.connections', label: 'conns', color: BLUE, axis: 'left', format: formatCompact },
    { series: 'postgres.tps', label: 'tps', color: VIOLET, axis: 'right', format: formatCompact },
  ]),
  chart(
    'postgres-cache',
    'Cache hit',
    [{ series: 'postgres.cache_hit_ratio', label: 'postgres', color: TEAL, axis: 'left', format: formatPercent }],
    { format: axisPercent, domain: TIGHT },
  ),
  chart('crawl-rate', 'Crawl rate', [
    { series: 'crawl.pages_per_sec', label: 'pages', color: BLUE, axis: 'left', format: formatRate },
  ]),
  chart(
    'error-rate',
    'Error rate',
    [{ series: 'crawl.error_rate', label: 'crawl', color: RED, axis: 'left', format: formatPercent }],
    { format: axisPercent },
  ),
  chart('queue-depth', 'Queue depth', [
    { series: 'queue.depth', label: 'depth', color: PINK, axis: 'left', format: formatCompact },
  ]),
];
