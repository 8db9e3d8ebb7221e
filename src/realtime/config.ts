/**
 * Where the browser connects. By default the page's own origin (`/ws` on the
 * same host and port), so the development server, a production gateway and a
 * reverse proxy all work without configuration.
 *
 * Overrides, most specific first: the `?ws=` query parameter, then
 * `VITE_MESHWATCH_WS_URL` at build time. Either may be a full `ws(s)://` or
 * `http(s)://` URL or a path; the project is appended as `?project=<id>`.
 */
import { DEFAULT_PROJECT, ProjectId } from '../protocol/mesh.ts';

export interface PageLocation {
  protocol: string;
  host: string;
  search: string;
}

const SCHEMES: Record<string, string> = { 'ws:': 'ws:', 'wss:': 'wss:', 'http:': 'ws:', 'https:': 'wss:' };

export function projectFromLocation(location: Pick<PageLocation, 'search'>): string {
  const requested = new URLSearchParams(location.search).get('project')?.trim() ?? '';
  return ProjectId.safeParse(requested).success ? requested : DEFAULT_PROJECT;
}

/**
 * The gateway URL for `project`. An override that is not a usable URL is
 * reported on the console and ignored: a typo in `?ws=` must not blank the page.
 */
export function resolveWsUrl(location: PageLocation, project: string, configured?: string): string {
  const origin = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`;
  const override = new URLSearchParams(location.search).get('ws') || configured;
  let url = new URL('/ws', origin);
  if (override) {
    try {
      const candidate = new URL(override, origin);
      const scheme = SCHEMES[candidate.protocol];
      if (!scheme) throw new Error(`unsupported scheme ${candidate.protocol}`);
      candidate.protocol = scheme;
      url = candidate;
    } catch (error) {
      console.warn(`meshwatch: ignoring gateway URL ${JSON.stringify(override)} (${error instanceof Error ? error.message : error}); using ${url.href}`);
    }
  }
  url.searchParams.set('project', project);
  return url.toString();
}
