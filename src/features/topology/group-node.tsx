import { memo, useCallback, useMemo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { formatPercent, formatRate } from '../../lib/format.ts';
import { useMeshNodes } from '../../store/mesh-nodes.ts';
import { useShown } from '../../store/shown.ts';
import { findMarkOf, useFindResult } from './find-store.ts';
import { GroupStatusCounts } from './group-status-counts.tsx';
import { groupStatusSelector, summedStatsSelector } from './live-metrics.ts';
import { NODE_SIZE } from './node-size.ts';
import { describeGroupForSpeech } from './speech.ts';
import { useShowDetail } from './graph-context.ts';
import { useGlow } from './use-glow.ts';
import { useNodeKeyboard } from './use-node-keyboard.ts';
import { useTopologyView } from './view-store.ts';
import type { GroupFlowNode } from './use-flow-graph.ts';

type GroupNodeProps = NodeProps<GroupFlowNode>;

/**
 * A folded group: "fetchers × 48", coloured by its worst member, with how
 * many members are in each status and the traffic it serves. Enter, the
 * button or a double click unfolds it.
 */
export const GroupNodeView = memo(function GroupNodeView({ id, data }: GroupNodeProps) {
  const { group, members, inbound, outbound } = data;
  const summary = useMeshNodes(useMemo(() => groupStatusSelector(members), [members]));
  const stats = useShown(useMemo(() => summedStatsSelector(inbound.length > 0 ? inbound : outbound), [inbound, outbound]));
  const detailed = useShowDetail();
  const mark = useFindResult(useMemo(() => findMarkOf(id), [id]));
  const setGroupCollapsed = useTopologyView((s) => s.setGroupCollapsed);
  const expand = useCallback(() => setGroupCollapsed(group, false), [setGroupCollapsed, group]);
  // Unfolded from the keyboard, the box goes away under the focus: the group's first member takes it once drawn.
  const expandFromKeyboard = useCallback(() => {
    if (members[0] !== undefined) useTopologyView.getState().setKeyboardTarget(members[0]);
    expand();
  }, [expand, members]);
  const keyboard = useNodeKeyboard(id, expandFromKeyboard);
  const glow = useGlow(summary.worst, data.appearedAt);
  const metrics = stats ? { rps: stats.rps, errorRate: stats.errorRate, p95Ms: stats.p95Ms } : null;

  return (
    <div
      ref={keyboard.ref}
      className="mesh-node mesh-group"
      data-status={summary.worst}
      data-compact={!detailed || undefined}
      data-find={mark === 'none' ? undefined : mark}
      data-glow={glow || undefined}
      style={NODE_SIZE}
      role="button"
      aria-expanded={false}
      aria-label={describeGroupForSpeech(group, summary.present, summary.counts, metrics, true)}
      tabIndex={keyboard.tabIndex}
      onKeyDown={keyboard.onKeyDown}
      onFocus={keyboard.onFocus}
      onDoubleClick={expand}
      title={`${group}: ${summary.present} nodes (double-click to expand)`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="mesh-node__title">
        <span className="mesh-group__name">{group}</span>
        <span className="mesh-group__count">× {summary.present}</span>
        <button type="button" className="group-button mesh-group__toggle nodrag" onClick={expand} tabIndex={-1} aria-hidden="true">
          +
        </button>
      </div>
      {detailed && (
        <div className="mesh-node__status">
          <GroupStatusCounts counts={summary.counts} />
          {stats && (
            <span className="mesh-node__kind">
              {formatRate(stats.rps)}
              {stats.errorRate > 0.001 ? ` · ${formatPercent(stats.errorRate)}` : ''}
            </span>
          )}
        </div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});
