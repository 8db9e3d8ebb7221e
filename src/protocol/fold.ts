/**
 * Rules both folds of the stream share: the gateway's project state and the
 * browser's store must agree on what a message means, so these live once.
 */
import type { MeshEdge } from './mesh.ts';

/** The lines of a `log-chunk`; blank lines carry nothing and are dropped. */
export function splitLogLines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** An `edge-upsert` without stats keeps the stats the edge already had. */
export function mergeEdgeUpsert(before: MeshEdge | undefined, edge: MeshEdge): MeshEdge {
  return edge.stats || !before?.stats ? edge : { ...edge, stats: before.stats };
}
