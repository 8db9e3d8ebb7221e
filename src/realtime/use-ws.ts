/**
 * Seed 004's hook, `useWS(url, enabled)`: keeps one realtime connection open
 * to `url` while mounted and enabled, feeding the app's store. The connection
 * itself (handshake, resume, backoff, batching, decoding) lives in
 * `src/realtime/connection.ts`; this only ties its life to the component's.
 */
import { useEffect, useMemo, useRef } from 'react';
import type { Channel, ClientMessage, LogStreamOptions } from '../protocol/frames.ts';
import { RealtimeConnection, type RealtimeConnectionOptions } from './connection.ts';
import { useRealtime } from '../store/realtime.ts';

export type UseWSOptions = Omit<RealtimeConnectionOptions, 'url' | 'sink'>;

/** What a component can ask of the live connection; each is a no-op while there is none. */
export interface RealtimeLink {
  send: (message: ClientMessage) => boolean;
  subscribe: (channels: readonly Channel[]) => void;
  unsubscribe: (channels: readonly Channel[]) => void;
  setLogOptions: (nodeId: string, options: LogStreamOptions) => void;
}

export function useWS(url: string, enabled = true, options?: UseWSOptions): RealtimeLink {
  const connectionRef = useRef<RealtimeConnection | null>(null);
  // Options are read when a connection starts; changing them alone does not reconnect.
  const optionsRef = useRef(options);
  optionsRef.current = options;

  useEffect(() => {
    if (!enabled) return;
    const connection = new RealtimeConnection({ ...optionsRef.current, url, sink: useRealtime.getState() });
    connectionRef.current = connection;
    connection.start();
    return () => {
      connection.stop();
      if (connectionRef.current === connection) connectionRef.current = null;
    };
  }, [url, enabled]);

  return useMemo(
    () => ({
      send: (message: ClientMessage) => connectionRef.current?.send(message) ?? false,
      subscribe: (channels: readonly Channel[]) => connectionRef.current?.subscribe(channels),
      unsubscribe: (channels: readonly Channel[]) => connectionRef.current?.unsubscribe(channels),
      setLogOptions: (nodeId: string, logOptions: LogStreamOptions) => connectionRef.current?.setLogOptions(nodeId, logOptions),
    }),
    [],
  );
}
