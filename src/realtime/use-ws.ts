/**
 * Seed 004's hook, `useWS(url, enabled)`: keeps one realtime connection open
 * to `url` while mounted and enabled, feeding the app's store. The connection
 * itself (handshake, resume, backoff, batching, decoding) lives in
 * `src/realtime/connection.ts`; this only ties its life to the component's.
 */
import { useEffect, useMemo, useRef } from 'react';
import { ALL_CHANNELS, LOGS_CHANNEL_PREFIX, type Channel, type ClientMessage, type LogStreamOptions } from '../protocol/frames.ts';
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
  /**
   * What components asked for (channels, log options), kept across
   * connections: a new one (after a sign-in, or a URL change) starts with it,
   * while the components that asked see no change and do not ask again.
   */
  const channelsRef = useRef<Set<Channel> | null>(null);
  const logOptionsRef = useRef(new Map<string, LogStreamOptions>());

  useEffect(() => {
    if (!enabled) return;
    channelsRef.current ??= new Set(optionsRef.current?.channels ?? ALL_CHANNELS);
    const connection = new RealtimeConnection({ ...optionsRef.current, channels: [...channelsRef.current], url, sink: useRealtime.getState() });
    for (const [nodeId, logOptions] of logOptionsRef.current) connection.setLogOptions(nodeId, logOptions);
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
      subscribe: (channels: readonly Channel[]) => {
        channelsRef.current ??= new Set(optionsRef.current?.channels ?? ALL_CHANNELS);
        for (const channel of channels) channelsRef.current.add(channel);
        connectionRef.current?.subscribe(channels);
      },
      unsubscribe: (channels: readonly Channel[]) => {
        for (const channel of channels) {
          channelsRef.current?.delete(channel);
          if (channel.startsWith(LOGS_CHANNEL_PREFIX)) logOptionsRef.current.delete(channel.slice(LOGS_CHANNEL_PREFIX.length));
        }
        connectionRef.current?.unsubscribe(channels);
      },
      setLogOptions: (nodeId: string, logOptions: LogStreamOptions) => {
        logOptionsRef.current.set(nodeId, logOptions);
        connectionRef.current?.setLogOptions(nodeId, logOptions);
      },
    }),
    [],
  );
}
