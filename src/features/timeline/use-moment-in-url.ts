import { useEffect, useState } from 'react';
import { useClock, type HeldSpan } from '../../store/clock.ts';
import { useRealtime, type RealtimeState } from '../../store/realtime.ts';
import { readMomentParam, writeMomentParam } from './moment-param.ts';

/** The clock's moment as the URL holds it: whole seconds. */
function roundedMoment(): number | null {
  const { moment } = useClock.getState();
  return moment === null ? null : Math.floor(moment / 1000) * 1000;
}

/** Writes to the address bar at most this often while the moment is being dragged. */
const WRITE_EVERY_MS = 250;

/**
 * How far past the newest recorded moment a link's moment may be and still
 * open paused (at the newest): the clocks of the machine that made the link
 * and of this one may differ a little. Further on, it is in the future.
 */
export const FUTURE_SLACK_MS = 5_000;

/** The URL's moment, when the page could not show it. */
export interface UnshownMoment {
  moment: number;
  /** Older than anything this page recorded (a link opened later than it was made, or a reload), or later than now. */
  why: 'older' | 'future';
}

/**
 * Whether the live store holds the mesh yet. The recorder records from the
 * first change of the store (the connection's "connecting"), an empty page;
 * the URL's moment is placed only once what is recorded is the mesh.
 */
const holdsMesh = (state: RealtimeState) => state.topologyVersion > 0 || state.stream.snapshots > 0;

/** Where the URL's moment goes, given what is recorded: a moment to show, or why not. */
function place(wanted: number, held: HeldSpan): number | UnshownMoment['why'] {
  if (wanted < held.from) return 'older';
  if (wanted > held.to + FUTURE_SLACK_MS) return 'future';
  return wanted;
}

/**
 * Opens the page at the URL's moment (`?at=`) once the recording holds the
 * mesh, and keeps the URL's moment in step with the clock. A moment outside
 * what the page holds (older than its recording, or in the future) leaves
 * the clock live and the URL without it, and is returned (until the clock
 * next moves) so the page can say why; else null.
 */
export function useMomentInUrl(): UnshownMoment | null {
  const [unshown, setUnshown] = useState<UnshownMoment | null>(null);
  useEffect(() => {
    // Remounted with the clock already moved, the clock (not the URL) is what the user chose.
    let wanted = useClock.getState().moment === null ? readMomentParam(window.location.search) : null;

    let timer: ReturnType<typeof setTimeout> | null = null;
    const write = () => {
      timer = null;
      const next = writeMomentParam(window.location.href, useClock.getState().moment);
      if (next !== window.location.href) window.history.replaceState(window.history.state, '', next);
    };
    const writeSoon = (ms: number) => {
      if (timer === null) timer = setTimeout(write, ms);
    };

    const applyWanted = () => {
      const { held, scrubTo } = useClock.getState();
      if (wanted === null || held === null || !holdsMesh(useRealtime.getState())) return;
      const placed = place(wanted, held);
      const moment = wanted;
      wanted = null;
      if (typeof placed === 'number') return scrubTo(placed);
      setUnshown({ moment, why: placed });
      writeSoon(0);
    };

    const stop = useClock.subscribe((state, previous) => {
      if (wanted !== null && state.held !== previous.held) applyWanted();
      if (state.moment === previous.moment) return;
      // The user moved the clock before the URL's moment could be placed: theirs wins.
      wanted = null;
      setUnshown(null);
      writeSoon(state.moment === null ? 0 : WRITE_EVERY_MS);
    });
    applyWanted();
    // Mounted after the clock already moved (a remount), the address bar may
    // say another moment than the one shown: write it once.
    if (wanted === null && readMomentParam(window.location.search) !== roundedMoment()) writeSoon(0);
    return () => {
      stop();
      if (timer !== null) clearTimeout(timer);
    };
  }, []);
  return unshown;
}
