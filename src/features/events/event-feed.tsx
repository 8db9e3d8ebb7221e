import './events.css';
import { useCallback, useMemo, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import { SEVERITIES, type Severity } from '../../protocol/mesh.ts';
import { upToMoment } from '../../lib/up-to-moment.ts';
import type { MeshEvent } from '../../store/realtime.ts';
import { selectMoment, useClock } from '../../store/clock.ts';
import { useShown } from '../../store/shown.ts';
import { useStaleSince } from '../../store/use-stale-since.ts';
import { AtMoment } from '../../ui/at-moment.tsx';
import { FilterInput } from '../../ui/filter-input.tsx';
import { NewItemsButton } from '../../ui/new-items-button.tsx';
import { Panel } from '../../ui/panel.tsx';
import { StaleAge } from '../../ui/stale-age.tsx';
import { SuggestInput } from '../../ui/suggest-input.tsx';
import { useHeldView } from '../../ui/use-held-view.ts';
import { useStableList } from '../../ui/use-stable-list.ts';
import { VirtualList, type VirtualListHandle } from '../../ui/virtual-list.tsx';
import { EventRow } from './event-row.tsx';
import { applyMatcher, countNewMatching, eventFacets, eventMatcher, NO_EVENT_FILTER, type EventFacets, type EventFilter } from './filter-events.ts';
import { moveRowFocus } from './row-focus.ts';
import { selectEvents, selectNodes, selectNoNodes } from './selectors.ts';

const EVENT_ROW_HEIGHT = 30;

// Module constants, so the list hands every drawn row the same props and the memoised rows skip rendering.
const itemKey = (event: MeshEvent) => event.id;
const renderItem = (event: MeshEvent) => <EventRow event={event} />;
const NO_FACETS: EventFacets = { nodeIds: [], kinds: [] };
const SEVERITY_CHOICES: ReadonlyArray<[Severity, string]> = SEVERITIES.map((s) => [s, s === 'debug' ? 'all' : `${s}+`]);

/**
 * The event feed, newest first, filtered by severity, node, kind and text.
 * While paused, while the reader has scrolled down into older events, or
 * while they move through the rows with the keyboard, the view holds still
 * and counts the new events that pass the filters ("N new"). While the
 * dashboard's clock shows a moment, the feed shows the events up to it, and
 * says so. Clicking an event, or Enter on it, shows its node in the graph.
 */
export function EventFeed() {
  const events = useShown(selectEvents);
  const [filter, setFilter] = useState<EventFilter>(NO_EVENT_FILTER);
  // What the node and kind pickers offer is worked out only while one of them has focus: a scan and a
  // sort of up to 2,000 events on every frame would be spent on lists nobody is looking at.
  const [picking, setPicking] = useState(false);
  // Nodes change on every status update; the feed reads them (for kinds) only when a kind is in play.
  const nodes = useShown(picking || filter.kind !== '' ? selectNodes : selectNoNodes);
  const moment = useClock(selectMoment);
  const staleSince = useStaleSince();
  const [paused, setPaused] = useState(false);
  const [keyboardHold, setKeyboardHold] = useState(false);
  const listRef = useRef<VirtualListHandle>(null);

  const matches = useMemo(() => eventMatcher(filter, nodes), [filter, nodes]);
  const countNew = useCallback((live: MeshEvent[], shown: MeshEvent[]) => countNewMatching(live, shown[0], matches), [matches]);
  // A moment in the past stands still on its own, and moves only when the
  // reader scrubs: then the feed must move with it, so no hold applies. A
  // hold the reader took by scrolling at a moment would hold that moment's
  // events: it ends as the clock goes Live, and the list returns to the newest.
  const atMoment = moment !== null;
  const held = useHeldView(events, countNew, paused || keyboardHold, atMoment, () => listRef.current?.scrollToStart());
  const rows = useMemo(() => upToMoment(atMoment ? events : held.shown, moment), [atMoment, events, held.shown, moment]);
  const visible = useMemo(() => applyMatcher(rows, matches), [rows, matches]);
  const newCount = atMoment ? 0 : held.newCount;

  const facets = useMemo(() => (picking ? eventFacets(rows, nodes) : NO_FACETS), [picking, rows, nodes]);
  const nodeIds = useStableList(facets.nodeIds);
  const kinds = useStableList(filter.kind !== '' && !facets.kinds.includes(filter.kind) ? [...facets.kinds, filter.kind] : facets.kinds);
  const pickers = {
    onFocus: () => setPicking(true),
    onBlur: (event: FocusEvent<HTMLElement>) => {
      if (!(event.relatedTarget instanceof Node && event.currentTarget.contains(event.relatedTarget))) setPicking(false);
    },
  };

  const setText = useCallback((text: string) => setFilter((f) => ({ ...f, text })), []);
  const setNodeId = useCallback((nodeId: string) => setFilter((f) => ({ ...f, nodeId })), []);
  const { release } = held;
  const showNewest = useCallback(() => {
    setPaused(false);
    setKeyboardHold(false);
    release();
    listRef.current?.scrollToStart();
  }, [release]);

  const onKeyDown = useCallback((event: KeyboardEvent<HTMLDivElement>) => {
    const row = moveRowFocus(event.currentTarget, event.target as Element, event.key, EVENT_ROW_HEIGHT, '.event-row');
    if (row === null) return;
    event.preventDefault();
    // Rows must not slide from under a reader moving through them.
    setKeyboardHold(true);
  }, []);
  const onBlur = useCallback((event: FocusEvent<HTMLDivElement>) => {
    const next = event.relatedTarget;
    if (!(next instanceof Element && event.currentTarget.contains(next) && next.closest('.event-row'))) setKeyboardHold(false);
  }, []);

  const actions = (
    <>
      <select
        className="field events__select"
        aria-label="Minimum severity"
        value={filter.minSeverity}
        onChange={(event) => setFilter((f) => ({ ...f, minSeverity: event.target.value as Severity }))}
      >
        {SEVERITY_CHOICES.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <span className="events__pickers" {...pickers}>
        <select
          className="field events__select"
          aria-label="Kind"
          value={filter.kind}
          onChange={(event) => setFilter((f) => ({ ...f, kind: event.target.value }))}
        >
          <option value="">all kinds</option>
          {kinds.map((kind) => (
            <option key={kind} value={kind}>
              {kind}
            </option>
          ))}
        </select>
        <SuggestInput label="Node" placeholder="Node…" suggestions={nodeIds} onChange={setNodeId} className="events__node" />
      </span>
      <FilterInput label="Filter events" placeholder="Filter…" onChange={setText} />
      {/* The name stays "Pause": aria-pressed says whether it is on ("Resume, pressed" would contradict itself). */}
      <button type="button" className="button" aria-pressed={paused} onClick={() => setPaused((p) => !p)}>
        Pause
      </button>
    </>
  );

  return (
    <Panel
      className="events"
      title={
        <>
          Events{' '}
          <span className="panel__count">{visible.length === rows.length ? rows.length : `${visible.length} of ${rows.length}`}</span>
          <AtMoment moment={moment} />
          <StaleAge since={staleSince} moment={moment} />
        </>
      }
      actions={actions}
    >
      {newCount > 0 && (
        <NewItemsButton
          count={newCount}
          action="show newest"
          edge="top"
          note={paused ? 'paused' : undefined}
          onClick={showNewest}
        />
      )}
      <div className="events__body" onKeyDown={onKeyDown} onBlur={onBlur}>
        <VirtualList
          ref={listRef}
          items={visible}
          rowHeight={EVENT_ROW_HEIGHT}
          itemKey={itemKey}
          renderItem={renderItem}
          label="Event feed"
          onAwayChange={held.setAway}
          className="events__list"
        />
      </div>
      {visible.length === 0 && (
        <p className="panel__empty">{rows.length === 0 ? (atMoment ? 'No events at this moment' : 'No events yet') : 'No events match the filter'}</p>
      )}
    </Panel>
  );
}
