import { describe, expect, it } from 'vitest';
import { overlapsPane } from '../../../src/features/topology/focus-selected.tsx';

const PANE = { width: 800, height: 600 };
const NODE = { width: 180, height: 60 };

describe('focus on the selected node', () => {
  it.each([
    ['wholly inside the pane', { x: 100, y: 100 }, { x: 0, y: 0, zoom: 1 }, true],
    ['sticking out past the right edge', { x: 700, y: 100 }, { x: 0, y: 0, zoom: 1 }, true],
    ['sticking out past the top-left corner', { x: -100, y: -30 }, { x: 0, y: 0, zoom: 1 }, true],
    ['partly in view once panned and zoomed', { x: 500, y: 400 }, { x: -200, y: -100, zoom: 1.5 }, true],
    ['wholly past the right edge', { x: 800, y: 100 }, { x: 0, y: 0, zoom: 1 }, false],
    ['wholly above the pane', { x: 100, y: -60 }, { x: 0, y: 0, zoom: 1 }, false],
    ['panned out of view', { x: 100, y: 100 }, { x: -400, y: 0, zoom: 1 }, false],
  ])('counts a node %s as in view: %s', (_case, position, viewport, expected) => {
    expect(overlapsPane({ ...position, ...NODE }, viewport, PANE)).toBe(expected);
  });
});
