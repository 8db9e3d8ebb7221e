import './events.css';
import { useCallback, useMemo, useRef, useState } from 'react';
import { SEVERITIES, type Severity } from '../../protocol/mesh.ts';
import { countNewer } from '../../lib/count-newer.ts';
import { useRealtime, type MeshEvent } from '../../store/realtime.ts';
import { FilterInput } from '../../ui/filter-input.tsx';
import { NewItemsButton } from '../../ui/new-items-button.tsx';
import { Panel } from '../../ui/panel.tsx';
import { useHeldView } from '../../ui/use-held-view.ts';
import { VirtualList, type VirtualListHandle } from '../../ui/virtual-list.tsx';
import { EventRow } from './event-row.tsx';
import { filterEvents, NO_EVENT_FILTER, type EventFilter } from './filter-events.ts';
import { selectEvents } from './selectors.ts';

const EVENT_ROW_HEIGHT = 30;

const itemKey = (event: MeshEvent) => event.id;
const renderItem = (event: MeshEvent) => <EventRow event={event} />;
const countNewEvents = (live: MeshEvent[], shown: MeshEvent[]) => countNewer(live, shown[0], true);
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
  const { shown, newCount, setAway, release } = useHeldView(live, countNewEvents, paused);
  const listRef = useRef<VirtualListHandle>(null);

  const visible = useMemo(() => filterEvents(shown, filter), [shown, filter]);
  const setText = useCallback((text: string) => setFilter((f) => ({ ...f, text })), []);
  const showNewest = useCallback(() => {
    setPaused(false);
    release();
    listRef.current?.scrollToStart();
  }, [release]);

  const actions = (
    <>
      <select
        className="field events__severity"
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
          Events <span className="panel__count">{visible.length === shown.length ? shown.length : `${visible.length} of ${shown.length}`}</span>
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
      <VirtualList
        ref={listRef}
        items={visible}
        rowHeight={EVENT_ROW_HEIGHT}
        itemKey={itemKey}
        renderItem={renderItem}
        label="Event feed"
        onAwayChange={setAway}
        className="events__list"
      />
      {visible.length === 0 && (
        <p className="panel__empty">{shown.length === 0 ? 'No events yet' : 'No events match the filter'}</p>
      )}
    </Panel>
  );
}
