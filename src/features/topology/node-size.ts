import { DEFAULT_LAYOUT_OPTIONS } from './layout/layered.ts';

/** The size the layout reserves for a node; every card (node, group, ghost) is drawn exactly this size. */
export const NODE_SIZE = { width: DEFAULT_LAYOUT_OPTIONS.nodeWidth, height: DEFAULT_LAYOUT_OPTIONS.nodeHeight } as const;
