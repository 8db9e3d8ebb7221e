import { assertNever } from '../../lib/assert-never.ts';
import type { SnapshotReason } from '../../protocol/frames.ts';
import type { StreamInfo, SyncInfo } from '../../store/realtime.ts';

/** How long the badge shows how the last (re)connection caught up; afterwards only its tooltip says it. */
export const SYNC_NOTE_MS = 10_000;

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** How a (re)connection caught up, in a few words; null for a first connect, which needs no explaining. */
export function describeSync(sync: SyncInfo | null): string | null {
  if (sync === null) return null;
  if (sync.mode === 'replay') {
    const replayed = sync.replayed ?? 0;
    return replayed === 0 ? 'resumed · nothing missed' : `resumed · ${plural(replayed, 'missed message')} replayed`;
  }
  return sync.reason === undefined ? 'fresh snapshot' : snapshotText(sync.reason);
}

function snapshotText(reason: SnapshotReason): string | null {
  switch (reason) {
    case 'new':
      return null;
    case 'epoch-changed':
      return 'fresh snapshot · gateway restarted';
    case 'gap-too-old':
      return 'fresh snapshot · gap too old to replay';
    case 'gap-too-large':
      return 'fresh snapshot · too much missed to replay';
    case 'ahead':
      return 'fresh snapshot · gateway is behind this page';
    case 'client-requested':
      return 'fresh snapshot · gap detected';
    case 'reset':
      return 'project started over';
    default:
      return assertNever(reason);
  }
}

/** Tooltip lines on the stream's health: the last catch-up and what a slow or lossy link cost. */
export function describeStreamHealth(stream: Pick<StreamInfo, 'sync' | 'coalesced' | 'gaps'>): string[] {
  const lines: string[] = [];
  const sync = describeSync(stream.sync);
  if (sync) lines.push(`last catch-up: ${sync}`);
  if (stream.coalesced > 0) lines.push(`${stream.coalesced} stats coalesced on a slow link`);
  if (stream.gaps > 0) lines.push(`${plural(stream.gaps, 'gap')} in the stream, each answered by a fresh snapshot`);
  return lines;
}
