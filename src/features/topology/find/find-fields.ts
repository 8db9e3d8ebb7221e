/** The fields a find expression can name, their aliases, and the help text the UI shows for them. */
import type { NumberField, TextField } from './find-ast.ts';

export interface FindField {
  /** The canonical name; `meta.<key>` stands for any key of a node's meta. */
  readonly name: string;
  /** Other names accepted for the same field (matched case-insensitively, like the name). */
  readonly aliases: readonly string[];
  readonly type: 'text' | 'number' | 'meta';
  readonly help: string;
}

export const FIND_FIELDS: readonly FindField[] = [
  { name: 'id', aliases: [], type: 'text', help: 'node id; * matches any run of characters: id=fetcher-0*' },
  { name: 'label', aliases: ['name'], type: 'text', help: 'display name: label~"crawl api"' },
  { name: 'kind', aliases: ['type'], type: 'text', help: 'role such as fetcher or postgres: kind=fetcher' },
  { name: 'group', aliases: [], type: 'text', help: 'the group a node is drawn in: group=fetchers' },
  { name: 'status', aliases: ['state'], type: 'text', help: 'one of healthy, degraded, down, starting, unknown' },
  { name: 'rps', aliases: ['traffic', 'throughput', 'req'], type: 'number', help: 'requests per second; 1.5k is 1500: rps>=100' },
  {
    name: 'errors',
    aliases: ['error', 'errorRate', 'err'],
    type: 'number',
    help: 'error rate in percent, with or without %: errors>2 and errors>2% both mean above 2%',
  },
  { name: 'p95', aliases: ['latency', 'p95ms'], type: 'number', help: '95th-percentile latency, ms unless s is given: p95>250ms, latency>1s' },
  { name: 'meta.<key>', aliases: [], type: 'meta', help: 'a value from the node’s meta, compared as numbers when both are: meta.region=eu-west' },
];

export type ResolvedField =
  | { readonly type: 'text'; readonly name: TextField }
  | { readonly type: 'number'; readonly name: NumberField }
  | { readonly type: 'meta'; readonly key: string };

const BY_NAME = new Map<string, ResolvedField>();
for (const field of FIND_FIELDS) {
  if (field.type === 'meta') continue;
  const resolved = (field.type === 'text'
    ? { type: 'text', name: field.name }
    : { type: 'number', name: field.name }) as ResolvedField;
  for (const name of [field.name, ...field.aliases]) BY_NAME.set(name.toLowerCase(), resolved);
}

const META_PREFIX = 'meta.';

/** The field a name refers to; `null` for an unknown name, `''` key for `meta.` with nothing after it. */
export function resolveField(name: string): ResolvedField | null {
  const known = BY_NAME.get(name.toLowerCase());
  if (known) return known;
  if (name.toLowerCase().startsWith(META_PREFIX)) return { type: 'meta', key: name.slice(META_PREFIX.length) };
  return null;
}

export function unknownFieldMessage(name: string): string {
  return `unknown field "${name}": try ${FIND_FIELDS.map((field) => field.name).join(', ')}`;
}
