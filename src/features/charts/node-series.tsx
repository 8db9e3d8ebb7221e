import './charts.css';
import { memo, useMemo, useRef } from 'react';
import { Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { formatClock, formatCompact, formatPercent } from '../../lib/format.ts';
import type { ChartPoint } from '../../protocol/mesh.ts';
import type { RealtimeState } from '../../store/realtime.ts';
import { useShown } from '../../store/shown.ts';
import { seriesOwnedBy } from '../../store/selectors.ts';
import { useElementSize } from '../../ui/use-element-size.ts';
import { useIsVisible } from '../../ui/use-is-visible.ts';
import { selectWhileVisible } from '../../ui/select-while-visible.ts';

const NO_POINTS: ChartPoint[] = [];
const SPARK_HEIGHT = 30;
const FALLBACK_SIZE = { width: 160, height: SPARK_HEIGHT };
const X_DOMAIN = ['dataMin', 'dataMax'] as const;
const Y_DOMAIN = ['auto', 'auto'] as const;
const MARGIN = { top: 4, right: 2, bottom: 2, left: 2 };

const seriesByName = (name: string) => (state: RealtimeState) => state.charts[name];

/** `postgres.cache_hit_ratio` on postgres's panel reads `cache hit ratio`; a series named otherwise keeps its name. */
function seriesLabel(series: string, nodeId: string): string {
  const own = series.startsWith(`${nodeId}.`) ? series.slice(nodeId.length + 1) : series;
  return own.replaceAll('_', ' ');
}

/** Ratios (names ending in `_ratio` or `_rate`) read as percentages; everything else as a compact number. */
function formatterFor(name: string): (value: number) => string {
  return /(_ratio|_rate)$/.test(name) ? formatPercent : formatCompact;
}

/** Sparklines of the series that belong to a node; nothing when it has none. */
export function NodeSeries({ nodeId }: { nodeId: string }) {
  const names = useShown(useMemo(() => seriesOwnedBy(nodeId), [nodeId]));
  if (names.length === 0) return null;
  return (
    <div className="node-series" aria-label="Node metrics" role="group">
      {names.map((name) => (
        <Sparkline key={name} series={name} label={seriesLabel(name, nodeId)} />
      ))}
    </div>
  );
}

const Sparkline = memo(function Sparkline({ series, label }: { series: string; label: string }) {
  const figureRef = useRef<HTMLElement>(null);
  const visible = useIsVisible(figureRef);
  const select = useMemo(() => selectWhileVisible(seriesByName(series), visible), [series, visible]);
  const points = useShown(select) ?? NO_POINTS;
  const plotRef = useRef<HTMLDivElement>(null);
  const { width } = useElementSize(plotRef, FALLBACK_SIZE);
  const format = formatterFor(series);
  const last = points.at(-1);
  return (
    <figure ref={figureRef} className="sparkline" aria-label={label}>
      <figcaption className="sparkline__caption">
        <span>{label}</span>
        <strong>{last ? format(last.y) : '–'}</strong>
      </figcaption>
      <div ref={plotRef} className="sparkline__plot">
        {points.length > 1 ? (
          <LineChart width={width} height={SPARK_HEIGHT} data={points} margin={MARGIN}>
            <XAxis dataKey="t" type="number" domain={X_DOMAIN} hide />
            <YAxis domain={Y_DOMAIN} hide />
            <Tooltip
              isAnimationActive={false}
              labelFormatter={(t) => formatClock(Number(t))}
              formatter={(value) => [format(Number(value)), label]}
            />
            <Line dataKey="y" stroke="var(--accent)" strokeWidth={1.5} dot={false} isAnimationActive={false} />
          </LineChart>
        ) : (
          <p className="sparkline__waiting">waiting for data</p>
        )}
      </div>
    </figure>
  );
});
