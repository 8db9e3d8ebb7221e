import './logs.css';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { FRAME_LIMITS, logsChannel, type LogStreamOptions } from '../../protocol/frames.ts';
import { SEVERITIES, type Severity } from '../../protocol/mesh.ts';
import { countNewer } from '../../lib/count-newer.ts';
import { formatClockMs } from '../../lib/format.ts';
import { useRealtimeLink } from '../../realtime/link-context.ts';
import { useRealtime, type RealtimeState, type StoredLogLine } from '../../store/realtime.ts';
import { FilterInput } from '../../ui/filter-input.tsx';
import { NewItemsButton } from '../../ui/new-items-button.tsx';
import { Panel } from '../../ui/panel.tsx';
import { useHeldView } from '../../ui/use-held-view.ts';
import { VirtualList, type VirtualListHandle } from '../../ui/virtual-list.tsx';
import { filterLines, gatewayText } from './filter-lines.ts';

const LOG_ROW_HEIGHT = 19;

const NO_LINES: StoredLogLine[] = [];
/** The store copies a node's buffer only when lines arrive for that node. */
const logsByNode = (nodeId: string) => (state: RealtimeState) => state.logs[nodeId];
const itemKey = (line: StoredLogLine) => line.id;
const renderItem = (line: StoredLogLine) => <LogLine line={line} />;
const countNewLines = (live: StoredLogLine[], shown: StoredLogLine[]) => countNewer(live, shown.at(-1), false);
const LEVEL_CHOICES: ReadonlyArray<[Severity, string]> = SEVERITIES.map((s) => [s, s === 'debug' ? 'all' : `${s}+`]);
/** Until the reader changes something, the gateway's defaults stand and nothing is sent. */
const DEFAULT_OPTIONS: LogStreamOptions = {};

/**
 * A node's live log, newest at the bottom; it follows new lines. Only this
 * node's log streams, from mount to unmount. While the reader has scrolled
 * up or paused, the lines shown hold still (a full buffer drops lines from
 * the top on every batch) and a button counts what arrived. Pause, level and
 * text go to the gateway, so it sends only what is shown; the text also
 * filters here, at once. Mount it with `key={nodeId}` so the filters reset
 * for each node.
 */
export function NodeLogs({ nodeId }: { nodeId: string }) {
  const link = useRealtimeLink();
  const live = useRealtime(useMemo(() => logsByNode(nodeId), [nodeId])) ?? NO_LINES;
  const [options, setOptions] = useState(DEFAULT_OPTIONS);
  const [text, setText] = useState('');
  const paused = options.paused ?? false;
  const minLevel = options.minLevel ?? 'debug';
  const { shown, newCount, setAway, release } = useHeldView(live, countNewLines, paused);
  const visible = useMemo(() => filterLines(shown, text, minLevel), [shown, text, minLevel]);
  const listRef = useRef<VirtualListHandle>(null);

  useEffect(() => {
    const channels = [logsChannel(nodeId)];
    link.subscribe(channels);
    return () => link.unsubscribe(channels);
  }, [link, nodeId]);
  // Declared after the subscription, so a new node is subscribed before its options are sent.
  useEffect(() => {
    if (options !== DEFAULT_OPTIONS) link.setLogOptions(nodeId, options);
  }, [link, nodeId, options]);

  const changeText = useCallback((value: string) => {
    setText(value);
    setOptions((current) => ({ ...current, text: gatewayText(value, FRAME_LIMITS.maxLogFilterText) }));
  }, []);
  const resume = useCallback(() => {
    setOptions((current) => (current.paused ? { ...current, paused: false } : current));
    release();
    listRef.current?.scrollToEnd();
  }, [release]);

  const actions = (
    <>
      <select
        className="field logs__level"
        aria-label="Minimum level"
        value={minLevel}
        onChange={(event) => setOptions((current) => ({ ...current, minLevel: event.target.value as Severity }))}
      >
        {LEVEL_CHOICES.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <FilterInput label="Filter logs" placeholder="Filter…" onChange={changeText} />
      {/* The name stays "Pause": aria-pressed says whether it is on ("Resume, pressed" would contradict itself). */}
      <button
        type="button"
        className="button"
        aria-pressed={paused}
        onClick={() => setOptions((current) => ({ ...current, paused: !current.paused }))}
      >
        Pause
      </button>
    </>
  );

  return (
    <Panel
      className="logs"
      title={
        <>
          Logs <span className="panel__count">{visible.length === shown.length ? shown.length : `${visible.length} of ${shown.length}`}</span>
          {paused && <span className="panel__count"> · paused</span>}
        </>
      }
      actions={actions}
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
      {newCount > 0 && (
        <NewItemsButton count={newCount} action="resume" edge="bottom" note={paused ? 'paused' : undefined} onClick={resume} />
      )}
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
