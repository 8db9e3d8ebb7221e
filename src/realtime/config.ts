/**
 * Where the browser connects. By default the page's own origin (`/ws` on the
 * same host and port), so the development server, a production gateway and a
 * reverse proxy all work without configuration.
 *
 * Overrides, most specific first: the `?ws=` query parameter, then
 * `VITE_MESHWATCH_WS_URL` at build time. Either may be a full `ws(s)://` URL
 * or a path; the project is appended as `?project=<id>`.
 */
export const DEFAULT_PROJECT = 'demo';

export interface PageLocation {
  protocol: string;
  host: string;
  search: string;
}

export function projectFromLocation(location: Pick<PageLocation, 'search'>): string {
  const project = new URLSearchParams(location.search).get('project')?.trim();
  return project ? project.slice(0, 128) : DEFAULT_PROJECT;
}

export function resolveWsUrl(location: PageLocation, project: string, configured?: string): string {
  const override = new URLSearchParams(location.search).get('ws') ?? configured;
  const origin = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`;
  const base = new URL(override || '/ws', origin);
  base.searchParams.set('project', project);
  return base.toString();
}
