/**
 * The shape of the simulated crawler mesh: which services exist, how the
 * crawl flows between them, and what normal traffic on each edge looks like.
 *
 *   api → scheduler → frontier → politeness → fetcher ×N → kafka → parser ×M
 *   fetcher → dns, robots cache        parser → link extractor → dedup → redis
 *   scheduler → postgres               dedup → frontier (new URLs)
 *   kafka → object storage             parser → indexer → opensearch, postgres
 */
import type { EdgeStats, MeshEdge, MeshNode } from '../../protocol/mesh.ts';

/** What one edge carries; its numbers scale with the crawl's pages per second. */
interface EdgeRole {
  label: string;
  /** Requests per crawled page over this kind of edge, shared by the pool it fans out to. */
  perPage: number;
  share?: 'fetchers' | 'parsers';
  /** Fixed traffic for edges that do not follow the crawl rate. */
  fixedRps?: number;
  p95Ms: number;
  errorRate: number;
}

/** Every kind of edge in the crawl flow, with its label and normal traffic. */
const EDGE_ROLES = {
  control: { label: 'control', perPage: 0, fixedRps: 1.5, p95Ms: 18, errorRate: 0.001 },
  schedule: { label: 'schedule', perPage: 0.05, p95Ms: 9, errorRate: 0.0005 },
  jobs: { label: 'jobs', perPage: 0.08, p95Ms: 6, errorRate: 0.0005 },
  dispatch: { label: 'dispatch', perPage: 1.05, p95Ms: 4, errorRate: 0.0002 },
  fetch: { label: 'fetch', perPage: 1, share: 'fetchers', p95Ms: 420, errorRate: 0.02 },
  resolve: { label: 'resolve', perPage: 0.3, share: 'fetchers', p95Ms: 14, errorRate: 0.004 },
  robots: { label: 'robots.txt', perPage: 0.1, share: 'fetchers', p95Ms: 3, errorRate: 0.001 },
  publish: { label: 'publish', perPage: 0.97, share: 'fetchers', p95Ms: 7, errorRate: 0.0005 },
  consume: { label: 'consume', perPage: 0.97, share: 'parsers', p95Ms: 12, errorRate: 0.0005 },
  links: { label: 'links', perPage: 0.97, share: 'parsers', p95Ms: 3, errorRate: 0.0002 },
  documents: { label: 'documents', perPage: 0.82, share: 'parsers', p95Ms: 24, errorRate: 0.001 },
  dedup: { label: 'dedup', perPage: 38, p95Ms: 2, errorRate: 0.0001 },
  lookup: { label: 'seen?', perPage: 38, p95Ms: 1, errorRate: 0.0001 },
  enqueue: { label: 'enqueue', perPage: 2.6, p95Ms: 5, errorRate: 0.0003 },
  index: { label: 'index', perPage: 0.82, p95Ms: 48, errorRate: 0.002 },
  metadata: { label: 'metadata', perPage: 0.82, p95Ms: 7, errorRate: 0.0005 },
  archive: { label: 'archive', perPage: 0.97, p95Ms: 35, errorRate: 0.001 },
} as const satisfies Record<string, EdgeRole>;
/** The name of an edge's role, e.g. `fetch` or `resolve`. */
export type EdgeRoleName = keyof typeof EDGE_ROLES;

/** Pages per second one healthy fetcher crawls, before the crawl's own ebb and flow. */
export const PAGES_PER_FETCHER = 12;

/** An edge of the mesh and the role that decides its numbers. */
export interface PlannedEdge {
  edge: MeshEdge;
  role: EdgeRoleName;
}

/** Services with exactly one instance, whatever the size; fresh objects per mesh, since payloads are handed over. */
const coreNodes = (): MeshNode[] => [
  node('api', 'Crawl API', 'api', 'control-plane', { version: '1.19.0', replicas: 2 }),
  node('scheduler', 'Scheduler', 'scheduler', 'control-plane', { version: '4.2.1', policy: 'adaptive-recrawl' }),
  node('frontier', 'URL frontier', 'frontier', 'control-plane', { version: '4.2.1', partitions: 64 }),
  node('politeness', 'Politeness gate', 'rate-limiter', 'control-plane', { defaultDelayS: 1 }),
  node('dns', 'DNS resolver', 'dns', 'edge-services', { upstream: '1.1.1.1', cacheTtlS: 300 }),
  node('robots', 'robots.txt cache', 'cache', 'edge-services', { entries: 481_220, ttlS: 86_400 }),
  node('kafka', 'Kafka · crawl.fetched', 'kafka', 'pipeline', { topic: 'crawl.fetched', partitions: 24 }),
  node('link-extractor', 'Link extractor', 'extractor', 'pipeline', { version: '2.7.0' }),
  node('dedup', 'URL dedup', 'dedup', 'pipeline', { filter: 'bloom', capacity: '2B' }),
  node('redis', 'Redis · seen set', 'redis', 'storage', { version: '7.2', maxmemory: '16gb' }),
  node('postgres', 'Postgres', 'postgres', 'storage', { version: '16.4', role: 'primary', maxConnections: 300 }),
  node('indexer', 'Indexer', 'indexer', 'pipeline', { version: '3.1.4', batchSize: 500 }),
  node('search', 'OpenSearch', 'search', 'storage', { version: '2.15', shards: 12 }),
  node('object-storage', 'Object storage', 'object-storage', 'storage', { bucket: 's3://crawl-raw' }),
];
const CORE_SIZE = 14;

const FIXED_EDGES: ReadonlyArray<[string, string, EdgeRoleName]> = [
  ['api', 'scheduler', 'control'],
  ['scheduler', 'frontier', 'schedule'],
  ['scheduler', 'postgres', 'jobs'],
  ['frontier', 'politeness', 'dispatch'],
  ['link-extractor', 'dedup', 'dedup'],
  ['dedup', 'redis', 'lookup'],
  ['dedup', 'frontier', 'enqueue'],
  ['indexer', 'search', 'index'],
  ['indexer', 'postgres', 'metadata'],
  ['kafka', 'object-storage', 'archive'],
];

/** How a requested size splits into pools: the core is fixed, the rest is about 5 fetchers to 3 parsers. */
function planPools(size: number): { fetchers: number; parsers: number } {
  const pooled = Math.max(2, Math.round(size) - CORE_SIZE);
  const fetchers = Math.max(1, Math.round(pooled * 0.625));
  return { fetchers, parsers: Math.max(1, pooled - fetchers) };
}

/** `fetcher-07`: ids padded to `width` digits so they sort. */
export function fetcherId(index: number, width: number): string {
  return `fetcher-${String(index).padStart(width, '0')}`;
}

/** A fetcher node, in the `fetchers` group. */
export function fetcherNode(id: string, status: MeshNode['status'], region: string): MeshNode {
  return node(id, `Fetcher ${id.slice('fetcher-'.length)}`, 'fetcher', 'fetchers', {
    region,
    concurrency: 64,
    version: '3.8.2',
  }, status);
}

/** The four edges every fetcher has: fetch (in), resolve, robots.txt and publish (out). */
export function fetcherEdges(id: string): PlannedEdge[] {
  return [
    planned('politeness', id, 'fetch'),
    planned(id, 'dns', 'resolve'),
    planned(id, 'robots', 'robots'),
    planned(id, 'kafka', 'publish'),
  ];
}

/** The whole mesh for `size` nodes: core services, the two pools, and the edges of the crawl flow. */
export function buildCrawlMesh(size: number, regions: readonly string[]): { nodes: MeshNode[]; edges: PlannedEdge[] } {
  const { fetchers, parsers } = planPools(size);
  const width = Math.max(2, String(Math.max(fetchers, parsers)).length);
  const nodes = coreNodes();
  const edges = FIXED_EDGES.map(([source, target, role]) => planned(source, target, role));
  for (let i = 1; i <= fetchers; i++) {
    const id = fetcherId(i, width);
    nodes.push(fetcherNode(id, 'healthy', regions[(i - 1) % regions.length]!));
    edges.push(...fetcherEdges(id));
  }
  for (let i = 1; i <= parsers; i++) {
    const id = `parser-${String(i).padStart(width, '0')}`;
    nodes.push(node(id, `Parser ${String(i).padStart(width, '0')}`, 'parser', 'parsers', { workers: 8, version: '5.0.3' }));
    edges.push(planned('kafka', id, 'consume'), planned(id, 'link-extractor', 'links'), planned(id, 'indexer', 'documents'));
  }
  return { nodes, edges };
}

/** Baseline traffic of one edge while the crawl runs at `pagesPerSec` with pools of the given sizes. */
export function baselineStats(role: EdgeRoleName, pagesPerSec: number, pools: { fetchers: number; parsers: number }): EdgeStats {
  const spec: EdgeRole = EDGE_ROLES[role];
  const shareOf = spec.share === 'fetchers' ? pools.fetchers : spec.share === 'parsers' ? pools.parsers : 1;
  const rps = spec.fixedRps ?? (spec.perPage * pagesPerSec) / Math.max(1, shareOf);
  return { rps, errorRate: spec.errorRate, p95Ms: spec.p95Ms };
}

function planned(source: string, target: string, role: EdgeRoleName): PlannedEdge {
  return { edge: { id: `${source}->${target}`, source, target, label: EDGE_ROLES[role].label }, role };
}

function node(
  id: string,
  label: string,
  kind: string,
  group: string,
  meta: Record<string, string | number>,
  status: MeshNode['status'] = 'healthy',
): MeshNode {
  return { id, label, kind, status, group, meta };
}
