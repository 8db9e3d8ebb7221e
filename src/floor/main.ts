/**
 * The floor page (`/floor.html?project=<p>&node=<id>`): the app's realtime
 * client feeding the app's store, and nothing drawn but one line of text.
 * `npm run bench:dashboard` times it next to the dashboard, so what the
 * dashboard costs on top of receiving, decoding and applying the stream is
 * the difference between the two.
 *
 * It streams what the dashboard page streams: the base channels, plus the
 * log channel of `?node=` (the dashboard's log view streams that node's
 * lines). No React renders here, no history is recorded, nothing subscribes
 * to the store: `window.__meshwatch.store` is the same store the app
 * exposes, so the bench reads both pages the same way. (The app's debug
 * handle is not imported: it brings the shown-state link, which records.)
 */
import { BASE_CHANNELS, logsChannel, type Channel } from '../protocol/frames.ts';
import { Id } from '../protocol/mesh.ts';
import { projectFromLocation, resolveWsUrl } from '../realtime/config.ts';
import { RealtimeConnection } from '../realtime/connection.ts';
import { useRealtime } from '../store/realtime.ts';

/** The count on the page changes at most this often: one small paint a second, not one a frame. */
const COUNT_EVERY_MS = 1_000;

const project = projectFromLocation(window.location);
const url = resolveWsUrl(window.location, project, import.meta.env.VITE_MESHWATCH_WS_URL);
const node = new URLSearchParams(window.location.search).get('node')?.trim() ?? '';
const channels: Channel[] = [...BASE_CHANNELS];
if (Id.safeParse(node).success) channels.push(logsChannel(node));

window.__meshwatch = { store: useRealtime };
new RealtimeConnection({ url, channels, sink: useRealtime.getState() }).start();

const count = document.createTextNode('');
document.getElementById('count')?.replaceChildren(count);
const showCount = () => {
  const { status, stream } = useRealtime.getState();
  count.data = `${project}: ${status}, ${stream.received.toLocaleString('en-US')} messages applied`;
};
showCount();
setInterval(showCount, COUNT_EVERY_MS);
