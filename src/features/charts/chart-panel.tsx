import './charts.css';
import { useShown } from '../../store/shown.ts';
import type { RealtimeState } from '../../store/realtime.ts';
import { Panel } from '../../ui/panel.tsx';
import { CHARTS } from './chart-definitions.ts';
import { SeriesChart } from './series-chart.tsx';

const OVERVIEW_SERIES = new Set(CHARTS.flatMap((spec) => spec.series.map((s) => s.series)));

/**
 * The overview's series held, and the others: a primitive pair packed in a
 * string, so the panel re-renders only when a series appears or goes, not
 * with every point.
 */
function selectSeriesCounts(state: RealtimeState): string {
  let overview = 0;
  let other = 0;
  for (const name in state.charts) {
    if (OVERVIEW_SERIES.has(name)) overview++;
    else other++;
  }
  return `${overview}/${other}`;
}

/**
 * The overview's core charts (the simulated crawler's metrics). A project
 * fed by its own publisher has series of its own names: rather than five
 * charts waiting forever for series that will never come, it is pointed to
 * the dashboard, which draws whatever series exist.
 */
export function ChartPanel({ onShowDashboard }: { onShowDashboard?: () => void }) {
  const [overview = 0, other = 0] = useShown(selectSeriesCounts).split('/').map(Number);
  const ownSeriesOnly = overview === 0 && other > 0;
  return (
    <Panel title="Metrics" className="charts">
      {ownSeriesOnly ? (
        <div className="charts__elsewhere" role="note">
          <p>
            This project publishes {other === 1 ? 'a series' : `${other} series`} of its own, none of the overview's crawler charts.
          </p>
          {onShowDashboard && (
            <button type="button" onClick={onShowDashboard}>
              Show {other === 1 ? 'it' : 'them'} on the Dashboard
            </button>
          )}
        </div>
      ) : (
        <div className="charts__grid">
          {CHARTS.map((spec) => (
            <SeriesChart key={spec.id} spec={spec} />
          ))}
        </div>
      )}
    </Panel>
  );
}
