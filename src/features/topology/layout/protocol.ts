/**
 * Messages between the topology view and its layout worker. Positions travel
 * as flat arrays (ids, then x/y pairs) so 2,000 nodes cost one small clone.
 */
import type { LayoutEdge, XY } from './layered.ts';

export const LAYOUT_ALGORITHMS = ['layered', 'force', 'grid'] as const;
export type LayoutAlgorithm = (typeof LAYOUT_ALGORITHMS)[number];

export interface LayoutRequest {
  type: 'layout';
  /** Answers carry it back, so a stale answer can be told from the latest. */
  requestId: number;
  /**
   * Which remembered layout to continue: one per algorithm and set of
   * collapsed groups, so switching back finds every node where it was.
   */
  key: string;
  algorithm: LayoutAlgorithm;
  nodeIds: readonly string[];
  edges: readonly LayoutEdge[];
  /** node id → group, for layouts that keep a group together (grid). */
  groups: ReadonlyArray<readonly [string, string]>;
  /** Forget every remembered layout first: the user asked for a fresh one. */
  fresh: boolean;
  /** Positions the user dragged to, kept per project and algorithm; the page's list is the whole truth. */
  pins: ReadonlyArray<readonly [string, XY]>;
}

export type LayoutWorkerRequest = LayoutRequest;

export interface LayoutResponse {
  type: 'layout';
  requestId: number;
  key: string;
  ids: string[];
  /** x0, y0, x1, y1, … in the order of `ids`. */
  xy: Float64Array;
  /** Whether any position differs from the previous answer for this key. */
  changed: boolean;
  /** Time the algorithm took, for the view's "laid out in" note. */
  ms: number;
}

export interface LayoutFailure {
  type: 'error';
  requestId: number;
  message: string;
}

export type LayoutWorkerResponse = LayoutResponse | LayoutFailure;
