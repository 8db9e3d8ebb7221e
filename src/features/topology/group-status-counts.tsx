import { NODE_STATUSES, type NodeStatus } from '../../protocol/mesh.ts';
import { StatusGlyph } from '../../ui/status-glyph.tsx';
import type { StatusCounts } from './live-metrics.ts';

/** A group's members by status, as glyph and count, for each status some member is in (and not `omit`). */
export function GroupStatusCounts({ counts, omit }: { counts: StatusCounts; omit?: NodeStatus }) {
  return NODE_STATUSES.filter((s) => s !== omit && counts[s] > 0).map((s) => (
    <span key={s} className="group-status">
      <StatusGlyph status={s} size={11} />
      {counts[s]}
    </span>
  ));
}
