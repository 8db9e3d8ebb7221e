/**
 * How the user arranged a project's dashboard: the order of its panels,
 * which are wide and which hidden, and the time window. Kept in
 * localStorage per project, read back whatever is found there (another
 * version's format, hand edits, garbage) without ever throwing.
 *
 * `order` remembers panels that have no series at the moment too, so a
 * panel whose series pause and come back returns to its place; panels seen
 * for the first time go to the end.
 */
import { DEFAULT_WINDOW_MS, WINDOW_CHOICES_MS, type WindowMs } from './window.ts';

export interface DashboardLayout {
  order: readonly string[];
  wide: readonly string[];
  hidden: readonly string[];
  windowMs: WindowMs;
}

export const LAYOUT_VERSION = 1;
/** Panels remembered per project; past it, those longest gone are forgotten first. */
export const MAX_REMEMBERED = 512;
/** Longer ids are not ours: a panel id is a series name (≤ 128) and a prefix. */
const MAX_ID_LENGTH = 400;

export const EMPTY_LAYOUT: DashboardLayout = { order: [], wide: [], hidden: [], windowMs: DEFAULT_WINDOW_MS };

export const layoutStorageKey = (project: string) => `meshwatch.dashboard.${project}`;

function idList(value: unknown, limit: number): string[] {
  if (!Array.isArray(value)) return [];
  const ids = new Set<string>();
  for (const item of value) {
    if (ids.size >= limit) break;
    if (typeof item === 'string' && item.length > 0 && item.length <= MAX_ID_LENGTH) ids.add(item);
  }
  return [...ids];
}

/** A layout from whatever was stored: unknown or broken parts fall back to the defaults. */
export function parseLayout(raw: string | null): DashboardLayout {
  if (raw === null) return EMPTY_LAYOUT;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return EMPTY_LAYOUT;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return EMPTY_LAYOUT;
  const record = value as Record<string, unknown>;
  if (record.version !== LAYOUT_VERSION) return EMPTY_LAYOUT;
  const order = idList(record.order, MAX_REMEMBERED);
  const known = new Set(order);
  const windowMs = WINDOW_CHOICES_MS.find((choice) => choice === record.windowMs) ?? DEFAULT_WINDOW_MS;
  return {
    order,
    wide: idList(record.wide, MAX_REMEMBERED).filter((id) => known.has(id)),
    hidden: idList(record.hidden, MAX_REMEMBERED).filter((id) => known.has(id)),
    windowMs,
  };
}

export function serializeLayout(layout: DashboardLayout): string {
  return JSON.stringify({ version: LAYOUT_VERSION, ...layout });
}

/** Storage that may be missing or refuse (private windows, quotas, policies): every failure reads as "nothing stored". */
export function readStoredLayout(storage: Storage | undefined, project: string): DashboardLayout {
  try {
    return parseLayout(storage?.getItem(layoutStorageKey(project)) ?? null);
  } catch {
    return EMPTY_LAYOUT;
  }
}

export function writeStoredLayout(storage: Storage | undefined, project: string, layout: DashboardLayout): void {
  try {
    const key = layoutStorageKey(project);
    const text = serializeLayout(layout);
    if (storage && storage.getItem(key) !== text) storage.setItem(key, text);
  } catch {
    // Not saved; the arrangement still holds for this visit.
  }
}

/**
 * The layout with `panelIds` it has not seen appended, in the order given;
 * the same object when there are none, so callers can tell nothing changed.
 */
export function withPanels(layout: DashboardLayout, panelIds: readonly string[]): DashboardLayout {
  const known = new Set(layout.order);
  const fresh = panelIds.filter((id) => !known.has(id));
  if (fresh.length === 0) return layout;
  let order = [...layout.order, ...fresh];
  if (order.length > MAX_REMEMBERED) {
    // Forget panels that are gone, oldest place first; current ones always stay.
    const current = new Set(panelIds);
    let excess = order.length - MAX_REMEMBERED;
    order = order.filter((id) => current.has(id) || excess-- <= 0);
  }
  const kept = new Set(order);
  return {
    ...layout,
    order,
    wide: layout.wide.filter((id) => kept.has(id)),
    hidden: layout.hidden.filter((id) => kept.has(id)),
  };
}

/** The current panels in the user's order, split into shown and hidden; ids the layout lacks go last. */
export function arrangePanels(layout: DashboardLayout, panelIds: readonly string[]): { shown: string[]; hidden: string[] } {
  const current = new Set(panelIds);
  const hidden = new Set(layout.hidden);
  const ordered = withPanels(layout, panelIds).order.filter((id) => current.has(id));
  return { shown: ordered.filter((id) => !hidden.has(id)), hidden: ordered.filter((id) => hidden.has(id)) };
}

/**
 * `id` moved to where `targetId` is: after it when it came from before
 * (a drag downwards), before it otherwise. Unknown ids change nothing.
 */
export function movePanel(layout: DashboardLayout, id: string, targetId: string): DashboardLayout {
  const from = layout.order.indexOf(id);
  const to = layout.order.indexOf(targetId);
  if (from < 0 || to < 0 || from === to) return layout;
  const order = layout.order.filter((other) => other !== id);
  const at = order.indexOf(targetId) + (from < to ? 1 : 0);
  order.splice(at, 0, id);
  return { ...layout, order };
}

/** `id` one place earlier (-1) or later (+1) among the panels `shown`. */
export function stepPanel(layout: DashboardLayout, shown: readonly string[], id: string, step: -1 | 1): DashboardLayout {
  const at = shown.indexOf(id);
  const neighbour = at < 0 ? undefined : shown[at + step];
  return neighbour === undefined ? layout : movePanel(layout, id, neighbour);
}

function toggle(list: readonly string[], id: string, on: boolean): readonly string[] {
  const has = list.includes(id);
  if (has === on) return list;
  return on ? [...list, id] : list.filter((other) => other !== id);
}

export function setWide(layout: DashboardLayout, id: string, wide: boolean): DashboardLayout {
  const next = toggle(layout.wide, id, wide && layout.order.includes(id));
  return next === layout.wide ? layout : { ...layout, wide: next };
}

export function setHidden(layout: DashboardLayout, id: string, hidden: boolean): DashboardLayout {
  const next = toggle(layout.hidden, id, hidden && layout.order.includes(id));
  return next === layout.hidden ? layout : { ...layout, hidden: next };
}

export function setWindow(layout: DashboardLayout, windowMs: WindowMs): DashboardLayout {
  return layout.windowMs === windowMs ? layout : { ...layout, windowMs };
}
