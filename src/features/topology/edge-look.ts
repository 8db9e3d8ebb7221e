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

const HEALTHS: ReadonlySet<string> = new Set<EdgeHealth>(['idle', 'ok', 'degraded', 'failing']);

export function parseLook(look: string): { health: EdgeHealth; width: number; flowing: boolean } {
  const [health = '', width = '', flowing] = look.split('|');
  const w = Number(width);
  return {
    // It ends up in a class name: only the four known healths.
    health: HEALTHS.has(health) ? (health as EdgeHealth) : 'idle',
    width: Number.isFinite(w) && w > 0 ? w : edgeWidth(undefined),
    flowing: flowing === '1',
  };
}
