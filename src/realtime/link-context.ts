/**
 * The live connection's controls (subscribe, log options) for components deep
 * in the tree, without threading them through props. The app provides the
 * link `useWS` returns; without a provider every call is a no-op, so a
 * component renders the same in a test or a story as on a page with no socket.
 */
import { createContext, useContext } from 'react';
import type { RealtimeLink } from './use-ws.ts';

export type { RealtimeLink } from './use-ws.ts';

/** What components get when no connection provides a link: calls that do nothing. */
export const NO_LINK: RealtimeLink = Object.freeze({
  send: () => false,
  subscribe: () => {},
  unsubscribe: () => {},
  setLogOptions: () => {},
});

export const RealtimeLinkContext = createContext<RealtimeLink>(NO_LINK);

/** The app's realtime link (stable for the life of the app), or {@link NO_LINK}. */
export function useRealtimeLink(): RealtimeLink {
  return useContext(RealtimeLinkContext);
}
