/**
 * How old a panel's data is, in words, when it is old: the link went down
 * ("data 1 min old"), or the panel's series stopped while the link stayed up
 * ("stopped 40 s ago"). A series has stopped when its newest point is older
 * than three of its usual intervals, and at least five seconds old, so a
 * series that reports every 10 s is not called stopped between its points.
 * Ages read as everywhere else (`formatAge`: 5-second steps, then minutes).
 */
import { formatAge } from '../../lib/format-duration.ts';

export const MIN_STOPPED_MS = 5_000;
export const STOPPED_INTERVALS = 3;

export interface StalenessInput {
  /** The wall clock, re-read coarsely (it may lag a second behind). */
  now: number;
  /** The moment shown while paused, or null while live. */
  moment: number | null;
  /** When the link went down (wall clock), or null while it is up. */
  staleSince: number | null;
  /** The panel's newest point and how often its series reports; null before any point. */
  newest: { t: number; intervalMs: number | null } | null;
}

/** The point after which a series that last reported at `newest` counts as stopped. */
export function stoppedAfter(newest: { t: number; intervalMs: number | null }): number {
  return newest.t + Math.max(MIN_STOPPED_MS, STOPPED_INTERVALS * (newest.intervalMs ?? 0));
}

/** The note a panel shows about its data's age, or null when the data is current. */
export function stalenessNote({ now, moment, staleSince, newest }: StalenessInput): string | null {
  const at = moment ?? now;
  const stopped = newest !== null && at > stoppedAfter(newest);
  // Live, a lost link makes the data old at once; a moment shown from before the loss was live data then.
  const linkDown = staleSince !== null && (moment === null || moment >= staleSince);
  if (linkDown && !(stopped && stoppedAfter(newest!) < staleSince)) return `data ${formatAge(at - staleSince)} old`;
  if (stopped) return `stopped ${formatAge(at - newest!.t)} ago`;
  return null;
}
