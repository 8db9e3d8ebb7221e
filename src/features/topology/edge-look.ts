/**
 * What a zoomed-out edge shows of its stats: its health, its width to half a
 * pixel, and whether anything flows. Changes far less often than the stats,
 * so thousands of edges subscribed to it stay still under 10k messages/s.
 */
import { edgeHealth, edgeWidth, type EdgeHealth } from '../../lib/edge-health.ts';
import type { EdgeStats } from '../../protocol/mesh.ts';

export function edgeLook(stats: EdgeStats | undefined): string {
  return `${edgeHealth(stats)}|${Math.round(edgeWidth(stats) * 2) / 2}|${(stats?.rps ?? 0) > 0 ? 1 : 0}`;
}

export function parseLook(look: string): { health: EdgeHealth; width: number; flowing: boolean } {
  const [health, width, flowing] = look.split('|');
  return { health: (health || 'idle') as EdgeHealth, width: Number(width) || 1.25, flowing: flowing === '1' };
}
