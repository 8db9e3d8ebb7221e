/**
 * The one clock every panel shows: live, or a moment in the last ten minutes
 * the client has recorded. The graph's statuses and edge stats, the feed, the
 * charts, the logs and progress all read the moment from here (through
 * `useShown`), so pausing or scrubbing moves all of them together. Recording
 * goes on while paused.
 *
 * Moments are the client's clock (`Date.now()`): the recorder stamps what it
 * records with it and Pause stops at it. Events and log lines are clipped to
 * a moment by the gateway's `ts`, chart points by their publisher's `t`, so
 * the gateway and the publishers are assumed to keep time with the client
 * (the same host, or NTP); a skew of a second shows as a second's mismatch
 * between the graph and the feed, charts or logs.
 */
import { create, type StateCreator } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';

/** How far back the client keeps what it needs to show an earlier moment. */
export const HISTORY_SPAN_MS = 10 * 60_000;

export interface HeldSpan {
  /** The oldest moment the client can show (ms since the epoch, the client's clock). */
  from: number;
  /** The newest recorded moment (the client's clock). */
  to: number;
  /** The coarsest spacing of the recorded moments held: 1 s unless the mesh is too large to hold every second. */
  stepMs: number;
}

export interface ClockState {
  /** The moment shown, or null while live. */
  moment: number | null;
  /** What the recording holds; null before the first recorded moment. */
  held: HeldSpan | null;
  /** Stops at now (the client's `Date.now()`); data keeps being recorded. */
  pause: () => void;
  /** Shows `moment`, clamped into the held span. */
  scrubTo: (moment: number) => void;
  goLive: () => void;
  /** Set by the recorder as it records. */
  setHeld: (held: HeldSpan | null) => void;
}

const clamp = (moment: number, held: HeldSpan | null) =>
  held === null ? moment : Math.min(held.to, Math.max(held.from, moment));

const clockInitializer: StateCreator<ClockState> = (set, get) => ({
  moment: null,
  held: null,
  pause: () => {
    if (get().moment === null) set({ moment: Date.now() });
  },
  scrubTo: (moment) => {
    if (Number.isFinite(moment)) set({ moment: clamp(moment, get().held) });
  },
  goLive: () => set({ moment: null }),
  setHeld: (held) => set({ held }),
});

export const useClock = create<ClockState>()(clockInitializer);

/** A clock of its own, for tests and embedding. */
export function createClockStore(): StoreApi<ClockState> {
  return createStore<ClockState>()(clockInitializer);
}

export const selectMoment = (state: ClockState): number | null => state.moment;
export const selectIsLive = (state: ClockState): boolean => state.moment === null;
export const selectHeld = (state: ClockState): HeldSpan | null => state.held;
