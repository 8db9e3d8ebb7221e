import type { Progress } from '../../protocol/mesh.ts';
import { formatDuration } from '../../lib/format-duration.ts';
import { formatRunRate, type RunEstimate } from './progress-rate.ts';

/** `step 3 of 8`, `step 3`, or null when the run does not count steps. */
export function describeStep(run: Progress): string | null {
  if (run.step === undefined) return null;
  return run.steps === undefined ? `step ${run.step}` : `step ${run.step} of ${run.steps}`;
}

/** `failed at step 3 of 8`, or `failed at 61 %` for a run without steps. */
export function describeFailure(run: Progress): string {
  const step = describeStep(run);
  return `failed at ${step ?? `${Math.round(run.percent)} %`}`;
}

/** What a screen reader says for the bar: percent, step and status; a failure first. */
export function progressValueText(run: Progress): string {
  const percent = `${Math.round(run.percent)} %`;
  if (run.status === 'failed') return run.step === undefined ? describeFailure(run) : `${describeFailure(run)} · ${percent}`;
  return [percent, describeStep(run), run.status].filter(Boolean).join(' · ');
}

/**
 * The line under the bar: for a running run its step, rate and time left
 * (or that it stalled), once there is history enough to tell; for a finished
 * one how it ended.
 */
export function describeRunDetail(run: Progress, estimate: RunEstimate | null): string {
  if (run.status === 'failed') return describeFailure(run);
  const step = describeStep(run);
  if (run.status === 'complete') return [step, 'complete'].filter(Boolean).join(' · ');
  const parts = [step];
  if (estimate?.stalled) parts.push('stalled');
  else if (estimate !== null && (estimate.percentPerSecond > 0 || (estimate.stepsPerMinute ?? 0) > 0)) {
    parts.push(formatRunRate(estimate));
    if (estimate.etaMs !== null) parts.push(`ETA ${formatDuration(estimate.etaMs)}`);
  }
  return parts.filter(Boolean).join(' · ') || 'running';
}
