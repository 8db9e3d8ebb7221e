import './events.css';
import { useCallback, useMemo, useRef, useState } from 'react';
import { SEVERITIES, type Severity } from '../../protocol/mesh.ts';
import { useRealtime, type MeshEvent } from '../../store/realtime.ts';
import { FilterInput } from '../../ui/filter-input.tsx';
import { Panel } from '../../ui/panel.tsx';
import { VirtualList, type VirtualListHandle } from '../../ui/virtual-list.tsx';
import { EventRow } from './event-row.tsx';
import { countNewer, filterEvents, NO_EVENT_FILTER, type EventFilter } from './filter-events.ts';
import { selectEvents } from './selectors.ts';

const EVENT_ROW_HEIGHT = 30;

const itemKey = (event: MeshEvent) => event.id;
const renderItem = (event: MeshEvent) => <EventRow event={event} />;
const SEVERITY_CHOICES: ReadonlyArray<[Severity, string]> = SEVERITIES.map((s) => [s, s === 'debug' ? 'all' : `${s}+`]);

/**
 * The event feed, newest first. While paused, or while the reader has
 * scrolled down into older events, the view holds still and counts what
 * arrives meanwhile ("N new").
 */
export function EventFeed() {
  const live = useRealtime(selectEvents);
  const [filter, setFilter] = useState<EventFilter>(NO_EVENT_FILTER);
  const [paused, setPaused] = useState(false);
  const [scrolledAway, setScrolledAway] = useState(false);
  const [frozen, setFrozen] = useState<MeshEvent[] | null>(null);
  const listRef = useRef<VirtualListHandle>(null);

  const held = paused || scrolledAway;
  // Take or release the held view when `held` flips, during render so the two never disagree.
  if (held && frozen === null) setFrozen(live);
  if (!held && frozen !== null) setFrozen(null);
  const shown = held ? (frozen ?? live) : live;
  const newCount = held ? countNewer(live, shown[0]) : 0;

  const visible = useMemo(() => filterEvents(shown, filter), [shown, filter]);
  const setText = useCallback((text: string) => setFilter((f) => ({ ...f, text })), []);
  const showNewest = useCallback(() => {
    setPaused(false);
    setScrolledAway(false);
    listRef.current?.scrollToStart();
  }, []);

  const actions = (
    <>
      <select
        className="events__severity"
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
      <FilterInput label="Filter events" placeholder="Filter…" onChange={setText} />
      <button type="button" className="button" aria-pressed={paused} onClick={() => setPaused((p) => !p)}>
        {paused ? 'Resume' : 'Pause'}
      </button>
    </>
  );

  return (
    <Panel
      className="events"
      title={
        <>
          Events <span className="panel__count">{visible.length === shown.length ? shown.length : `${visible.length} of ${shown.length}`}</span>
        </>
      }
      actions={actions}
    >
      {newCount > 0 && (
        <button type="button" className="events__new" onClick={showNewest}>
          {newCount} new · show newest
        </button>
      )}
      <VirtualList
        ref={listRef}
        items={visible}
        rowHeight={EVENT_ROW_HEIGHT}
        itemKey={itemKey}
        renderItem={renderItem}
        label="Event feed"
        onAwayFromStartChange={setScrolledAway}
        className="events__list"
      />
      {visible.length === 0 && (
        <p className="panel__empty">{shown.length === 0 ? 'No events yet' : 'No events match the filter'}</p>
      )}
    </Panel>
  );
}
