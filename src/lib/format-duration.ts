/** Durations as people read them: an estimate left ("2 m 10 s") and the age of data ("1 min"). */

/** `45 s`, `2 m 10 s`, `1 h 5 m`: precise enough for an estimate, never more than two units. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1_000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3_600) {
    const rest = seconds % 60;
    return rest === 0 ? `${Math.floor(seconds / 60)} m` : `${Math.floor(seconds / 60)} m ${rest} s`;
  }
  const hours = Math.floor(seconds / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} m`;
}

/**
 * How old data is, coarsely: `< 5 s`, `40 s`, `1 min`, `12 min`, `2 h`. Seconds
 * in steps of 5 under a minute, whole minutes under an hour, so a label that
 * re-reads the clock every few seconds does not flicker.
 */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1_000));
  if (seconds < 5) return '< 5 s';
  if (seconds < 60) return `${Math.floor(seconds / 5) * 5} s`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3_600)} h`;
}
