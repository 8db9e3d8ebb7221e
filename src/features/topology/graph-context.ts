/**
 * What a node component needs of the whole graph without re-rendering when
 * it changes: a ref-like holder the view refreshes on every render, read
 * only in event handlers.
 */
import { createContext, useContext } from 'react';
import type { NavGraph } from './graph-nav.ts';

export interface GraphHandle {
  current: NavGraph & {
    /** Mesh edges into and out of each drawn node: where a focused node's spoken numbers come from. */
    inbound: ReadonlyMap<string, readonly string[]>;
    outbound: ReadonlyMap<string, readonly string[]>;
  };
  /** Brings a drawn node into view (the keyboard may move to one off screen). */
  reveal: (id: string) => void;
}

const EMPTY_HANDLE: GraphHandle = {
  current: { successors: new Map(), predecessors: new Map(), positions: new Map(), drawn: new Set(), inbound: new Map(), outbound: new Map() },
  reveal: () => {},
};

export const GraphHandleContext = createContext<GraphHandle>(EMPTY_HANDLE);
export const useGraphHandle = (): GraphHandle => useContext(GraphHandleContext);

/**
 * Whether the graph is zoomed in enough to read text. One subscription to
 * React Flow's viewport, in the view, passed down by context: a subscription
 * per node would run thousands of selectors on every frame of a pan.
 */
export const DetailContext = createContext(true);
export const useShowDetail = (): boolean => useContext(DetailContext);
