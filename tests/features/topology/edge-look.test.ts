/**
 * An edge's look (health, width to half a pixel, whether traffic flows): the
 * key bulk edges are grouped by, and what a zoomed-out edge re-renders for.
 */
import { describe, expect, it } from 'vitest';
import { edgeLook, parseLook } from '../../../src/features/topology/edge-look.ts';
import type { EdgeStats } from '../../../src/protocol/mesh.ts';

const stats = (rps: number, errorRate = 0, p95Ms = 20): EdgeStats => ({ rps, errorRate, p95Ms });

describe('edgeLook and parseLook', () => {
  // Widths: 1.25 + 1.2·log10(1 + rps), capped at 6, rounded to the nearest half pixel.
  it.each([
    { name: 'no stats', input: undefined, look: 'idle|1.5|0', parsed: { health: 'idle', width: 1.5, flowing: false } },
    { name: 'no traffic', input: stats(0), look: 'idle|1.5|0', parsed: { health: 'idle', width: 1.5, flowing: false } },
    { name: 'errors with no traffic', input: stats(0, 0.1), look: 'failing|1.5|0', parsed: { health: 'failing', width: 1.5, flowing: false } },
    { name: 'healthy traffic', input: stats(120, 0, 80), look: 'ok|3.5|1', parsed: { health: 'ok', width: 3.5, flowing: true } },
    { name: 'some errors', input: stats(118, 0.02, 95), look: 'degraded|3.5|1', parsed: { health: 'degraded', width: 3.5, flowing: true } },
    { name: 'slow p95', input: stats(10, 0, 900), look: 'degraded|2.5|1', parsed: { health: 'degraded', width: 2.5, flowing: true } },
    { name: 'many errors', input: stats(400, 0.06, 40), look: 'failing|4.5|1', parsed: { health: 'failing', width: 4.5, flowing: true } },
    { name: 'a torrent (width capped)', input: stats(1_000_000), look: 'ok|6|1', parsed: { health: 'ok', width: 6, flowing: true } },
  ])('$name → $look', ({ input, look, parsed }) => {
    expect(edgeLook(input)).toBe(look);
    expect(parseLook(edgeLook(input))).toEqual(parsed);
  });

  it('steps every width to half a pixel, between the idle width and the cap', () => {
    for (let rps = 0; rps <= 100_000; rps = rps * 1.7 + 1) {
      const { width } = parseLook(edgeLook(stats(rps)));
      expect(Number.isInteger(width * 2), `${rps}/s → ${width}`).toBe(true);
      expect(width).toBeGreaterThanOrEqual(1.5);
      expect(width).toBeLessThanOrEqual(6);
    }
  });

  it('is the same string for stats that look the same, so nothing re-draws for them', () => {
    expect(edgeLook(stats(120, 0, 80))).toBe(edgeLook(stats(118, 0.001, 95)));
    expect(edgeLook(stats(120))).not.toBe(edgeLook(stats(120, 0.2)));
    expect(edgeLook(stats(120))).not.toBe(edgeLook(stats(5)));
  });

  it('parses an empty look as an idle, thin, still edge', () => {
    expect(parseLook('')).toEqual({ health: 'idle', width: 1.25, flowing: false });
    expect(parseLook('||')).toEqual({ health: 'idle', width: 1.25, flowing: false });
  });

  it('never parses a health outside the four it knows (it becomes a CSS class)', () => {
    const garbage = ['garbage', 'purple|2|1', 'OK|2|1', 'idle ok|2|0', '1.5|idle|0'];
    expect(garbage.map((look) => [look, parseLook(look).health])).toEqual(garbage.map((look) => [look, 'idle']));
  });

  it('parses a width that is not a positive number as the idle width', () => {
    const garbage = ['ok|wide|1', 'ok||1', 'ok|0|1', 'ok|-3|1', 'ok|NaN|1', 'ok|Infinity|1', 'ok'];
    expect(garbage.map((look) => [look, parseLook(look).width])).toEqual(garbage.map((look) => [look, 1.25]));
  });

  it('flows only for a look that says exactly 1', () => {
    const garbage = ['ok|2|yes', 'ok|2|true', 'ok|2|', 'ok|2|0', 'ok|2|01', 'ok|2'];
    expect(garbage.map((look) => [look, parseLook(look).flowing])).toEqual(garbage.map((look) => [look, false]));
    expect(parseLook('ok|2|1').flowing).toBe(true);
  });
});
