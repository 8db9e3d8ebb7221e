import { memo, useDeferredValue, useMemo, useRef } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { useShallow } from 'zustand/react/shallow';
import { formatClock } from '../../lib/format.ts';
import type { ChartPoint } from '../../protocol/mesh.ts';
import { selectMoment, useClock } from '../../store/clock.ts';
import { useShown } from '../../store/shown.ts';
import { useDrawInTurn } from '../../ui/use-draw-in-turn.ts';
import { useElementSize } from '../../ui/use-element-size.ts';
import { useIsVisible } from '../../ui/use-is-visible.ts';
import type { ChartSpec } from './chart-definitions.ts';
import { selectWhileVisible } from '../../ui/select-while-visible.ts';

const NO_POINTS: ChartPoint[] = [];
const FALLBACK_SIZE = { width: 280, height: 140 };
const MARGIN = { top: 6, right: 4, bottom: 0, left: 0 };
const AXIS_TICK = { fontSize: 10 };
const X_DOMAIN = ['dataMin', 'dataMax'] as const;

/**
 * One chart of the shown state (live, or the clock's moment while paused).
 * It subscribes only to its own series arrays, which the store
 * replaces only when points arrive for them, so other series' points do not
 * re-render it; scrolled out of view or in a hidden tab, nothing does.
 */
export const SeriesChart = memo(function SeriesChart({ spec }: { spec: ChartSpec }) {
  const figureRef = useRef<HTMLElement>(null);
  const visible = useIsVisible(figureRef);
  const select = useMemo(() => selectWhileVisible(spec.select, visible), [spec, visible]);
  // Drawn at transition priority: the core series all gain a point in the same
  // second, and six Recharts drawings in one task would hold the main thread
  // for a few hundred milliseconds. Deferred, React draws them one after
  // another between frames, and the graph and feed stay responsive.
  const seriesPoints = useDeferredValue(useShown(useShallow(select)));
  // Paused, the axis ends at the moment shown, so every chart on the page ends at the same instant.
  const moment = useClock(useMemo(() => selectWhileVisible(selectMoment, visible), [visible]));
  const xDomain = useMemo(() => (moment === null ? X_DOMAIN : (['dataMin', moment] as const)), [moment]);
  const plotRef = useRef<HTMLDivElement>(null);
  const { width, height } = useElementSize(plotRef, FALLBACK_SIZE);
  const hasData = seriesPoints.some((points) => points !== undefined && points.length > 0);
  // The first drawing waits its turn (see useDrawInTurn): the graph and the feed paint first.
  const drawPlot = useDrawInTurn(hasData);
  const hasRightAxis = spec.series.some((s) => s.axis === 'right');

  return (
    <figure ref={figureRef} className="chart" aria-label={spec.title}>
      <figcaption className="chart__caption">
        <span className="chart__title">{spec.title}</span>
        {spec.series.map((s, i) => {
          const last = seriesPoints[i]?.at(-1);
          return (
            <span key={s.series} className="chart__latest" title={s.series}>
              <span className="chart__swatch" style={{ background: s.color }} aria-hidden="true" />
              {s.label} {last ? s.format(last.y) : '–'}
            </span>
          );
        })}
      </figcaption>
      <div ref={plotRef} className="chart__plot">
        {drawPlot ? (
          <LineChart width={width} height={height} margin={MARGIN}>
            <CartesianGrid className="chart__grid" strokeDasharray="3 3" vertical={false} />
            <XAxis
              dataKey="t"
              type="number"
              domain={xDomain}
              allowDataOverflow={moment !== null}
              tickFormatter={formatClock}
              tick={AXIS_TICK}
              minTickGap={36}
            />
            <YAxis yAxisId="left" width={48} tick={AXIS_TICK} tickFormatter={spec.axisFormat} domain={spec.domain} />
            {hasRightAxis && (
              <YAxis
                yAxisId="right"
                orientation="right"
                width={48}
                tick={AXIS_TICK}
                tickFormatter={spec.axisFormat}
                domain={spec.domain}
              />
            )}
            <Tooltip
              isAnimationActive={false}
              labelFormatter={(t) => formatClock(Number(t))}
              formatter={(value, _name, item) => {
                const spec_ = spec.series.find((s) => s.label === item.name);
                return spec_ ? spec_.format(Number(value)) : String(value);
              }}
            />
            {spec.series.map((s, i) => (
              <Line
                key={s.series}
                data={seriesPoints[i] ?? NO_POINTS}
                dataKey="y"
                name={s.label}
                yAxisId={s.axis}
                stroke={s.color}
                strokeWidth={1.6}
                dot={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        ) : (
          !hasData && <p className="plot-waiting chart__waiting">waiting for data</p>
        )}
      </div>
    </figure>
  );
});
