/**
 * The topology as a PNG, drawn by html-to-image from React Flow's
 * `.react-flow__viewport` element (the approach of React Flow's "download
 * image" example).
 *
 * html-to-image is pinned to 1.11.11: from 1.11.12 on, the SVG edges of a
 * React Flow graph come out missing (bubkoo/html-to-image#496, #516; React
 * Flow's example pins the same version for the same reason).
 */
import { toBlob } from 'html-to-image';

/** html-to-image's options type (1.11.11 declares it without exporting it). */
type Options = NonNullable<Parameters<typeof toBlob>[1]>;

/** Overlays that sit on the graph but are not part of it. */
export const EXCLUDED_CLASSES = ['react-flow__minimap', 'react-flow__controls', 'react-flow__panel'] as const;
export const PREFERRED_PIXEL_RATIO = 2;
/** Browsers refuse canvases much larger than this (and images this size are already tens of megabytes). */
export const MAX_IMAGE_SIDE = 8_192;

export interface PngExportOptions {
  /** Size of the image in CSS pixels, before the pixel ratio. */
  width: number;
  height: number;
  /** Any CSS colour; the graph's own background is transparent. */
  background: string;
  /**
   * Pan and zoom to draw with, e.g. from React Flow's `getViewportForBounds`
   * to fit every node; without it, the view is drawn as it is on screen.
   */
  transform?: { x: number; y: number; zoom: number };
}

/**
 * Keeps everything except the overlays. html-to-image calls it for text nodes
 * too, which have no class list.
 */
export function includeInExport(node: Node): boolean {
  const classes = (node as Partial<Element>).classList;
  if (!classes) return true;
  return !EXCLUDED_CLASSES.some((name) => classes.contains(name));
}

/** 2, or less where that would make a side longer than MAX_IMAGE_SIDE pixels. */
export function exportPixelRatio(width: number, height: number): number {
  const longest = Math.max(width, height);
  return Math.min(PREFERRED_PIXEL_RATIO, MAX_IMAGE_SIDE / longest);
}

/** The options handed to html-to-image, apart so they can be checked without a browser. */
export function pngExportOptions({ width, height, background, transform }: PngExportOptions): Options {
  if (!(width > 0 && height > 0)) throw new RangeError(`image size must be positive, got ${width}×${height}`);
  const style: Partial<CSSStyleDeclaration> = { width: `${width}px`, height: `${height}px` };
  if (transform) style.transform = `translate(${transform.x}px, ${transform.y}px) scale(${transform.zoom})`;
  return {
    width,
    height,
    backgroundColor: background,
    pixelRatio: exportPixelRatio(width, height),
    filter: includeInExport,
    style,
  };
}

export async function exportViewPng(viewportElement: HTMLElement, options: PngExportOptions): Promise<Blob> {
  const blob = await toBlob(viewportElement, pngExportOptions(options));
  if (!blob) throw new Error('the browser could not encode the topology as PNG');
  return blob;
}
