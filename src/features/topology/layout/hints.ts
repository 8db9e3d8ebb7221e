/**
 * What a layout may know about nodes beyond the graph itself. Optional: every
 * layout works without hints, and uses them only to read better.
 */
export interface LayoutHints {
  /** A node's group (its service pool, say): the grid keeps a group together as a block. */
  groupOf?: ReadonlyMap<string, string>;
}
