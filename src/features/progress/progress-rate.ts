/**
 * A run's rate and time left, read from its own updates: the protocol's
 * `progress` carries no time, so each update is stamped with when it was
 * seen, and a short history per run is kept by the view that shows it (not
 * in the realtime store: nothing else needs it, and the store stays the
 * gateway's state).
 */

export interface ProgressSample {
  /** When the update was seen (ms since the epoch). */
  at: number;
  percent: number;
  step?: number;
}

/** The rate is read over at most this much recent history. */
export const RATE_WINDOW_MS = 60_000;
/** Updates closer together than this are merged: a run reporting 20 times a second would otherwise fill the history in a second. */
export const SAMPLE_SPACING_MS = 1_000;
/** A rate needs at least this much history: two updates a few milliseconds apart say nothing. */
export const MIN_SPAN_MS = 2_000;
/** A run whose percent has not moved for this long (or three of its usual gaps, if longer) is stalled. */
export const MIN_STALL_MS = 10_000;
/** The rates over the older and newer halves of the history may differ by this factor and still count as steady. */
export const STEADY_RATIO = 2.5;
/** A bound whatever the update rate (merging keeps about two samples a second in the window). */
export const MAX_SAMPLES = 150;

/**
 * The history with `sample` added: history older than the window drops off,
 * and a run that went backwards (a retry, the same id run again) starts a
 * new history, as what came before says nothing about this run.
 */
export function addSample(samples: readonly ProgressSample[], sample: ProgressSample): ProgressSample[] {
  const last = samples.at(-1);
  if (last === undefined) return [sample];
  const wentBack = sample.percent < last.percent || (sample.step !== undefined && last.step !== undefined && sample.step < last.step);
  if (wentBack || sample.at < last.at) return [sample];
  const kept = samples.filter((s) => s.at >= sample.at - RATE_WINDOW_MS);
  // Merge into the newest sample when it is too recent, keeping the one before as the anchor.
  const previous = kept.at(-2);
  if (kept.length >= 2 && previous !== undefined && sample.at - previous.at < SAMPLE_SPACING_MS) kept[kept.length - 1] = sample;
  else kept.push(sample);
  return kept.length > MAX_SAMPLES ? kept.slice(-MAX_SAMPLES) : kept;
}

export interface RunEstimate {
  /** Over the history held; 0 when the percent has not moved in it (which is not yet a stall). */
  percentPerSecond: number;
  /** Null when the run does not count steps. */
  stepsPerMinute: number | null;
  /** Its percent has not moved for much longer than its updates usually take. */
  stalled: boolean;
  /** The rate over the older and newer halves of the history agree. */
  steady: boolean;
  /** Time left, only when the rate is positive and steady and the run not stalled. */
  etaMs: number | null;
}

/** The run's rate and time left as of `now`, from its history; null until there is enough of it. */
export function estimateRun(samples: readonly ProgressSample[], now: number): RunEstimate | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (first === undefined || last === undefined || last.at - first.at < MIN_SPAN_MS) return null;
  const span = last.at - first.at;
  // A clock read before the newest update (a tick not yet come) must not add time.
  const at = Math.max(now, last.at);
  const percentPerSecond = Math.max(0, (last.percent - first.percent) / (span / 1_000));
  const stepsPerMinute = first.step !== undefined && last.step !== undefined ? Math.max(0, (last.step - first.step) / (span / 60_000)) : null;

  // When the percent last moved, and how often it usually moves.
  let firstAtLast = samples.length - 1;
  while (firstAtLast > 0 && samples[firstAtLast - 1]!.percent === last.percent) firstAtLast--;
  const movedAt = samples[firstAtLast]!.at;
  let moves = 0;
  for (let i = 1; i <= firstAtLast; i++) if (samples[i]!.percent !== samples[i - 1]!.percent) moves++;
  const usualGap = moves > 0 ? (movedAt - first.at) / moves : span;
  const stalled = at - movedAt > Math.max(MIN_STALL_MS, 3 * usualGap);

  const steady = !stalled && percentPerSecond > 0 && isSteady(samples);
  const left = 100 - last.percent;
  const etaMs = steady && left > 0 ? Math.max(0, (left / percentPerSecond) * 1_000 - (at - last.at)) : null;
  return { percentPerSecond, stepsPerMinute, stalled, steady, etaMs };
}

/** Whether the rates over the older and the newer half of the history (split at its middle in time) agree. */
function isSteady(samples: readonly ProgressSample[]): boolean {
  if (samples.length < 3) return false;
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const middle = first.at + (last.at - first.at) / 2;
  let split = 1;
  while (split < samples.length - 2 && samples[split + 1]!.at <= middle) split++;
  const at = samples[split]!;
  const older = (at.percent - first.percent) / (at.at - first.at);
  const newer = (last.percent - at.percent) / (last.at - at.at);
  if (!(older > 0 && newer > 0)) return false;
  return Math.max(older, newer) / Math.min(older, newer) <= STEADY_RATIO;
}

function formatNumber(value: number): string {
  return value < 10 ? value.toFixed(1) : String(Math.round(value));
}

/**
 * The rate as a reader of this run would measure it: steps per minute when
 * it counts steps that move, else percent per second (per minute when
 * slower than 1 % a second, so it does not read "0.0 %/s").
 */
export function formatRunRate(estimate: RunEstimate): string {
  if (estimate.stepsPerMinute !== null && estimate.stepsPerMinute > 0) return `${formatNumber(estimate.stepsPerMinute)} steps/min`;
  const perSecond = estimate.percentPerSecond;
  return perSecond >= 1 ? `${formatNumber(perSecond)} %/s` : `${formatNumber(perSecond * 60)} %/min`;
}
