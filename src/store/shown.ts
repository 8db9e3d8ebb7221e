/**
 * The state every view draws: the realtime store itself while the clock is
 * live, or the recorded state at the clock's moment while it is paused or
 * scrubbed. Views read `useShown(selector)` exactly as they would read
 * `useRealtime`; the connection's own status and counters stay on `useRealtime`.
 *
 * While paused, the live store keeps receiving and the recorder keeps
 * recording: only what is shown stands still. The recorded parts of a moment
 * (nodes, edges, progress, status history, events) keep their identity while
 * the moment stays, and charts and logs are clipped to it, so a paused view
 * re-renders nothing as data arrives.
 *
 * A paused moment is shown as the newest recorded moment at or before it.
 * When the recorder thins its budget by merging that recorded moment into
 * the next one, the view falls back to an earlier kept moment, with no action
 * of the user's; when the moment itself is no longer held (aged out of the
 * span, or folded into the oldest state to stay within the budget), the
 * clock moves to the oldest moment held.
 */
import { create } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { useClock, type ClockState } from './clock.ts';
import { clipCharts, clipLogs } from './history/clip.ts';
import { HistoryRecorder, type RecorderOptions } from './history/recorder.ts';
import { useRealtime, type RealtimeState } from './realtime.ts';

/** The finest step between recorded moments: the timeline scrubs by the second. */
export const RECORD_EVERY_MS = 1_000;

export interface ShownLinkOptions {
  recorder?: Partial<RecorderOptions>;
  now?: () => number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export interface ShownLink {
  recorder: HistoryRecorder;
  /** Records the live state now (the link also records on its own, at most once a second while data changes). */
  recordNow: () => void;
  dispose: () => void;
}

/**
 * Keeps `shown` equal to `live` while `clock` is live, and to the recorded
 * moment while it is not, recording `live` as it changes.
 */
export function linkShown(
  live: StoreApi<RealtimeState>,
  shown: StoreApi<RealtimeState>,
  clock: StoreApi<ClockState>,
  options: ShownLinkOptions = {},
): ShownLink {
  const now = options.now ?? Date.now;
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  const recorder = new HistoryRecorder(options.recorder);
  const charts = clipCharts();
  const logs = clipLogs();
  let lastRecordAt = Number.NEGATIVE_INFINITY;
  let timer: unknown = null;

  const record = (at: number) => {
    if (timer !== null) {
      clearTimer(timer);
      timer = null;
    }
    lastRecordAt = at;
    recorder.record(live.getState(), at);
    const span = recorder.span();
    const { held, moment, setHeld, scrubTo } = clock.getState();
    if (span && (held?.from !== span.from || held.to !== span.to || held.stepMs !== span.stepMs)) {
      setHeld({ from: span.from, to: span.to, stepMs: span.stepMs });
    }
    // A moment that has aged out of the recording (or been folded into its oldest state) moves to the oldest one held.
    if (span && moment !== null && moment < span.from) scrubTo(span.from);
  };

  const recordSoon = () => {
    const at = now();
    if (at - lastRecordAt >= RECORD_EVERY_MS) record(at);
    else if (timer === null) {
      timer = setTimer(() => {
        timer = null;
        record(Math.max(now(), lastRecordAt + 1));
      }, lastRecordAt + RECORD_EVERY_MS - at);
    }
  };

  const show = () => {
    const state = live.getState();
    const moment = clock.getState().moment;
    if (moment === null) return shown.setState(state, true);
    const recorded = recorder.stateAt(moment);
    if (recorded === null) return shown.setState(state, true);
    shown.setState({ ...state, ...recorded, charts: charts.clip(state.charts, moment), logs: logs.clip(state.logs, moment) }, true);
  };

  const stopLive = live.subscribe(() => {
    recordSoon();
    show();
  });
  const stopClock = clock.subscribe((state, previous) => {
    if (state.moment === previous.moment) return;
    // Pausing records the moment paused at, so it is shown exactly as it was.
    if (state.moment !== null && previous.moment === null && state.moment > lastRecordAt) record(state.moment);
    show();
  });
  show();

  return {
    recorder,
    recordNow: () => record(Math.max(now(), lastRecordAt + 1)),
    dispose: () => {
      stopLive();
      stopClock();
      if (timer !== null) clearTimer(timer);
    },
  };
}

export const useShown = create<RealtimeState>()(() => useRealtime.getState());

const link = linkShown(useRealtime, useShown, useClock);
import.meta.hot?.dispose(link.dispose);

/** The app's recorder, for the debug handle and tests. */
export const appRecorder = link.recorder;
