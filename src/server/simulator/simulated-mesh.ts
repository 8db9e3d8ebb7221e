/**
 * The simulated mesh as it stands: nodes with their statuses, edges with
 * their drift and degradation, and the pools that change as fetchers crash
 * or the autoscaler acts. It knows what normal traffic on each edge looks
 * like; the simulator decides when to report it.
 */
import type { EdgeStats, MeshEdge, MeshNode, NodeStatus } from '../../protocol/mesh.ts';
import type { Payload } from '../../protocol/messages.ts';
import {
  baselineStats,
  buildCrawlMesh,
  fetcherEdges,
  fetcherId,
  fetcherNode,
  PAGES_PER_FETCHER,
  type EdgeRoleName,
  type PlannedEdge,
} from './crawl-mesh.ts';
import type { Random } from '../../lib/prng.ts';

/** Where fetchers run; only for their `meta`. */
const REGIONS = ['eu-west-1', 'us-east-1', 'us-west-2', 'ap-southeast-2'] as const;

/** An edge with what the simulator needs to give it believable numbers. */
export interface SimEdge {
  edge: MeshEdge;
  role: EdgeRoleName;
  /** Slow random walk in (-1, 1), so an edge's numbers drift instead of jumping. */
  wobble: number;
  degraded: { errorX: number; p95X: number } | null;
}

/** Nodes, edges and pools of the simulated mesh, and the numbers on each edge. */
export class SimulatedMesh {
  readonly nodes = new Map<string, MeshNode>();
  readonly edges = new Map<string, SimEdge>();
  readonly fetchers: string[] = [];
  /** Fetchers the autoscaler added; only these are ever scaled away. */
  readonly extraFetchers: string[] = [];
  readonly parsers: string[] = [];
  readonly coreIds: string[] = [];
  readonly baseFetchers: number;
  /** The crawl's ebb and flow, around 1. */
  intensity = 1;
  private list: SimEdge[] = [];
  private readonly idWidth: number;
  private nextFetcherIndex: number;
  /** Healthy fetchers, cached because every edge-stats needs it; reset on any status or pool change. */
  private serving: number | null = null;

  constructor(
    size: number,
    private readonly random: Random,
  ) {
    const mesh = buildCrawlMesh(size, REGIONS);
    for (const node of mesh.nodes) {
      this.nodes.set(node.id, node);
      if (node.kind === 'fetcher') this.fetchers.push(node.id);
      else if (node.kind === 'parser') this.parsers.push(node.id);
      else this.coreIds.push(node.id);
    }
    for (const planned of mesh.edges) this.addEdge(planned);
    this.topologyChanged();
    this.baseFetchers = this.fetchers.length;
    this.idWidth = Math.max(2, String(Math.max(this.fetchers.length, this.parsers.length)).length);
    this.nextFetcherIndex = this.fetchers.length + 1;
  }

  /** Every edge, for uniform picks; rebuilt only when the topology changes. */
  get edgeList(): readonly SimEdge[] {
    return this.list;
  }

  statusOf(id: string): NodeStatus | undefined {
    return this.nodes.get(id)?.status;
  }

  label(id: string): string {
    return this.nodes.get(id)?.label ?? id;
  }

  /** Changes a node's status; returns the payload that says so, or null if nothing changed. */
  setStatus(id: string, status: NodeStatus): Payload | null {
    const node = this.nodes.get(id);
    if (!node || node.status === status) return null;
    // A new object: the previous one was handed to the gateway and must not change under it.
    this.nodes.set(id, { ...node, status });
    this.serving = null;
    return { type: 'node-status', id, status };
  }

  servingFetchers(): number {
    if (this.serving === null) {
      this.serving = 0;
      for (const id of this.fetchers) if (this.statusOf(id) === 'healthy') this.serving++;
    }
    return this.serving;
  }

  pagesPerSec(): number {
    return this.servingFetchers() * PAGES_PER_FETCHER * this.intensity;
  }

  /** What the whole pool would crawl at full health, for sizing a crawl run. */
  nominalPagesPerSec(): number {
    return Math.max(1, this.fetchers.length) * PAGES_PER_FETCHER;
  }

  /** The edge's numbers now: baseline for its role, its drift, and any incident on it or its ends. */
  statsFor(edge: SimEdge): EdgeStats {
    const random = this.random;
    edge.wobble = clamp(edge.wobble * 0.8 + random.wobble() * 0.35, -1, 1);
    const sourceStatus = this.statusOf(edge.edge.source);
    const targetStatus = this.statusOf(edge.edge.target);
    // A down fetcher: the edge into it sees only failing retries, its own edges go quiet.
    if (targetStatus === 'down') return { rps: round(random.between(0.2, 0.6), 1), errorRate: 1, p95Ms: 5_000 };
    if (sourceStatus === 'down') return { rps: 0, errorRate: 0, p95Ms: 0 };
    const base = baselineStats(edge.role, this.pagesPerSec(), {
      fetchers: Math.max(1, this.servingFetchers()),
      parsers: this.parsers.length,
    });
    const warmingUp = sourceStatus === 'starting' || targetStatus === 'starting' ? 0.2 : 1;
    let rps = base.rps * warmingUp * (1 + 0.15 * edge.wobble);
    let errorRate = base.errorRate * (1 + 0.5 * random.wobble());
    let p95Ms = base.p95Ms * (1 + 0.25 * edge.wobble + 0.1 * random.wobble());
    if (edge.degraded) {
      rps *= 0.85;
      errorRate = Math.min(0.6, errorRate * edge.degraded.errorX + 0.02);
      p95Ms *= edge.degraded.p95X;
    }
    return {
      rps: round(Math.max(0, rps), 1),
      errorRate: round(clamp(errorRate, 0, 1), 4),
      p95Ms: Math.round(Math.max(0, p95Ms)),
    };
  }

  edgesOf(nodeId: string): SimEdge[] {
    return this.list.filter((edge) => edge.edge.source === nodeId || edge.edge.target === nodeId);
  }

  /** `Fetcher 03 → DNS resolver (resolve)` */
  describe(edge: SimEdge): string {
    return `${this.label(edge.edge.source)} → ${this.label(edge.edge.target)} (${edge.edge.label})`;
  }

  /** A new fetcher, starting, wired like the others. */
  addFetcher(): { node: MeshNode; edges: SimEdge[] } {
    const id = fetcherId(this.nextFetcherIndex++, this.idWidth);
    const node = fetcherNode(id, 'starting', REGIONS[this.random.int(0, REGIONS.length - 1)]!);
    this.nodes.set(id, node);
    this.fetchers.push(id);
    this.extraFetchers.push(id);
    const edges = fetcherEdges(id).map((planned) => this.addEdge(planned));
    this.topologyChanged();
    return { node, edges };
  }

  /** Forgets a fetcher and every edge that touches it. */
  removeFetcher(id: string): void {
    this.nodes.delete(id);
    removeFrom(this.fetchers, id);
    removeFrom(this.extraFetchers, id);
    for (const [edgeId, edge] of this.edges) {
      if (edge.edge.source === id || edge.edge.target === id) this.edges.delete(edgeId);
    }
    this.topologyChanged();
  }

  private addEdge(planned: PlannedEdge): SimEdge {
    const edge: SimEdge = { edge: planned.edge, role: planned.role, wobble: 0, degraded: null };
    this.edges.set(planned.edge.id, edge);
    return edge;
  }

  private topologyChanged(): void {
    this.list = [...this.edges.values()];
    this.serving = null;
  }
}

/** `value` limited to [min, max]. */
export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Rounded to `digits` decimals, so payloads carry readable numbers. */
export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function removeFrom(list: string[], item: string): void {
  const index = list.indexOf(item);
  if (index !== -1) list.splice(index, 1);
}
