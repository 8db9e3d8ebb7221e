import './progress.css';
import { memo, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { RealtimeState } from '../../store/realtime.ts';
import { selectMoment, useClock } from '../../store/clock.ts';
import { useShown } from '../../store/shown.ts';
import { useStaleSince } from '../../store/use-stale-since.ts';
import { AtMoment } from '../../ui/at-moment.tsx';
import { Panel } from '../../ui/panel.tsx';
import { StaleAge } from '../../ui/stale-age.tsx';
import { useNow } from '../../ui/use-now.ts';
import { describeRunDetail, progressValueText } from './describe-run.ts';
import { estimateRun } from './progress-rate.ts';
import { useRunSamples } from './use-run-samples.ts';

// The list re-renders only when a run starts or goes; each row follows its own run.
const selectProgressIds = (state: RealtimeState) => Object.keys(state.progress);
const progressById = (id: string) => (state: RealtimeState) => state.progress[id];
/** Time left counts down between updates, and a stall shows, without the store changing. */
const ESTIMATE_TICK_MS = 1_000;

/**
 * Long-running jobs (crawls, builds, deploys) as bars: step of steps, rate
 * and time left while running, how they ended once done. While the
 * dashboard's clock shows a moment, the bars are as they were then, without
 * rate or time left (those describe now).
 */
export function ProgressPanel() {
  const ids = useShown(useShallow(selectProgressIds));
  const moment = useClock(selectMoment);
  const staleSince = useStaleSince();
  return (
    <Panel
      title={
        <>
          Progress
          <AtMoment moment={moment} />
          <StaleAge since={staleSince} moment={moment} />
        </>
      }
      className="progress"
    >
      {ids.length > 0 ? (
        <ul className="progress__list">
          {ids.map((id) => (
            <ProgressRow key={id} id={id} live={moment === null} />
          ))}
        </ul>
      ) : (
        <p className="panel__empty">No runs yet</p>
      )}
    </Panel>
  );
}

const ProgressRow = memo(function ProgressRow({ id, live }: { id: string; live: boolean }) {
  const run = useShown(useMemo(() => progressById(id), [id]));
  const samples = useRunSamples(run, live);
  const running = live && run?.status === 'running';
  const now = useNow(running, ESTIMATE_TICK_MS);
  if (!run) return null;
  const estimate = running ? estimateRun(samples, now) : null;
  const percent = Math.round(run.percent);
  const failed = run.status === 'failed';
  return (
    <li className="progress-row" data-status={run.status}>
      <div className="progress-row__head">
        <span className="progress-row__label" title={run.label}>
          {run.label}
        </span>
        <span className="progress-row__value">
          {failed && (
            <span className="progress-row__failed" aria-hidden="true">
              ✕{' '}
            </span>
          )}
          {percent} %
        </span>
      </div>
      <div
        className="progress-bar"
        role="progressbar"
        aria-label={run.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={progressValueText(run)}
      >
        <div className="progress-bar__fill" style={{ width: `${run.percent}%` }} />
      </div>
      <div className="progress-row__detail">{describeRunDetail(run, estimate)}</div>
    </li>
  );
});
