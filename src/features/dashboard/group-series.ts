/**
 * Which panel each series goes on. By name: `postgres:stats/tps` is line
 * `tps` of panel `postgres:stats`, `crawl.pages_per_sec` line `pages_per_sec`
 * of panel `crawl`. Series a node owns and names after itself
 * (`fetcher-03.pages_per_sec`) would give one panel per node of a pool, so
 * when two or more nodes of one group share such a metric it gets one panel
 * for the whole pool instead: `fetchers · pages_per_sec`, a line per node.
 *
 * Pure and keyed by series name only; the dashboard runs it when the set of
 * names (or who owns them) changes, never when points arrive. Maps, not
 * objects, hold names, so `__proto__` or `constructor` are names like any other.
 */

export interface PanelLine {
  series: string;
  /** What the legend calls the line: the metric, or the node in a pool's panel. */
  label: string;
}

export interface PanelGroup {
  /** Stable across runs and unique: the layout stores it. */
  id: string;
  title: string;
  /** Sorted by label. */
  lines: readonly PanelLine[];
  /**
   * The nodes whose events are this panel's markers (with events of no node),
   * or null for every event: a panel of series no node owns.
   */
  nodeIds: readonly string[] | null;
}

export interface SeriesOwnership {
  /** Series name → owning node id. */
  ownerOf: ReadonlyMap<string, string>;
  /** Node id → the pool it belongs to (its `group`, else its `kind`). */
  poolOf: ReadonlyMap<string, string>;
}

const NO_OWNERSHIP: SeriesOwnership = { ownerOf: new Map(), poolOf: new Map() };

/**
 * `a/b/c` → panel `a/b`, line `c`; without a slash, the last dot splits; a
 * name with neither, or whose split leaves an empty side (`/x`, `a.`), is a
 * panel of its own with one line named like it.
 */
export function splitSeriesName(name: string): { panel: string; line: string } {
  const slash = name.lastIndexOf('/');
  const at = slash >= 0 ? slash : name.lastIndexOf('.');
  if (at <= 0 || at === name.length - 1) return { panel: name, line: name };
  return { panel: name.slice(0, at), line: name.slice(at + 1) };
}

/** The metric of a series its owner names after itself (`fetcher-03.pages_per_sec` → `pages_per_sec`), else null. */
function ownMetric(name: string, owner: string): string | null {
  if (name.length <= owner.length + 1 || !name.startsWith(owner)) return null;
  const separator = name[owner.length];
  return separator === '.' || separator === '/' ? name.slice(owner.length + 1) : null;
}

export const namePanelId = (panel: string) => `series:${panel}`;
/** JSON keeps `a:b` + `c` apart from `a` + `b:c`. */
export const poolPanelId = (pool: string, metric: string) => `pool:${JSON.stringify([pool, metric])}`;

interface Draft {
  id: string;
  title: string;
  lines: PanelLine[];
  owners: Set<string>;
  unowned: boolean;
}

const byLabel = (a: PanelLine, b: PanelLine) => compareText(a.label, b.label) || compareText(a.series, b.series);
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Panels for `names`, in a stable order: panels by name first, sorted by
 * title, then the pools' panels. Every name lands in exactly one panel.
 */
export function groupSeries(names: Iterable<string>, ownership: SeriesOwnership = NO_OWNERSHIP): PanelGroup[] {
  const unique = [...new Set(names)];
  // First pass: which pool metrics at least two nodes share.
  const poolMembers = new Map<string, Set<string>>();
  const poolKey = new Map<string, { pool: string; metric: string; owner: string }>();
  for (const name of unique) {
    const owner = ownership.ownerOf.get(name);
    if (owner === undefined) continue;
    const pool = ownership.poolOf.get(owner);
    const metric = ownMetric(name, owner);
    if (pool === undefined || metric === null) continue;
    const id = poolPanelId(pool, metric);
    poolKey.set(name, { pool, metric, owner });
    let members = poolMembers.get(id);
    if (!members) poolMembers.set(id, (members = new Set()));
    members.add(owner);
  }

  const drafts = new Map<string, Draft>();
  const draft = (id: string, title: string) => {
    let found = drafts.get(id);
    if (!found) drafts.set(id, (found = { id, title, lines: [], owners: new Set(), unowned: false }));
    return found;
  };
  for (const name of unique) {
    const owner = ownership.ownerOf.get(name);
    const pooled = poolKey.get(name);
    const poolId = pooled && poolPanelId(pooled.pool, pooled.metric);
    let target: Draft;
    let label: string;
    if (pooled && poolId && (poolMembers.get(poolId)?.size ?? 0) >= 2) {
      target = draft(poolId, `${pooled.pool} · ${pooled.metric}`);
      label = pooled.owner;
    } else {
      const { panel, line } = splitSeriesName(name);
      target = draft(namePanelId(panel), panel);
      label = line;
    }
    target.lines.push({ series: name, label });
    if (owner === undefined) target.unowned = true;
    else target.owners.add(owner);
  }

  const panels = [...drafts.values()].map(
    (d): PanelGroup => ({
      id: d.id,
      title: d.title,
      lines: d.lines.sort(byLabel),
      nodeIds: d.unowned ? null : [...d.owners].sort(),
    }),
  );
  return panels.sort(byPanelOrder);
}

const pooledLast = (p: PanelGroup) => (p.id.startsWith('pool:') ? 1 : 0);
const byPanelOrder = (a: PanelGroup, b: PanelGroup) =>
  pooledLast(a) - pooledLast(b) || compareText(a.title, b.title) || compareText(a.id, b.id);

/** Ownership as the store holds it: node id → names it owns, and each node's pool. */
export function ownershipFrom(
  seriesByNode: Readonly<Record<string, readonly string[]>>,
  poolOf: ReadonlyMap<string, string>,
): SeriesOwnership {
  const ownerOf = new Map<string, string>();
  for (const [nodeId, names] of Object.entries(seriesByNode)) for (const name of names) ownerOf.set(name, nodeId);
  return { ownerOf, poolOf };
}
