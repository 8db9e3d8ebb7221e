/**
 * Log lines that read like the real services of a crawler: each node kind has
 * a handful of templates, mostly routine, sometimes a warning, rarely an error.
 * Everything random comes from the simulator's seeded source.
 */
import type { Severity } from '../../protocol/mesh.ts';
import type { Random } from '../../lib/prng.ts';

/** One generated log line and its level. */
export interface LogLineOut {
  level: Severity;
  text: string;
}

type Template = (r: Random) => string;
type Weighted = readonly [weight: number, level: Severity, template: Template];

const HOSTS = [
  'news.example.org', 'shop.contoso.net', 'docs.acme.io', 'blog.fabrikam.dev', 'www.northwind.com',
  'forum.tailspin.org', 'media.wingtip.tv', 'jobs.adatum.co', 'wiki.litware.info', 'api.proseware.app',
  'store.fourthcoffee.com', 'travel.margie.travel', 'cdn.woodgrove.bank', 'www.lucernepub.com', 'eng.treyresearch.net',
];
const SECTIONS = ['news', 'products', 'blog', 'docs', 'forum/t', 'careers', 'catalog', 'help', 'press', 'reviews'];
const LANGS = ['en', 'en', 'en', 'de', 'fr', 'es', 'ja', 'pt', 'nl'];

const host = (r: Random) => r.pick(HOSTS);
const path = (r: Random) =>
  r.chance(0.05) ? '/sitemap.xml' : `/${r.pick(SECTIONS)}/${r.int(2019, 2025)}/${r.int(1000, 99999).toString(36)}`;
const url = (r: Random) => `https://${host(r)}${path(r)}`;
const ms = (r: Random, min: number, max: number) => `${r.int(min, max)}ms`;

const TEMPLATES: Record<string, readonly Weighted[]> = {
  fetcher: [
    [60, 'info', (r) => `GET ${url(r)} 200 ${ms(r, 40, 900)} ${r.int(8, 420)}KB`],
    [10, 'info', (r) => `GET ${url(r)} 301 → ${url(r)} ${ms(r, 20, 200)}`],
    [8, 'debug', (r) => `conn pool ${host(r)}: ${r.int(1, 8)}/8 in use, keep-alive reused`],
    [6, 'info', (r) => `GET ${url(r)} 304 not modified ${ms(r, 15, 120)}`],
    [6, 'warn', (r) => `GET ${url(r)} 429 Too Many Requests; backing off ${r.int(2, 60)}s`],
    [4, 'warn', (r) => `GET ${url(r)} timed out after 30000ms (attempt ${r.int(1, 2)}/3)`],
    [2, 'error', (r) => `GET ${url(r)} failed: ${r.pick(['ECONNRESET', 'ECONNREFUSED', 'EPROTO tls alert 40'])}`],
  ],
  parser: [
    [65, 'info', (r) => `parsed ${url(r)} in ${ms(r, 2, 80)}: ${r.int(3, 240)} links, lang=${r.pick(LANGS)}, ${r.int(1, 90)}KB text`],
    [12, 'debug', (r) => `charset sniffed as ${r.pick(['utf-8', 'utf-8', 'iso-8859-1', 'windows-1252', 'shift_jis'])} for ${url(r)}`],
    [10, 'warn', (r) => `malformed HTML in ${url(r)} (unclosed <div> at line ${r.int(40, 9000)}), recovered`],
    [8, 'info', (r) => `skipped ${url(r)}: content-type ${r.pick(['application/pdf', 'image/webp', 'video/mp4'])} not parsed`],
    [1, 'error', (r) => `parser worker ${r.int(1, 8)} panicked on ${url(r)}: stack overflow in DOM walk, restarted`],
  ],
  scheduler: [
    [60, 'info', (r) => `dispatched batch #${r.int(10_000, 99_999)}: ${r.int(2, 9) * 1000} URLs across ${r.int(200, 1800)} hosts`],
    [30, 'info', (r) => `re-crawl policy: ${r.int(10, 900)}k URLs due in the next hour`],
    [10, 'warn', (r) => `batch #${r.int(10_000, 99_999)} delayed ${r.int(2, 30)}s: frontier backpressure`],
  ],
  frontier: [
    [60, 'info', (r) => `${(r.between(0.8, 3.2)).toFixed(2)}M URLs queued across ${r.int(20, 90)}k hosts, oldest due ${r.int(1, 40)}m ago`],
    [30, 'debug', (r) => `host queue rotated: ${host(r)} (${r.int(1, 400)} pending)`],
    [10, 'info', (r) => `accepted ${r.int(500, 20_000)} new URLs from dedup`],
  ],
  'rate-limiter': [
    [70, 'info', (r) => `crawl-delay ${r.int(1, 10)}s for ${host(r)} (robots.txt)`],
    [30, 'warn', (r) => `${host(r)} responding slowly (p95 ${ms(r, 900, 4000)}), delay raised to ${r.int(2, 20)}s`],
  ],
  dns: [
    [70, 'debug', (r) => `${host(r)} A 203.0.113.${r.int(1, 254)} ttl=${r.pick([60, 300, 3600])} (cache ${r.pick(['hit', 'hit', 'miss'])})`],
    [25, 'info', (r) => `cache: ${r.int(80, 99)}% hit ratio, ${r.int(40, 400)}k entries`],
    [5, 'warn', (r) => `SERVFAIL ${host(r)}, retrying via secondary resolver`],
  ],
  cache: [
    [60, 'info', (r) => `robots.txt ${host(r)}: ${r.int(2, 80)} rules, ${r.int(0, 30)} disallow, cached ${r.pick([3600, 86_400])}s`],
    [35, 'debug', (r) => `hit ${host(r)}/robots.txt`],
    [5, 'warn', (r) => `robots.txt ${host(r)} returned 5xx; treating host as disallowed for 1h`],
  ],
  kafka: [
    [40, 'info', (r) => `[crawl.fetched-${r.int(0, 23)}] rolled new log segment at offset ${r.int(1e6, 9e7)}`],
    [45, 'info', (r) => `consumer group parsers: lag ${r.int(200, 9000)} across 24 partitions`],
    [15, 'warn', (r) => `[crawl.fetched-${r.int(0, 23)}] ISR shrunk from 3 to 2 (broker ${r.int(1, 3)} lagging)`],
  ],
  extractor: [
    [70, 'info', (r) => `extracted ${r.int(500, 9000)} links from ${r.int(20, 200)} pages (${r.int(20, 70)}% external)`],
    [30, 'debug', (r) => `normalized ${r.int(100, 4000)} URLs (stripped utm_* and session ids)`],
  ],
  dedup: [
    [60, 'info', (r) => `bloom filter ${r.int(40, 80)}% full, estimated false-positive rate ${r.between(0.1, 0.9).toFixed(2)}%`],
    [40, 'debug', (r) => `batch: ${r.int(2000, 9000)} seen, ${r.int(100, 1500)} new`],
  ],
  redis: [
    [70, 'info', (r) => `${r.int(20, 90)}k ops/sec, used_memory ${r.between(6, 14).toFixed(1)}G, ${r.int(40, 200)} clients`],
    [30, 'warn', (r) => `slowlog: SMISMEMBER seen:urls took ${ms(r, 12, 80)}`],
  ],
  postgres: [
    [35, 'info', (r) => `checkpoint complete: wrote ${r.int(800, 9000)} buffers (${r.between(2, 18).toFixed(1)}%); write=${r.between(1, 30).toFixed(3)} s`],
    [30, 'info', (r) => `automatic vacuum of table "crawl.pages": index scans: 1, pages: ${r.int(0, 900)} removed`],
    [25, 'warn', (r) => `duration: ${r.int(1000, 6000)}.${r.int(100, 999)} ms  statement: UPDATE crawl.urls SET state = 'fetched' WHERE id = ANY($1)`],
    [10, 'info', (r) => `connection authorized: user=crawler database=crawl application_name=${r.pick(['scheduler', 'indexer'])}`],
  ],
  indexer: [
    [70, 'info', (r) => `committed ${r.int(200, 500)} documents to shard ${r.int(0, 11)} in ${ms(r, 20, 400)}`],
    [25, 'warn', (r) => `bulk request ${r.int(1000, 99_999)}: ${r.int(1, 12)} documents rejected (mapping conflict on "published_at")`],
    [5, 'error', (r) => `bulk request ${r.int(1000, 99_999)} failed: 429 es_rejected_execution_exception, retrying`],
  ],
  search: [
    [60, 'info', (r) => `[crawl-pages][${r.int(0, 11)}] refresh took ${ms(r, 20, 300)}`],
    [30, 'info', (r) => `[gc][young] collected ${r.int(100, 900)}mb in ${ms(r, 5, 60)}`],
    [10, 'warn', (r) => `[crawl-pages][${r.int(0, 11)}] merge throttled: ${r.int(2, 8)} concurrent merges`],
  ],
  'object-storage': [
    [85, 'info', (r) => `PUT s3://crawl-raw/${r.int(2024, 2025)}/${r.int(1e8, 9e8).toString(16)}.warc.gz ${r.between(20, 500).toFixed(1)}MB ${ms(r, 80, 2000)}`],
    [15, 'warn', (r) => `PUT throttled: SlowDown (503), retry ${r.int(1, 3)} in ${r.int(100, 800)}ms`],
  ],
  api: [
    [60, 'info', (r) => `GET /v1/crawls/${r.int(100, 999)} 200 ${ms(r, 3, 40)}`],
    [30, 'info', (r) => `POST /v1/crawls 202 ${ms(r, 10, 90)} (seed list: ${r.int(10, 5000)} URLs)`],
    [10, 'warn', (r) => `POST /v1/crawls 400 ${ms(r, 2, 20)}: seed list contains ${r.int(1, 40)} invalid URLs`],
  ],
};

const TOTALS = new Map(Object.entries(TEMPLATES).map(([kind, list]) => [kind, list.reduce((sum, [w]) => sum + w, 0)]));

/** One ordinary log line for a node of `kind`. */
export function logLine(kind: string, random: Random): LogLineOut {
  const list = TEMPLATES[kind] ?? TEMPLATES.api!;
  let roll = random.next() * (TOTALS.get(kind) ?? TOTALS.get('api')!);
  for (const [weight, level, template] of list) {
    roll -= weight;
    if (roll < 0) return { level, text: template(random) };
  }
  const [, level, template] = list[list.length - 1]!;
  return { level, text: template(random) };
}

/** What a fetcher writes as it dies. */
export function crashLines(random: Random): string[] {
  const rss = random.between(3.85, 4.4).toFixed(2);
  return [
    `FATAL worker crashed: out of memory (RSS ${rss} GiB > limit 3.80 GiB)`,
    `${random.int(12, 64)} in-flight fetches abandoned; URLs returned to the frontier`,
    'liveness probe failed: GET /healthz: connection refused',
  ];
}

/** Hosts for incident messages, so they name the same world as the logs. */
export function randomHost(random: Random): string {
  return host(random);
}
