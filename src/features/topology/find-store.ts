/**
 * The result of the find expression: which drawn nodes match (mesh ids, and
 * the box of any folded group with a matching member). Kept apart from the
 * view's settings so nodes can subscribe to "am I a match" alone.
 */
import { create } from 'zustand';

export interface FindState {
  /** null while there is no expression (everything shows as usual). */
  matches: ReadonlySet<string> | null;
  /** Why the expression does not parse, and where. */
  error: { message: string; at: number } | null;
  setResult: (matches: ReadonlySet<string> | null, error: FindState['error']) => void;
}

export const useFindResult = create<FindState>()((set) => ({
  matches: null,
  error: null,
  setResult: (matches, error) => set({ matches, error }),
}));

export type FindMark = 'none' | 'match' | 'miss';
export const findMarkOf = (id: string) => (state: FindState): FindMark =>
  state.matches === null ? 'none' : state.matches.has(id) ? 'match' : 'miss';
