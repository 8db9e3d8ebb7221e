import { useEffect, useState } from 'react';
import { useClock } from '../../store/clock.ts';
import { readMomentParam, writeMomentParam } from './moment-param.ts';

/** The clock's moment as the URL holds it: whole seconds. */
function roundedMoment(): number | null {
  const { moment } = useClock.getState();
  return moment === null ? null : Math.floor(moment / 1000) * 1000;
}

/** Writes to the address bar at most this often while the moment is being dragged. */
const WRITE_EVERY_MS = 250;

/**
 * Opens the page at the URL's moment (`?at=`) once something is recorded,
 * and keeps the URL's moment in step with the clock. Returns the URL's moment
 * when it was older than anything this page has recorded (a link opened
 * later than it was made), else null.
 */
export function useMomentInUrl(): number | null {
  const [notHeld, setNotHeld] = useState<number | null>(null);
  useEffect(() => {
    let wanted = readMomentParam(window.location.search);
    const applyWanted = () => {
      const { held, scrubTo } = useClock.getState();
      if (wanted === null || held === null) return;
      scrubTo(wanted);
      setNotHeld(wanted < held.from ? wanted : null);
      wanted = null;
    };
    applyWanted();

    let timer: ReturnType<typeof setTimeout> | null = null;
    const write = () => {
      timer = null;
      const next = writeMomentParam(window.location.href, useClock.getState().moment);
      if (next !== window.location.href) window.history.replaceState(window.history.state, '', next);
    };
    const stop = useClock.subscribe((state, previous) => {
      if (wanted !== null && state.held !== previous.held) applyWanted();
      if (state.moment === previous.moment) return;
      if (state.moment === null) setNotHeld(null);
      if (timer === null) timer = setTimeout(write, state.moment === null ? 0 : WRITE_EVERY_MS);
    });
    // Mounted after the clock already moved (a remount, or the URL's moment
    // clamped before this subscription), the address bar may say another
    // moment than the one shown: write it once.
    if (wanted === null && readMomentParam(window.location.search) !== roundedMoment()) timer = setTimeout(write, 0);
    return () => {
      stop();
      if (timer !== null) clearTimeout(timer);
    };
  }, []);
  return notHeld;
}
