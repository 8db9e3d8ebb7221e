/**
 * A container's stats (seed 000's `docker:stats`) as chart points, one series
 * per stat, named so that the dashboard groups them into two panels per
 * container and infers each line's unit from its name (src/lib/units.ts):
 *
 *   <nodeId>:docker/cpu_pct                 percent   ┐ panel `<nodeId>:docker`
 *   <nodeId>:docker/memory_pct              percent   │ (percent on the left axis,
 *   <nodeId>:docker/memory_bytes            bytes     ┘  bytes on the right)
 *   <nodeId>:docker/net/rx_bytes_per_s      byte rate ┐ panel `<nodeId>:docker/net`
 *   <nodeId>:docker/net/tx_bytes_per_s      byte rate ┘
 *
 * Every point carries the node id, so deleting the node drops its series.
 * Docker reports network traffic as byte counters since the container
 * started; a chart of a counter only ever climbs, so the publisher sends the
 * rate between two reports instead (none for a container's first report, or
 * after its counters went back, i.e. it restarted).
 */
import type { Payload } from '../protocol/messages.ts';

/** One report of a container's resource use, as `docker stats` gives it. */
export interface DockerStats {
  /** CPU use in percent of one core (over 100 on several cores, as docker shows it). */
  cpu: number;
  /** Memory in use, in bytes. */
  memory: number;
  /** Memory in use, in percent of the container's limit. */
  memoryPercent?: number;
  /** Bytes received and sent since the container started (counters). */
  network?: { rx: number; tx: number };
  /** When the stats were read, in ms since the Unix epoch. Default: now. */
  t?: number;
}

/** The series a container's stat goes to. */
export const dockerSeries = {
  cpu: (nodeId: string) => `${nodeId}:docker/cpu_pct`,
  memoryPercent: (nodeId: string) => `${nodeId}:docker/memory_pct`,
  memory: (nodeId: string) => `${nodeId}:docker/memory_bytes`,
  rx: (nodeId: string) => `${nodeId}:docker/net/rx_bytes_per_s`,
  tx: (nodeId: string) => `${nodeId}:docker/net/tx_bytes_per_s`,
} as const;

/** Containers whose last counters are kept; past it the least recently reported is forgotten (it only loses one rate point). */
export const MAX_TRACKED_CONTAINERS = 10_000;

interface Counters {
  t: number;
  rx: number;
  tx: number;
}

/** One report's chart points, and how to make its counters the ones the next report's rates are taken from. */
export interface DockerReport {
  /** The chart-point payloads (unvalidated: the publisher checks them). */
  points: Payload[];
  /**
   * Keeps this report's network counters; call it once the points are
   * queued. A report that was never published (refused by validation, or by
   * a closed publisher) must not be what the next rate is measured from.
   */
  remember(): void;
}

/** Turns reports into chart points, remembering each container's last network counters. */
export class DockerStatsPoints {
  private readonly last = new Map<string, Counters>();

  /** One report as chart points; nothing is remembered until `remember()` is called. */
  report(nodeId: string, stats: DockerStats, now: number): DockerReport {
    // Checked before any counter is remembered: a bad report must not spoil the next one's rates.
    const numbers = typeof stats === 'object' && stats !== null ? [stats.cpu, stats.memory, stats.memoryPercent, stats.network?.rx, stats.network?.tx, stats.t] : [NaN];
    if (numbers.some((n) => n !== undefined && !Number.isFinite(n))) {
      throw new TypeError(`meshwatch publisher: docker stats of '${String(nodeId).slice(0, 128)}' must be finite numbers`);
    }
    const t = stats.t ?? now;
    const point = (series: string, y: number): Payload => ({ type: 'chart-point', series, value: { t, y }, nodeId });
    const points = [point(dockerSeries.cpu(nodeId), stats.cpu)];
    if (stats.memoryPercent !== undefined) points.push(point(dockerSeries.memoryPercent(nodeId), stats.memoryPercent));
    points.push(point(dockerSeries.memory(nodeId), stats.memory));
    if (!stats.network) return { points, remember: () => {} };
    const counters: Counters = { t, rx: stats.network.rx, tx: stats.network.tx };
    const rates = this.rates(nodeId, counters);
    if (rates) points.push(point(dockerSeries.rx(nodeId), rates.rx), point(dockerSeries.tx(nodeId), rates.tx));
    return { points, remember: () => this.keep(nodeId, counters) };
  }

  /** Makes `counters` the container's last ones. */
  private keep(nodeId: string, counters: Counters): void {
    // Delete first, so that Map order is report order and the first key is the least recently reported.
    this.last.delete(nodeId);
    this.last.set(nodeId, counters);
    if (this.last.size > MAX_TRACKED_CONTAINERS) this.last.delete(this.last.keys().next().value!);
  }

  /** Bytes per second since the container's previous report, or null when there is none to compare with. */
  private rates(nodeId: string, now: Counters): { rx: number; tx: number } | null {
    const before = this.last.get(nodeId);
    if (!before) return null;
    const seconds = (now.t - before.t) / 1_000;
    if (!(seconds > 0) || now.rx < before.rx || now.tx < before.tx) return null;
    return { rx: (now.rx - before.rx) / seconds, tx: (now.tx - before.tx) / seconds };
  }

  /** Forgets a container, e.g. when its node is deleted. */
  forget(nodeId: string): void {
    this.last.delete(nodeId);
  }
}
