import './timeline.css';
import { useCallback } from 'react';
import { formatClock } from '../../lib/format.ts';
import { selectHeld, selectMoment, useClock } from '../../store/clock.ts';
import { useNow } from '../../ui/use-now.ts';
import { describeAgo, describeHeld } from './describe-moment.ts';
import { useMomentInUrl } from './use-moment-in-url.ts';

const STEP_MS = 1_000;
const JUMP_MS = 10_000;

/**
 * The dashboard's one clock: Live, Pause, and a slider over the moments the
 * client has recorded (up to ten minutes). Everything on the page (graph,
 * feed, charts, logs, progress) shows the moment chosen here.
 *
 * Pause is the toggle (pressed while paused; pressing it again goes live);
 * Live is a plain button back to live, harmless while live.
 */
export function TimelineBar() {
  const moment = useClock(selectMoment);
  const held = useClock(selectHeld);
  const live = moment === null;
  const unshown = useMomentInUrl();
  const now = useNow(!live, 1_000);
  const { pause, goLive, scrubTo } = useClock.getState();

  const jump = useCallback(
    (by: number) => {
      const { moment: current, held: span } = useClock.getState();
      const from = current ?? span?.to ?? Date.now();
      scrubTo(from + by);
    },
    [scrubTo],
  );

  const max = held?.to ?? now;
  const min = held?.from ?? max;
  const value = moment ?? max;
  const label = live ? 'live' : `${formatClock(value)} · ${describeAgo(value, now)}`;

  return (
    <div className="timeline" role="group" aria-label="Timeline" data-live={live || undefined}>
      <button type="button" className="button timeline__live" title={live ? 'Showing live data' : 'Back to live data'} onClick={goLive}>
        <span className="timeline__dot" aria-hidden="true" /> Live
      </button>
      <button type="button" className="button" aria-pressed={!live} onClick={live ? pause : goLive}>
        Pause
      </button>
      <button type="button" className="button" aria-label="Back 10 seconds" disabled={held === null} onClick={() => jump(-JUMP_MS)}>
        −10 s
      </button>
      <input
        className="timeline__slider"
        type="range"
        aria-label="Moment shown"
        aria-valuetext={label}
        min={min}
        max={max}
        step={STEP_MS}
        value={value}
        disabled={held === null}
        onChange={(event) => scrubTo(Number(event.currentTarget.value))}
      />
      <button type="button" className="button" aria-label="Forward 10 seconds" disabled={live} onClick={() => jump(JUMP_MS)}>
        +10 s
      </button>
      {/* Only the moment is announced, when it changes; "ago" changes every second, so it stays outside the live region. */}
      <span className="timeline__moment">
        <output aria-live="polite">{live ? 'live' : <time dateTime={new Date(value).toISOString()}>{formatClock(value)}</time>}</output>
        {!live && <span className="timeline__ago"> · {describeAgo(value, now)}</span>}
      </span>
      {held !== null && <span className="timeline__held">{describeHeld(held.from, held.to, held.stepMs)}</span>}
      {unshown !== null && (
        <span className="timeline__note" role="status">
          the link's moment {formatClock(unshown.moment)} {unshown.why === 'older' ? "is older than this page's recording" : 'is in the future'}
        </span>
      )}
    </div>
  );
}
