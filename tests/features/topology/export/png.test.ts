// @vitest-environment jsdom
/**
 * html-to-image draws through an SVG <foreignObject> into a canvas, which
 * jsdom cannot do, so `exportViewPng` itself is not run here (the e2e suite
 * in Chromium is the place for it). These tests cover what it hands to
 * html-to-image: the overlay filter, the pixel ratio cap and the options.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_IMAGE_SIDE,
  exportPixelRatio,
  includeInExport,
  pngExportOptions,
} from '../../../../src/features/topology/export/png.ts';

function element(className: string): HTMLElement {
  const el = document.createElement('div');
  el.className = className;
  return el;
}

describe('PNG export', () => {
  it.each([
    ['react-flow__minimap', false],
    ['react-flow__controls', false],
    ['react-flow__panel react-flow__attribution bottom right', false],
    ['react-flow__panel top left', false],
    ['react-flow__node react-flow__node-mesh', true],
    ['react-flow__edges', true],
    ['', true],
  ])('includes an element with class "%s": %s', (className, included) => {
    expect(includeInExport(element(className))).toBe(included);
  });

  it('includes text nodes and SVG elements, which html-to-image also passes to the filter', () => {
    expect(includeInExport(document.createTextNode('Fetcher 03'))).toBe(true);
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('class', 'react-flow__edge-path');
    expect(includeInExport(path)).toBe(true);
  });

  it.each([
    [1_280, 720, 2],
    [4_096, 100, 2],
    [100, 4_096, 2],
    [5_000, 3_000, MAX_IMAGE_SIDE / 5_000],
    [3_000, 6_000, MAX_IMAGE_SIDE / 6_000],
    [20_000, 500, MAX_IMAGE_SIDE / 20_000],
  ])('draws %i×%i at a pixel ratio of %d', (width, height, ratio) => {
    expect(exportPixelRatio(width, height)).toBeCloseTo(ratio, 10);
  });

  it('keeps both sides of the image within the limit', () => {
    for (const [width, height] of [[1_280, 720], [5_000, 3_000], [8_193, 8_193], [30_000, 2]] as const) {
      const ratio = exportPixelRatio(width, height);
      expect(Math.floor(width * ratio)).toBeLessThanOrEqual(MAX_IMAGE_SIDE);
      expect(Math.floor(height * ratio)).toBeLessThanOrEqual(MAX_IMAGE_SIDE);
    }
  });

  it('sizes the viewport to the image and, when given one, applies the transform that fits the graph', () => {
    const options = pngExportOptions({ width: 1_600, height: 900, background: '#0b0d12', transform: { x: 40, y: -12.5, zoom: 0.75 } });
    expect(options).toMatchObject({
      width: 1_600,
      height: 900,
      backgroundColor: '#0b0d12',
      pixelRatio: 2,
      filter: includeInExport,
      style: { width: '1600px', height: '900px', transform: 'translate(40px, -12.5px) scale(0.75)' },
    });
  });

  it('keeps the on-screen transform when given none', () => {
    expect(pngExportOptions({ width: 800, height: 600, background: 'white' }).style).toEqual({ width: '800px', height: '600px' });
  });

  it.each([
    [0, 600],
    [800, -1],
    [Number.NaN, 600],
  ])('refuses an image of %d×%d', (width, height) => {
    expect(() => pngExportOptions({ width, height, background: 'white' })).toThrow(RangeError);
  });
});
