/** Seed 004's path for the hook; it lives with the rest of the realtime client in `src/realtime/use-ws.ts`. */
export { useWS, type UseWSOptions } from '../realtime/use-ws.ts';
