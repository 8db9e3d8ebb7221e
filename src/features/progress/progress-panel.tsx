import './progress.css';
import { memo, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { RealtimeState } from '../../store/realtime.ts';
import { useRealtime } from '../../store/realtime.ts';
import { Panel } from '../../ui/panel.tsx';

// The list re-renders only when a run starts or goes; each row follows its own run.
const selectProgressIds = (state: RealtimeState) => Object.keys(state.progress);
const progressById = (id: string) => (state: RealtimeState) => state.progress[id];

export function ProgressPanel() {
  const ids = useRealtime(useShallow(selectProgressIds));
  return (
    <Panel title="Progress" className="progress">
      {ids.length > 0 ? (
        <ul className="progress__list">
          {ids.map((id) => (
            <ProgressRow key={id} id={id} />
          ))}
        </ul>
      ) : (
        <p className="panel__empty">No runs yet</p>
      )}
    </Panel>
  );
}

const ProgressRow = memo(function ProgressRow({ id }: { id: string }) {
  const run = useRealtime(useMemo(() => progressById(id), [id]));
  if (!run) return null;
  const percent = Math.round(run.percent);
  const step = run.step !== undefined && run.steps !== undefined ? `step ${run.step} of ${run.steps}` : null;
  const valueText = [`${percent} %`, step, run.status].filter(Boolean).join(' · ');
  return (
    <li className="progress-row" data-status={run.status}>
      <div className="progress-row__head">
        <span className="progress-row__label" title={run.label}>
          {run.label}
        </span>
        <span className="progress-row__value">{percent} %</span>
      </div>
      <div
        className="progress-bar"
        role="progressbar"
        aria-label={run.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={valueText}
      >
        <div className="progress-bar__fill" style={{ width: `${run.percent}%` }} />
      </div>
      <div className="progress-row__detail">{[step, run.status].filter(Boolean).join(' · ')}</div>
    </li>
  );
});
