import './logs.css';
import { memo, useCallback, useMemo, useState } from 'react';
import { formatClockMs } from '../../lib/format.ts';
import { useRealtime, type RealtimeState, type StoredLogLine } from '../../store/realtime.ts';
import { FilterInput } from '../../ui/filter-input.tsx';
import { Panel } from '../../ui/panel.tsx';
import { VirtualList } from '../../ui/virtual-list.tsx';
import { filterLines } from './filter-lines.ts';

const LOG_ROW_HEIGHT = 19;

const NO_LINES: StoredLogLine[] = [];
/** The store copies a node's buffer only when lines arrive for that node. */
const logsByNode = (nodeId: string) => (state: RealtimeState) => state.logs[nodeId];
const itemKey = (line: StoredLogLine) => line.id;
const renderItem = (line: StoredLogLine) => <LogLine line={line} />;

/**
 * A node's live log, newest at the bottom; it follows new lines unless the
 * reader has scrolled up. Mount it with `key={nodeId}` so the filter resets
 * for each node.
 */
export function NodeLogs({ nodeId }: { nodeId: string }) {
  const lines = useRealtime(useMemo(() => logsByNode(nodeId), [nodeId])) ?? NO_LINES;
  const [text, setText] = useState('');
  const onFilter = useCallback((value: string) => setText(value), []);
  const visible = useMemo(() => filterLines(lines, text), [lines, text]);

  return (
    <Panel
      className="logs"
      title={
        <>
          Logs <span className="panel__count">{visible.length === lines.length ? lines.length : `${visible.length} of ${lines.length}`}</span>
        </>
      }
      actions={<FilterInput label="Filter logs" placeholder="Filter…" onChange={onFilter} />}
    >
      <VirtualList
        items={visible}
        rowHeight={LOG_ROW_HEIGHT}
        itemKey={itemKey}
        renderItem={renderItem}
        label={`Log lines of ${nodeId}`}
        followEnd
        className="logs__list"
      />
      {visible.length === 0 && (
        <p className="panel__empty">{lines.length === 0 ? 'No log lines yet' : 'No lines match the filter'}</p>
      )}
    </Panel>
  );
}

const LogLine = memo(function LogLine({ line }: { line: StoredLogLine }) {
  return (
    <div className="log-line" data-level={line.level} title={line.text}>
      <span className="log-line__time">{formatClockMs(line.ts)}</span>
      <span className="log-line__level">{line.level}</span>
      <span className="log-line__text">{line.text}</span>
    </div>
  );
});
