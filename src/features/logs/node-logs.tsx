import './logs.css';
import { memo, useCallback, useMemo, useRef, useState } from 'react';
import { countNewer } from '../../lib/count-newer.ts';
import { formatClockMs } from '../../lib/format.ts';
import { useRealtime, type RealtimeState, type StoredLogLine } from '../../store/realtime.ts';
import { FilterInput } from '../../ui/filter-input.tsx';
import { NewItemsButton } from '../../ui/new-items-button.tsx';
import { Panel } from '../../ui/panel.tsx';
import { useHeldView } from '../../ui/use-held-view.ts';
import { VirtualList, type VirtualListHandle } from '../../ui/virtual-list.tsx';
import { filterLines } from './filter-lines.ts';

const LOG_ROW_HEIGHT = 19;

const NO_LINES: StoredLogLine[] = [];
/** The store copies a node's buffer only when lines arrive for that node. */
const logsByNode = (nodeId: string) => (state: RealtimeState) => state.logs[nodeId];
const itemKey = (line: StoredLogLine) => line.id;
const renderItem = (line: StoredLogLine) => <LogLine line={line} />;
const countNewLines = (live: StoredLogLine[], shown: StoredLogLine[]) => countNewer(live, shown.at(-1), false);

/**
 * A node's live log, newest at the bottom; it follows new lines. While the
 * reader has scrolled up, the lines shown hold still (a full buffer drops
 * lines from the top on every batch) and a button counts what arrived.
 * Mount it with `key={nodeId}` so the filter resets for each node.
 */
export function NodeLogs({ nodeId }: { nodeId: string }) {
  const live = useRealtime(useMemo(() => logsByNode(nodeId), [nodeId])) ?? NO_LINES;
  const { shown, newCount, setAway, release } = useHeldView(live, countNewLines);
  const [text, setText] = useState('');
  const visible = useMemo(() => filterLines(shown, text), [shown, text]);
  const listRef = useRef<VirtualListHandle>(null);
  const resume = useCallback(() => {
    release();
    listRef.current?.scrollToEnd();
  }, [release]);

  return (
    <Panel
      className="logs"
      title={
        <>
          Logs <span className="panel__count">{visible.length === shown.length ? shown.length : `${visible.length} of ${shown.length}`}</span>
        </>
      }
      actions={<FilterInput label="Filter logs" placeholder="Filter…" onChange={setText} />}
    >
      <VirtualList
        ref={listRef}
        items={visible}
        rowHeight={LOG_ROW_HEIGHT}
        itemKey={itemKey}
        renderItem={renderItem}
        label={`Log lines of ${nodeId}`}
        followEnd
        onAwayChange={setAway}
        className="logs__list"
      />
      {newCount > 0 && <NewItemsButton count={newCount} action="resume" edge="bottom" onClick={resume} />}
      {visible.length === 0 && (
        <p className="panel__empty">{shown.length === 0 ? 'No log lines yet' : 'No lines match the filter'}</p>
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
