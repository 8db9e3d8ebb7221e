import './connection.css';
import { useRealtime, type RealtimeState } from '../../store/realtime.ts';

/** Replaced only when the gateway reports a change. */
const selectPresence = (state: RealtimeState) => state.presence;

/** "3 watching": who else has this project open, with the signed-in users in the tooltip. */
export function Presence() {
  const presence = useRealtime(selectPresence);
  if (presence === null) return null;
  const { connections, users } = presence;
  const names = users.join(', ');
  return (
    <p className="presence" title={names ? `watching: ${names}` : `${connections} open ${connections === 1 ? 'connection' : 'connections'}`}>
      {connections} watching
      {names && <span className="visually-hidden">: {names}</span>}
    </p>
  );
}
