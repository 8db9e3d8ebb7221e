/**
 * The part of the topology view that lives in the URL, so a link shows
 * someone else the same view: `?find=…&mode=…&layout=…&expand=…&collapse=…&node=…`.
 * Reading forgives anything (a bad value is the default); writing leaves
 * every other parameter and the hash exactly as they were, and leaves out
 * whatever is at its default so an untouched view has a clean URL.
 */
import { LAYOUT_ALGORITHMS, type LayoutAlgorithm } from './layout/protocol.ts';

export type { LayoutAlgorithm } from './layout/protocol.ts';

export const FIND_MODES = ['highlight', 'hide', 'focus'] as const;
export type FindMode = (typeof FIND_MODES)[number];

export interface ViewParams {
  find: string;
  mode: FindMode;
  layout: LayoutAlgorithm;
  /** Groups the user expanded; `*` stands for all of them. */
  expanded: string[];
  /** Groups the user collapsed. */
  collapsed: string[];
  /** The selected node. */
  node: string | null;
}

export const DEFAULT_VIEW_PARAMS: Readonly<ViewParams> = Object.freeze({
  find: '',
  mode: 'highlight',
  layout: 'layered',
  expanded: Object.freeze([]) as unknown as string[],
  collapsed: Object.freeze([]) as unknown as string[],
  node: null,
});

/** Bounds on what a URL can make the page hold; beyond them a value is dropped, not cut (a cut id is a wrong id). */
export const VIEW_PARAM_LIMITS = {
  /** Longest find text kept. */
  findLength: 1000,
  /** Entries kept per group list. */
  listEntries: 200,
  /** Longest group or node id kept. */
  idLength: 128,
} as const;

const NAMES = { find: 'find', mode: 'mode', layout: 'layout', expanded: 'expand', collapsed: 'collapse', node: 'node' } as const;
const OWN_NAMES: ReadonlySet<string> = new Set(Object.values(NAMES));

/** The view described by a query string (with or without its `?`); never throws. */
export function readViewParams(search: string): ViewParams {
  let query: URLSearchParams;
  try {
    query = new URLSearchParams(search);
  } catch {
    query = new URLSearchParams();
  }
  return {
    find: normalizeFind(query.get(NAMES.find) ?? ''),
    mode: oneOf(FIND_MODES, query.get(NAMES.mode), DEFAULT_VIEW_PARAMS.mode),
    layout: oneOf(LAYOUT_ALGORITHMS, query.get(NAMES.layout), DEFAULT_VIEW_PARAMS.layout),
    expanded: normalizeList((query.get(NAMES.expanded) ?? '').split(',')),
    collapsed: normalizeList((query.get(NAMES.collapsed) ?? '').split(',')),
    node: normalizeId(query.get(NAMES.node) ?? ''),
  };
}

/**
 * `href` (absolute or relative) with the view's parameters replaced by
 * `params`. Values are normalized as `readViewParams` would read them, so
 * reading the result back gives the same view; a group id containing a comma
 * cannot be listed and is left out.
 */
export function writeViewParams(href: string, params: ViewParams): string {
  const hashAt = href.indexOf('#');
  const hash = hashAt < 0 ? '' : href.slice(hashAt);
  const beforeHash = hashAt < 0 ? href : href.slice(0, hashAt);
  const queryAt = beforeHash.indexOf('?');
  const base = queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt < 0 ? '' : beforeHash.slice(queryAt + 1);

  // Other parameters are kept byte for byte, not re-encoded.
  const pairs = query.split('&').filter((pair) => pair !== '' && !OWN_NAMES.has(paramName(pair)));
  for (const [name, value] of ownEntries(params)) pairs.push(`${name}=${encodeValue(value)}`);
  return base + (pairs.length > 0 ? `?${pairs.join('&')}` : '') + hash;
}

/** The view's parameters that differ from the default, in a fixed order. */
function ownEntries(params: ViewParams): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  const find = normalizeFind(params.find);
  if (find !== DEFAULT_VIEW_PARAMS.find) entries.push([NAMES.find, find]);
  const mode = oneOf(FIND_MODES, params.mode, DEFAULT_VIEW_PARAMS.mode);
  if (mode !== DEFAULT_VIEW_PARAMS.mode) entries.push([NAMES.mode, mode]);
  const layout = oneOf(LAYOUT_ALGORITHMS, params.layout, DEFAULT_VIEW_PARAMS.layout);
  if (layout !== DEFAULT_VIEW_PARAMS.layout) entries.push([NAMES.layout, layout]);
  const expanded = normalizeList(params.expanded.filter((id) => !id.includes(',')));
  if (expanded.length > 0) entries.push([NAMES.expanded, expanded.join(',')]);
  const collapsed = normalizeList(params.collapsed.filter((id) => !id.includes(',')));
  if (collapsed.length > 0) entries.push([NAMES.collapsed, collapsed.join(',')]);
  const node = normalizeId(params.node ?? '');
  if (node !== null) entries.push([NAMES.node, node]);
  return entries;
}

function oneOf<T extends string>(allowed: readonly T[], value: string | null, fallback: T): T {
  return allowed.find((candidate) => candidate === value) ?? fallback;
}

function normalizeFind(find: string): string {
  return find.length > VIEW_PARAM_LIMITS.findLength ? DEFAULT_VIEW_PARAMS.find : find;
}

function normalizeId(id: string): string | null {
  const trimmed = id.trim();
  return trimmed === '' || trimmed.length > VIEW_PARAM_LIMITS.idLength ? null : trimmed;
}

/** Trimmed, non-empty, short enough, first occurrence only, at most `listEntries`. */
function normalizeList(ids: readonly string[]): string[] {
  const kept = new Set<string>();
  for (const id of ids) {
    if (kept.size >= VIEW_PARAM_LIMITS.listEntries) break;
    const normalized = normalizeId(id);
    if (normalized !== null) kept.add(normalized);
  }
  return [...kept];
}

/** The decoded name of one `name=value` pair, as URLSearchParams would read it. */
function paramName(pair: string): string {
  const equals = pair.indexOf('=');
  const raw = (equals < 0 ? pair : pair.slice(0, equals)).replaceAll('+', ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Form encoding (space as `+`), leaving the characters that are safe in a query and easier to read as they are. */
function encodeValue(value: string): string {
  // encodeURIComponent throws on a lone surrogate; the URL carries U+FFFD in its place.
  return encodeURIComponent(value.replace(LONE_SURROGATE, '\uFFFD')).replace(/%20|%2C|%3A|%2F|%40/g, (escape) => UNESCAPE[escape] ?? escape);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const UNESCAPE: Readonly<Record<string, string>> = { '%20': '+', '%2C': ',', '%3A': ':', '%2F': '/', '%40': '@' };
