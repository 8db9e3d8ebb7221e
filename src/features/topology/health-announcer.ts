/**
 * Turns a stream of node status changes into short, throttled announcements
 * for a polite live region. A mesh in trouble can change dozens of statuses a
 * second; a screen reader user needs one sentence every few seconds that says
 * the worst news first and counts the rest.
 *
 * Pure: no timers, no DOM. The owner calls `note` for each change, `take` when
 * `nextDueIn` says something may be ready, and puts the result in a LiveRegion.
 */
import type { NodeStatus } from '../../protocol/mesh.ts';

export interface StatusChange {
  id: string;
  label: string;
  /** null: the node appeared. */
  from: NodeStatus | null;
  /** null: the node was removed. */
  to: NodeStatus | null;
}

export interface HealthAnnouncerOptions {
  /** Least time between two announcements. */
  minIntervalMs?: number;
  /** How many nodes one announcement names before it counts the rest. */
  maxNamed?: number;
  now?: () => number;
}

/** Worse news is said first. */
const SEVERITY: Record<NodeStatus, number> = { down: 0, degraded: 1, starting: 2, unknown: 2, healthy: 3 };
/** The order counts are listed in: worst first, then the order of NODE_STATUSES. */
const STATUSES_WORST_FIRST: readonly NodeStatus[] = ['down', 'degraded', 'starting', 'unknown', 'healthy'];

interface Pending {
  label: string;
  /** The status before the first change since the last announcement. */
  from: NodeStatus | null;
  to: NodeStatus | null;
  /** Order of first notice, for a stable order among equally bad changes. */
  order: number;
}

export class HealthAnnouncer {
  private readonly minIntervalMs: number;
  private readonly maxNamed: number;
  private readonly now: () => number;
  /** At most one entry per node: repeated changes coalesce, so this is bounded by the mesh's size. */
  private readonly pending = new Map<string, Pending>();
  private lastAnnouncedAt: number | null = null;
  private noticed = 0;

  constructor({ minIntervalMs = 5_000, maxNamed = 3, now = Date.now }: HealthAnnouncerOptions = {}) {
    this.minIntervalMs = minIntervalMs;
    this.maxNamed = maxNamed;
    this.now = now;
  }

  note(change: StatusChange): void {
    const existing = this.pending.get(change.id);
    if (existing) {
      existing.label = change.label;
      existing.to = change.to;
    } else {
      this.pending.set(change.id, { label: change.label, from: change.from, to: change.to, order: this.noticed++ });
    }
  }

  /**
   * Milliseconds until `take` may return an announcement (0: now), or null
   * when there is nothing to say, so no timer is needed until the next `note`.
   */
  nextDueIn(): number | null {
    if (!this.hasNews()) return null;
    if (this.lastAnnouncedAt === null) return 0;
    return Math.max(0, this.lastAnnouncedAt + this.minIntervalMs - this.now());
  }

  /** One announcement covering every change since the last, or null when it is too soon or nothing changed. */
  take(): string | null {
    const now = this.now();
    if (this.lastAnnouncedAt !== null && now - this.lastAnnouncedAt < this.minIntervalMs) return null;
    const changes = [...this.pending.values()].filter((c) => c.from !== c.to);
    this.pending.clear();
    if (changes.length === 0) return null;
    this.lastAnnouncedAt = now;
    return this.compose(changes);
  }

  private hasNews(): boolean {
    for (const change of this.pending.values()) if (change.from !== change.to) return true;
    return false;
  }

  private compose(changes: Pending[]): string {
    const byOrder = (a: Pending, b: Pending) => a.order - b.order;
    const statusChanges = changes
      .filter((c): c is Pending & { from: NodeStatus; to: NodeStatus } => c.from !== null && c.to !== null)
      .sort((a, b) => SEVERITY[a.to] - SEVERITY[b.to] || byOrder(a, b));
    const removed = changes.filter((c) => c.from !== null && c.to === null).sort(byOrder);
    const appeared = changes.filter((c) => c.from === null && c.to !== null).sort(byOrder);

    const sentences: string[] = [];
    const named = statusChanges.slice(0, this.maxNamed);
    for (const c of named) sentences.push(`${c.label} ${describeTransition(c.from, c.to)}.`);
    const rest = statusChanges.slice(named.length);
    if (rest.length > 0) {
      const counts = new Map<NodeStatus, number>();
      for (const c of rest) counts.set(c.to, (counts.get(c.to) ?? 0) + 1);
      const tally = STATUSES_WORST_FIRST.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}`);
      sentences.push(`${nodes(rest.length, named.length > 0 ? 'more ' : '')} changed status: ${tally.join(', ')}.`);
    }

    // Removals, then appearances, use the names left over; past that they are counted.
    let slots = this.maxNamed - named.length;
    const sayEach = (group: Pending[], each: (label: string) => string, all: (count: number) => string) => {
      if (group.length === 0) return;
      if (group.length > slots) {
        sentences.push(all(group.length));
        return;
      }
      for (const c of group) sentences.push(each(c.label));
      slots -= group.length;
    };
    sayEach(removed, (label) => `${label} was removed.`, (n) => `${nodes(n)} ${n === 1 ? 'was' : 'were'} removed.`);
    sayEach(appeared, (label) => `${label} appeared.`, (n) => `${nodes(n)} appeared.`);
    return sentences.join(' ');
  }
}

function nodes(count: number, qualifier = ''): string {
  return `${count} ${qualifier}${count === 1 ? 'node' : 'nodes'}`;
}

function describeTransition(from: NodeStatus, to: NodeStatus): string {
  switch (to) {
    case 'healthy':
      return from === 'down' || from === 'degraded' ? 'recovered to healthy' : 'is healthy';
    case 'unknown':
      return 'has unknown status';
    default:
      return `is ${to}`;
  }
}
