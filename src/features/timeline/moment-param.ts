/**
 * The shown moment in the address bar, `?at=2026-12-07T09:12:03Z`, so a link
 * opens the dashboard paused at the same moment (as far as the opening page
 * has recorded it). Reading forgives anything; writing leaves every other
 * parameter and the hash as they were.
 */
const NAME = 'at';

/** The moment in `search` (with or without its `?`), or null when absent or unreadable. */
export function readMomentParam(search: string): number | null {
  let value: string | null;
  try {
    value = new URLSearchParams(search).get(NAME);
  } catch {
    return null;
  }
  if (value === null || value === '' || value.length > 64) return null;
  // A bare number is milliseconds since the epoch; anything else must be an ISO date with a time.
  const moment = /^\d{1,15}$/.test(value) ? Number(value) : /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isFinite(moment) ? moment : null;
}

/** `href` with the moment set (whole seconds, ISO, UTC), or removed for null. */
export function writeMomentParam(href: string, moment: number | null): string {
  const hashAt = href.indexOf('#');
  const hash = hashAt < 0 ? '' : href.slice(hashAt);
  const beforeHash = hashAt < 0 ? href : href.slice(0, hashAt);
  const queryAt = beforeHash.indexOf('?');
  const base = queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? '' : beforeHash.slice(queryAt + 1));
  if (moment === null) query.delete(NAME);
  else query.set(NAME, new Date(Math.floor(moment / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
  const search = query.toString();
  return `${base}${search ? `?${search}` : ''}${hash}`;
}
