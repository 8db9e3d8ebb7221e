/** A node's status history as the periods of a time window: what the strip draws and what its label says. */
import { formatClock } from '../../lib/format.ts';
import type { NodeStatus } from '../../protocol/mesh.ts';
import type { StatusChange } from '../../store/realtime.ts';

export const TIMELINE_WINDOW_MS = 10 * 60_000;

/** A period of one status, clipped to the window for drawing (`from`, `to`); `since` is when it really began. */
export interface TimelineSegment {
  status: NodeStatus;
  from: number;
  to: number;
  since: number;
}

/**
 * The window ends at `now` (the moment shown, while the clock is paused or
 * scrubbed), or at the newest change if the gateway's clock runs ahead of this one.
 */
export function timelineEnd(changes: readonly StatusChange[], now: number): number {
  const last = changes[changes.length - 1];
  return last ? Math.max(now, last.ts) : now;
}

/**
 * The periods that overlap `[end - windowMs, end]`, oldest first. A status
 * replaced at the instant it began is left out, except the current one, which
 * the label must name even when it began just now.
 */
export function timelineSegments(changes: readonly StatusChange[], end: number, windowMs = TIMELINE_WINDOW_MS): TimelineSegment[] {
  const start = end - windowMs;
  const segments: TimelineSegment[] = [];
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i]!;
    const to = i + 1 < changes.length ? changes[i + 1]!.ts : end;
    const current = i === changes.length - 1;
    if (to <= start || (to <= change.ts && !current)) continue;
    segments.push({ status: change.status, from: Math.max(change.ts, start), to, since: change.ts });
  }
  return segments;
}

/**
 * `45 s`, `4 min`, `1 h 5 min`: a glance's precision. Not lib's
 * `formatDuration` (`4 m 59 s`, an estimate's precision, too fine for a
 * period on a strip), nor `formatAge` (5-second steps, `< 5 s`: too coarse
 * for a status that lasted 34 s).
 */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1_000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** Periods named in the summary; more read as noise to a screen reader. */
const SUMMARY_PERIODS = 3;

/**
 * The strip in words, oldest first: "healthy for 4 min, degraded since 30 s
 * ago". Durations are the periods' real lengths, not their clipped ones.
 * With `atMoment` (the strip ends at a moment shown, not now) the last
 * period is "degraded since 09:11:33": "ago" would count from now.
 */
export function describeTimeline(segments: readonly TimelineSegment[], end: number, atMoment = false): string {
  if (segments.length === 0) return 'No status recorded';
  const shown = segments.slice(-SUMMARY_PERIODS);
  const parts = shown.map((segment, i) =>
    i === shown.length - 1
      ? atMoment
        ? `${segment.status} since ${formatClock(segment.since)}`
        : `${segment.status} since ${formatDuration(end - segment.since)} ago`
      : `${segment.status} for ${formatDuration(segment.to - segment.since)}`,
  );
  const earlier = segments.length - shown.length;
  if (earlier > 0) parts.unshift(`${earlier} earlier ${earlier === 1 ? 'period' : 'periods'}`);
  return parts.join(', ');
}
