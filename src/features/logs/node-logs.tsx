import './logs.css';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { FRAME_LIMITS, logsChannel, type LogStreamOptions } from '../../protocol/frames.ts';
import { SEVERITIES, type Severity } from '../../protocol/mesh.ts';
import { formatClock, formatClockMs } from '../../lib/format.ts';
import { upToMoment } from '../../lib/up-to-moment.ts';
import { useRealtimeLink } from '../../realtime/link-context.ts';
import { useRealtime, type RealtimeState, type StoredLogLine } from '../../store/realtime.ts';
import { selectMoment, useClock } from '../../store/clock.ts';
import { useShown } from '../../store/shown.ts';
import { STORE_LIMITS } from '../../store/types.ts';
import { useStaleSince } from '../../store/use-stale-since.ts';
import { AtMoment } from '../../ui/at-moment.tsx';
import { FilterInput } from '../../ui/filter-input.tsx';
import { NewItemsButton } from '../../ui/new-items-button.tsx';
import { Panel } from '../../ui/panel.tsx';
import { StaleAge } from '../../ui/stale-age.tsx';
import { useHeldView } from '../../ui/use-held-view.ts';
import { VirtualList, type VirtualListHandle } from '../../ui/virtual-list.tsx';
import { countNewLines, gatewayText, lineMatcher } from './filter-lines.ts';
import { LogExport } from './log-export.tsx';

const LOG_ROW_HEIGHT = 19;

const NO_LINES: StoredLogLine[] = [];
/** The store copies a node's buffer only when lines arrive for that node (and keeps it at most 1,000 lines). */
const logsByNode = (nodeId: string) => (state: RealtimeState) => state.logs[nodeId];
const selectNothing = () => null;
/**
 * The second of the oldest line a full buffer still holds (the store dropped
 * the lines before it), or null while the buffer is not full. A second, not
 * the line's ms: a busy node's buffer drops lines with every batch, and the
 * note names a second.
 */
const heldFromSecond = (nodeId: string) => (state: RealtimeState) => {
  const buffer = state.logs[nodeId];
  return buffer !== undefined && buffer.length >= STORE_LIMITS.maxLogLinesPerNode ? Math.floor(buffer[0]!.ts / 1_000) * 1_000 : null;
};
const itemKey = (line: StoredLogLine) => line.id;
const renderItem = (line: StoredLogLine) => <LogLine line={line} />;
const LEVEL_CHOICES: ReadonlyArray<[Severity, string]> = SEVERITIES.map((s) => [s, s === 'debug' ? 'all' : `${s}+`]);
/** Until the reader changes something, the gateway's defaults stand and nothing is sent. */
const DEFAULT_OPTIONS: LogStreamOptions = {};

/**
 * A node's live log, newest at the bottom; it follows new lines. Only this
 * node's log streams, from mount to unmount. While the reader has scrolled
 * up, turned Follow off or paused, the lines shown hold still (a full buffer
 * drops lines from the top on every batch) and a button counts what arrived.
 * Pause, level and text go to the gateway, so it sends only what is shown;
 * the text also filters here, at once. While the dashboard's clock shows a
 * moment, the log shows the lines up to it; that pause is the dashboard's,
 * not this stream's, so nothing is sent for it (recording goes on). Mount it
 * with `key={nodeId}` so the filters reset for each node.
 */
export function NodeLogs({ nodeId }: { nodeId: string }) {
  const link = useRealtimeLink();
  const stored = useShown(useMemo(() => logsByNode(nodeId), [nodeId])) ?? NO_LINES;
  const moment = useClock(selectMoment);
  const staleSince = useStaleSince();
  const [options, setOptions] = useState(DEFAULT_OPTIONS);
  const [text, setText] = useState('');
  // Follow turned off by the reader: the view holds while the stream goes on.
  const [unfollowed, setUnfollowed] = useState(false);
  const paused = options.paused ?? false;
  const minLevel = options.minLevel ?? 'debug';
  const matches = useMemo(() => lineMatcher(text, minLevel), [text, minLevel]);
  const countNew = useCallback((live: StoredLogLine[], shown: StoredLogLine[]) => countNewLines(live, shown.at(-1), matches), [matches]);
  // A moment in the past stands still on its own and moves only when the
  // reader scrubs, and then the log must move with it: no hold applies. A
  // hold the reader took by scrolling at a moment would hold that moment's
  // lines: it ends as the clock goes Live, and the log returns to the newest.
  const atMoment = moment !== null;
  const listRef = useRef<VirtualListHandle>(null);
  const held = useHeldView(stored, countNew, paused || unfollowed, atMoment, () => listRef.current?.scrollToEnd());
  // The shown state clips logs to the moment already; clipping again is idempotent and costs one scan.
  const rows = useMemo(() => upToMoment(atMoment ? stored : held.shown, moment), [atMoment, stored, held.shown, moment]);
  const visible = useMemo(() => (matches === null ? rows : rows.filter(matches)), [rows, matches]);
  const newCount = atMoment ? 0 : held.newCount;
  const following = !atMoment && !held.held;
  // Nothing at the moment: maybe because the store no longer holds lines that old (at 10,000 msg/s a
  // busy node's 1,000 lines cover seconds). The shown state is clipped to the moment, so ask the
  // store: a full buffer none of whose lines is as old as the moment dropped the ones that were.
  const emptyAtMoment = atMoment && rows.length === 0;
  const heldFrom = useRealtime(useMemo(() => (emptyAtMoment ? heldFromSecond(nodeId) : selectNothing), [emptyAtMoment, nodeId]));

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
  const { release } = held;
  /** Back to the newest line, following: the stream resumes if it was paused. */
  const follow = useCallback(() => {
    setUnfollowed(false);
    setOptions((current) => (current.paused ? { ...current, paused: false } : current));
    release();
    listRef.current?.scrollToEnd();
  }, [release]);

  const actions = (
    <>
      <select
        className="field logs__select"
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
      {/* The names stay: aria-pressed says whether each is on ("Resume, pressed" would contradict itself). */}
      <button
        type="button"
        className="button"
        aria-pressed={following}
        // At a moment there is nothing to follow; the timeline's Live brings the whole dashboard back.
        disabled={atMoment}
        title={atMoment ? 'Showing a past moment: go live on the timeline to follow' : undefined}
        onClick={following ? () => setUnfollowed(true) : follow}
      >
        Follow
      </button>
      <button
        type="button"
        className="button"
        aria-pressed={paused}
        onClick={() => setOptions((current) => ({ ...current, paused: !current.paused }))}
      >
        Pause
      </button>
      <LogExport nodeId={nodeId} lines={visible} moment={moment} />
    </>
  );

  return (
    <Panel
      className="logs"
      title={
        <>
          Logs{' '}
          <span className="panel__count">{visible.length === rows.length ? rows.length : `${visible.length} of ${rows.length}`}</span>
          {paused && <span className="panel__count"> · paused</span>}
          <AtMoment moment={moment} />
          <StaleAge since={staleSince} moment={moment} />
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
        onAwayChange={held.setAway}
        className="logs__list"
      />
      {newCount > 0 && (
        <NewItemsButton count={newCount} action="resume" edge="bottom" note={paused ? 'paused' : undefined} onClick={follow} />
      )}
      {visible.length === 0 && (
        <p className="panel__empty">{emptyText(rows.length, atMoment, heldFrom)}</p>
      )}
    </Panel>
  );
}

/** What an empty log says: `heldFrom`, the oldest line still held when the moment is older than it. */
function emptyText(rowCount: number, atMoment: boolean, heldFrom: number | null): string {
  if (rowCount > 0) return 'No lines match the filter';
  if (!atMoment) return 'No log lines yet';
  return heldFrom === null ? 'No log lines at this moment' : `lines before ${formatClock(heldFrom)} are no longer held`;
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
