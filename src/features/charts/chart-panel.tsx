import './charts.css';
import { Panel } from '../../ui/panel.tsx';
import { CHARTS } from './chart-definitions.ts';
import { SeriesChart } from './series-chart.tsx';

export function ChartPanel() {
  return (
    <Panel title="Metrics" className="charts">
      <div className="charts__grid">
        {CHARTS.map((spec) => (
          <SeriesChart key={spec.id} spec={spec} />
        ))}
      </div>
    </Panel>
  );
}
