import { describe, expect, it } from 'vitest';
import { gridColumns, gridLayout } from '../../../../src/features/topology/layout/grid.ts';
import {
  DEFAULT_LAYOUT_OPTIONS,
  emptyLayout,
  pinPosition,
  type LayoutState,
} from '../../../../src/features/topology/layout/layered.ts';
import { crawlMesh, edges, expectNoOverlaps, expectUnmoved, ids, pos } from './layout-checks.ts';

const { nodeWidth, nodeHeight, nodeGap } = DEFAULT_LAYOUT_OPTIONS;
const COLUMN = nodeWidth + 2 * nodeGap;
const ROW = nodeHeight + nodeGap;

/** The cell a node sits in. */
function cell(layout: LayoutState, id: string): { row: number; column: number } {
  const p = pos(layout, id);
  return { row: p.y / ROW, column: p.x / COLUMN };
}

/** Node ids in reading order: row by row, left to right. */
function readingOrder(layout: LayoutState): string[] {
  return [...layout.positions.keys()].sort((a, b) => {
    const ca = cell(layout, a);
    const cb = cell(layout, b);
    return ca.row - cb.row || ca.column - cb.column;
  });
}

/** Three groups of different sizes, given out of order. */
const services = {
  nodes: ids('db-2 web-3 cache-1 web-1 db-1 web-2 web-4 db-3 web-5 cache-2 lonely'),
  groupOf: new Map([
    ['web-1', 'web'],
    ['web-2', 'web'],
    ['web-3', 'web'],
    ['web-4', 'web'],
    ['web-5', 'web'],
    ['db-1', 'db'],
    ['db-2', 'db'],
    ['db-3', 'db'],
    ['cache-1', 'cache'],
    ['cache-2', 'cache'],
  ]),
};
const hints = { groupOf: services.groupOf };

describe('grid layout', () => {
  describe('the first layout', () => {
    const first = gridLayout(emptyLayout(), services.nodes, [], undefined, hints);

    it('places every node on a cell, without overlaps', () => {
      expect(first.positions.size).toBe(services.nodes.length);
      for (const id of services.nodes) {
        const { row, column } = cell(first, id);
        expect(Number.isInteger(row) && Number.isInteger(column)).toBe(true);
      }
      expectNoOverlaps(first);
    });

    it('reads by group then id, nodes without a group last', () => {
      expect(readingOrder(first)).toEqual(ids('cache-1 cache-2 db-1 db-2 db-3 web-1 web-2 web-3 web-4 web-5 lonely'));
    });

    it('starts each group on a fresh row, so it reads as a block', () => {
      for (const head of ['cache-1', 'db-1', 'web-1', 'lonely']) expect(cell(first, head).column).toBe(0);
      expect(cell(first, 'db-1').row).toBeGreaterThan(cell(first, 'cache-2').row);
      expect(cell(first, 'web-1').row).toBeGreaterThan(cell(first, 'db-3').row);
    });

    it.each([
      { count: 1, columns: 2 },
      { count: 10, columns: 4 },
      { count: 100, columns: 13 },
      { count: 2_000, columns: 57 },
    ])('is near square and wider than tall: $count nodes in $columns columns', ({ count, columns }) => {
      expect(gridColumns(count)).toBe(columns);
      const layout = gridLayout(emptyLayout(), Array.from({ length: count }, (_, i) => `n${String(i).padStart(4, '0')}`), []);
      const used = new Set([...layout.positions.values()].map((p) => p.x));
      expect(used.size).toBe(Math.min(count, columns));
      const rows = Math.ceil(count / columns);
      expect(Math.max(...[...layout.positions.values()].map((p) => p.y))).toBe((rows - 1) * ROW);
    });

    it('is the same grid whatever order the nodes come in', () => {
      const reversed = gridLayout(emptyLayout(), [...services.nodes].reverse(), [], undefined, hints);
      expect(reversed.positions).toEqual(first.positions);
    });

    it('sorts by id alone without hints', () => {
      const plain = gridLayout(emptyLayout(), services.nodes, []);
      expect(readingOrder(plain)).toEqual([...services.nodes].sort());
    });

    it('ignores edges', () => {
      const wired = gridLayout(emptyLayout(), services.nodes, edges('web-1>db-1 web-2>cache-1'), undefined, hints);
      expect(wired.positions).toEqual(first.positions);
      expect(wired.floating.size).toBe(0);
    });
  });

  describe('a node added later', () => {
    const first = gridLayout(emptyLayout(), services.nodes, [], undefined, hints);

    it('takes the cell after the last of its group, moving nothing', () => {
      const next = gridLayout(first, [...services.nodes, 'db-4'], [], undefined, {
        groupOf: new Map([...services.groupOf, ['db-4', 'db']]),
      });
      expectUnmoved(first, next);
      expectNoOverlaps(next);
      const last = cell(first, 'db-3');
      expect(cell(next, 'db-4')).toEqual({ row: last.row, column: last.column + 1 });
    });

    it('starts a fresh row below everything when its group is new', () => {
      const next = gridLayout(first, [...services.nodes, 'queue-1', 'queue-2'], [], undefined, {
        groupOf: new Map([...services.groupOf, ['queue-1', 'queue'], ['queue-2', 'queue']]),
      });
      expectUnmoved(first, next);
      const bottom = Math.max(...services.nodes.map((id) => cell(first, id).row));
      expect(cell(next, 'queue-1')).toEqual({ row: bottom + 1, column: 0 });
      expect(cell(next, 'queue-2')).toEqual({ row: bottom + 1, column: 1 });
    });

    it('grows downwards when its group fills the grid to the right edge', () => {
      const many = Array.from({ length: 12 }, (_, i) => `n${String(i).padStart(2, '0')}`);
      const full = gridLayout(emptyLayout(), many, []);
      expect(gridColumns(12)).toBe(5);
      // 12 nodes in 5 columns: the third row has 2; two more fill it, the third after them opens a fourth row.
      const next = gridLayout(full, [...many, 'n12', 'n13', 'n14', 'n15'], []);
      expectUnmoved(full, next);
      expect(['n12', 'n13', 'n14', 'n15'].map((id) => cell(next, id))).toEqual([
        { row: 2, column: 2 },
        { row: 2, column: 3 },
        { row: 2, column: 4 },
        { row: 3, column: 0 },
      ]);
    });

    it('returns the same layout when nothing changed, in any order', () => {
      expect(gridLayout(first, services.nodes, [], undefined, hints)).toBe(first);
      expect(gridLayout(first, [...services.nodes].reverse(), edges('web-1>db-1'), undefined, hints)).toBe(first);
    });
  });

  describe('a removed node', () => {
    const first = gridLayout(emptyLayout(), services.nodes, [], undefined, hints);
    const without = gridLayout(first, services.nodes.filter((id) => id !== 'web-2'), [], undefined, hints);

    it('leaves a hole, moving nothing else', () => {
      expectUnmoved(first, without);
      expect(without.positions.has('web-2')).toBe(false);
      expect(without.vacated.get('web-2')).toEqual(pos(first, 'web-2'));
      expectNoOverlaps(without);
    });

    it('goes back to its cell when it comes back', () => {
      const back = gridLayout(without, services.nodes, [], undefined, hints);
      expect(back.positions).toEqual(first.positions);
    });

    it('leaves its hole to a newcomer of its group', () => {
      const next = gridLayout(without, [...without.positions.keys(), 'web-9'], [], undefined, {
        groupOf: new Map([...services.groupOf, ['web-9', 'web']]),
      });
      expectUnmoved(without, next);
      expect(pos(next, 'web-9')).toEqual(pos(first, 'web-2'));
    });

    it('leaves its hole to a newcomer when there are no groups', () => {
      const plain = gridLayout(emptyLayout(), services.nodes, []);
      const holed = gridLayout(plain, services.nodes.filter((id) => id !== 'db-3'), []);
      const next = gridLayout(holed, [...holed.positions.keys(), 'zz'], []);
      expect(pos(next, 'zz')).toEqual(pos(plain, 'db-3'));
    });

    it('gives its old cell back first, even when a newcomer arrives with it', () => {
      const next = gridLayout(without, [...services.nodes, 'web-0'], [], undefined, {
        groupOf: new Map([...services.groupOf, ['web-0', 'web']]),
      });
      expect(pos(next, 'web-2')).toEqual(pos(first, 'web-2'));
      expectNoOverlaps(next);
    });
  });

  describe('a dragged node', () => {
    const first = gridLayout(emptyLayout(), services.nodes, [], undefined, hints);
    // Dragged just right of db-3, onto the cell a new db node would take (but clear of the one after, and of the rows around).
    const onTheWay = { x: pos(first, 'db-3').x + COLUMN + 10, y: pos(first, 'db-3').y - 10 };
    const dragged = pinPosition(first, 'lonely', onTheWay);

    it('is dragged clear of the others here', () => expectNoOverlaps(dragged));

    it('keeps its position, and new nodes keep clear of it', () => {
      const next = gridLayout(dragged, [...services.nodes, 'db-4'], [], undefined, {
        groupOf: new Map([...services.groupOf, ['db-4', 'db']]),
      });
      expect(pos(next, 'lonely')).toEqual(onTheWay);
      expect(next.pinned.has('lonely')).toBe(true);
      expectUnmoved(dragged, next);
      expectNoOverlaps(next);
      expect(cell(next, 'db-4')).toEqual({ row: cell(first, 'db-3').row, column: cell(first, 'db-3').column + 2 });
    });

    it('is forgotten when the node is removed', () => {
      const next = gridLayout(dragged, services.nodes.filter((id) => id !== 'lonely'), []);
      expect(next.pinned.has('lonely')).toBe(false);
    });
  });

  it.each([['__proto__'], ['constructor'], ['toString']])('takes any string as an id or a group: %s', (odd) => {
    const groupOf = new Map([
      [odd, odd],
      ['a', odd],
      ['b', 'other'],
    ]);
    const first = gridLayout(emptyLayout(), [odd, 'a', 'b'], [], undefined, { groupOf });
    expect(first.positions.size).toBe(3);
    expectNoOverlaps(first);
    const next = gridLayout(first, [odd, 'a', 'b', 'c'], [], undefined, { groupOf: new Map([...groupOf, ['c', odd]]) });
    expectUnmoved(first, next);
    expect(cell(next, 'c').row).toBe(cell(next, odd).row);
    const without = gridLayout(next, ['a', 'b', 'c'], []);
    expect(without.vacated.has(odd)).toBe(true);
  });

  describe('a mesh the size of the simulator', () => {
    const mesh = crawlMesh();
    const started = performance.now();
    const first = gridLayout(emptyLayout(), mesh.nodes, mesh.edges, undefined, { groupOf: mesh.groupOf });
    console.info(`grid layout of ${mesh.nodes.length} nodes: ${Math.round(performance.now() - started)} ms`);

    it('lays out 2,000 nodes without overlaps, each group one block', () => {
      expect(first.positions.size).toBe(2_000);
      expectNoOverlaps(first);
      const order = readingOrder(first).map((id) => mesh.groupOf.get(id));
      const blocks = order.filter((group, i) => group !== order[i - 1]);
      expect(blocks).toEqual(['control-plane', 'edge-services', 'fetchers', 'parsers', 'pipeline', 'storage']);
    });

    it('adds fetchers next to the fetchers and reuses the holes they leave, moving nothing', () => {
      const gone = mesh.nodes.filter((id) => id.startsWith('fetcher-')).slice(100, 110);
      const shrunk = gridLayout(first, mesh.nodes.filter((id) => !gone.includes(id)), [], undefined, { groupOf: mesh.groupOf });
      expectUnmoved(first, shrunk);

      const fresh = ['fetcher-9001', 'fetcher-9002'];
      const groupOf = new Map([...mesh.groupOf, ...fresh.map((id) => [id, 'fetchers'] as [string, string])]);
      const grown = gridLayout(shrunk, [...shrunk.positions.keys(), ...fresh], [], undefined, { groupOf });
      expectUnmoved(shrunk, grown);
      expectNoOverlaps(grown);
      const holes = new Set(gone.map((id) => JSON.stringify(pos(first, id))));
      for (const id of fresh) expect(holes.has(JSON.stringify(pos(grown, id)))).toBe(true);
    });
  });
});
