import { describe, expect, it } from 'vitest';
import { groupFrames } from '../../../src/features/topology/group-frames.tsx';
import { buildStructure } from '../../../src/features/topology/graph-structure.ts';
import type { XY } from '../../../src/features/topology/layout/layered.ts';
import type { MeshEdge, MeshNode } from '../../../src/protocol/mesh.ts';

function recordOf<T extends { id: string }>(items: T[]): Record<string, T> {
  const record = Object.create(null) as Record<string, T>;
  for (const item of items) record[item.id] = item;
  return record;
}
const node = (id: string, group?: string): MeshNode => ({ id, label: id, kind: group ? 'worker' : id, group, status: 'healthy' });

const nodes = recordOf([node('a'), node('w1', 'pool'), node('w2', 'pool'), node('w3', 'pool'), node('s1', 'spread'), node('s2', 'spread'), node('b')]);
const edges = recordOf<MeshEdge>([]);
const structure = buildStructure(nodes, edges, { expanded: [], collapsed: [] });

describe('group frames', () => {
  it('frames an unfolded group whose members form a block, with room for its header', () => {
    const positions = new Map<string, XY>([
      ['a', { x: 0, y: 0 }],
      ['w1', { x: 400, y: 0 }],
      ['w2', { x: 400, y: 100 }],
      ['w3', { x: 400, y: 200 }],
      ['s1', { x: 800, y: 0 }],
      ['b', { x: 800, y: 100 }],
      ['s2', { x: 800, y: 200 }],
    ]);
    const frames = groupFrames(structure, positions);
    expect(frames.map((f) => f.name)).toEqual(['pool']);
    const [pool] = frames;
    expect(pool!.x).toBeLessThan(400);
    expect(pool!.y).toBeLessThan(0);
    expect(pool!.x + pool!.width).toBeGreaterThan(400 + 180);
    expect(pool!.y + pool!.height).toBeGreaterThan(200 + 56);
  });

  it('leaves out a group whose box would enclose another node, and a folded group', () => {
    const positions = new Map<string, XY>([
      ['w1', { x: 400, y: 0 }],
      ['w2', { x: 400, y: 200 }],
      ['a', { x: 400, y: 100 }],
    ]);
    expect(groupFrames(structure, positions)).toEqual([]);
    const folded = buildStructure(nodes, edges, { expanded: [], collapsed: ['pool'] });
    expect(groupFrames(folded, new Map([['w1', { x: 0, y: 0 }], ['w2', { x: 0, y: 80 }]]))).toEqual([]);
  });
});
