/**
 * The topology as a file: structure, current status and stats, and where
 * each node sat on screen.
 *
 * Format `meshwatch.topology`, version 1:
 * ```
 * {
 *   "format": "meshwatch.topology",
 *   "version": 1,
 *   "project": "demo",
 *   "exportedAt": "2026-12-07T06:13:00.000Z",   // ISO 8601, UTC
 *   "layout": "layered",                         // the layout the positions come from
 *   "nodes": [{ "id", "label", "kind", "group", "status", "meta", "position" }],
 *   "edges": [{ "id", "source", "target", "label", "stats" }]
 * }
 * ```
 * Every field is always present: an absent `group`, `meta`, `position`,
 * `label` (edges) or `stats` is `null`, so all entries have one shape.
 * Nodes and edges are sorted by id (code-unit order, not locale order), meta
 * keys are sorted and positions rounded to 0.1 px, so two exports of one mesh
 * differ only where the mesh did. Two-space indent, trailing newline.
 * A change that removes or renames a field bumps `version`; adding one does not.
 */
import type { EdgeStats, MeshEdge, MeshNode, NodeStatus } from '../../../protocol/mesh.ts';

export const TOPOLOGY_FORMAT = 'meshwatch.topology';
export const TOPOLOGY_FORMAT_VERSION = 1;

export interface TopologyExportInput {
  project: string;
  nodes: Record<string, MeshNode>;
  edges: Record<string, MeshEdge>;
  positions: ReadonlyMap<string, { x: number; y: number }>;
  /** Wall-clock ms. */
  exportedAt: number;
  layout: string;
}

export interface ExportedNode {
  id: string;
  label: string;
  kind: string;
  group: string | null;
  status: NodeStatus;
  meta: Record<string, string | number> | null;
  position: { x: number; y: number } | null;
}

export interface ExportedEdge {
  id: string;
  source: string;
  target: string;
  label: string | null;
  stats: EdgeStats | null;
}

export interface TopologyExportV1 {
  format: typeof TOPOLOGY_FORMAT;
  version: typeof TOPOLOGY_FORMAT_VERSION;
  project: string;
  exportedAt: string;
  layout: string;
  nodes: ExportedNode[];
  edges: ExportedEdge[];
}

export function topologyToJson(input: TopologyExportInput): string {
  const file: TopologyExportV1 = {
    format: TOPOLOGY_FORMAT,
    version: TOPOLOGY_FORMAT_VERSION,
    project: input.project,
    exportedAt: new Date(input.exportedAt).toISOString(),
    layout: input.layout,
    nodes: Object.values(input.nodes)
      .sort(byId)
      .map((node) => exportNode(node, input.positions.get(node.id))),
    edges: Object.values(input.edges).sort(byId).map(exportEdge),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function exportNode(node: MeshNode, position: { x: number; y: number } | undefined): ExportedNode {
  return {
    id: node.id,
    label: node.label,
    kind: node.kind,
    group: node.group ?? null,
    status: node.status,
    meta: node.meta ? Object.fromEntries(Object.entries(node.meta).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : null,
    position: position ? { x: roundTenth(position.x), y: roundTenth(position.y) } : null,
  };
}

function exportEdge(edge: MeshEdge): ExportedEdge {
  return {
    id: edge.id,
    source: edge.source,
    target: edge.target,
    label: edge.label ?? null,
    // Rebuilt so the keys always come in one order, whatever order the message had them in.
    stats: edge.stats ? { rps: edge.stats.rps, errorRate: edge.stats.errorRate, p95Ms: edge.stats.p95Ms } : null,
  };
}

/** Layouts produce float noise (120.00000000001) that would show up in every diff. */
function roundTenth(value: number): number {
  return Math.round(value * 10) / 10;
}
