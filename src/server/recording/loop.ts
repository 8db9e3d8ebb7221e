/**
 * What a looping replay needs so that each pass looks like more of the same
 * stream rather than a jump back in time.
 *
 * - Times: of the payloads, only a chart point carries a time of its own
 *   (`value.t`, ms since the epoch as every publisher here writes it); events,
 *   logs and envelopes are stamped by the gateway they are published to,
 *   progress carries none. A pass's points are moved on by the time the
 *   earlier passes took, so charts keep moving forward.
 * - Topology: a pass starts with the recording's first snapshot, which
 *   upserts the nodes and edges of the start. What a pass added and never
 *   deleted (a node the autoscaler added) is deleted before the next pass, so
 *   each pass starts from the same mesh.
 */
import type { Payload } from '../../protocol/messages.ts';

/** `payload` with its own time (a chart point's `value.t`) mapped by `map` (a copy; others are returned as they are). */
export function mapTimes(payload: Payload, map: (t: number) => number): Payload {
  if (payload.type !== 'chart-point') return payload;
  return { ...payload, value: { t: map(payload.value.t), y: payload.value.y } };
}

/** The nodes and edges a replay has published, and those it started with. */
export class LoopTopology {
  private readonly nodes = new Set<string>();
  private readonly edges = new Map<string, { source: string; target: string }>();
  private startNodes: ReadonlySet<string> | null = null;
  private startEdges: ReadonlySet<string> | null = null;

  /** Follows one published payload. */
  observe(payload: Payload): void {
    switch (payload.type) {
      case 'node-upsert':
        this.nodes.add(payload.node.id);
        break;
      case 'node-delete':
        this.nodes.delete(payload.id);
        // As every consumer does: a deleted node takes its edges with it. Deletes are rare; a scan is fine.
        for (const [id, edge] of this.edges) if (edge.source === payload.id || edge.target === payload.id) this.edges.delete(id);
        break;
      case 'edge-upsert':
        this.edges.set(payload.edge.id, { source: payload.edge.source, target: payload.edge.target });
        break;
      case 'edge-delete':
        this.edges.delete(payload.id);
        break;
      default:
        break;
    }
  }

  /** What is published now is the mesh every pass starts from (called once the first snapshot is out). */
  markStart(): void {
    this.startNodes ??= new Set(this.nodes);
    this.startEdges ??= new Set(this.edges.keys());
  }

  /** Deletes for what the start did not have: sent before a new pass. */
  restartPayloads(): Payload[] {
    const startNodes = this.startNodes ?? new Set<string>();
    const startEdges = this.startEdges ?? new Set<string>();
    const out: Payload[] = [];
    for (const id of this.edges.keys()) if (!startEdges.has(id)) out.push({ type: 'edge-delete', id });
    for (const id of this.nodes) if (!startNodes.has(id)) out.push({ type: 'node-delete', id });
    for (const payload of out) this.observe(payload);
    return out;
  }
}
