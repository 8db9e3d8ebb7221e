import './ui.css';
import {
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
  type Key,
  type ReactNode,
  type Ref,
} from 'react';
import { useElementSize } from './use-element-size.ts';

export interface VirtualListHandle {
  scrollToStart(): void;
  /** Back to the last row, following new rows again when `followEnd`. */
  scrollToEnd(): void;
}

interface VirtualListProps<T> {
  items: readonly T[];
  /** Every row is this tall; that is what makes the window cheap to compute. */
  rowHeight: number;
  itemKey: (item: T) => Key;
  renderItem: (item: T) => ReactNode;
  /** The list's accessible name. */
  label: string;
  /** Rows drawn beyond each edge of the viewport, so fast scrolling shows no gaps. */
  overscan?: number;
  /** Stay on the last row as rows arrive, unless the user has scrolled up from it. */
  followEnd?: boolean;
  /**
   * Told when the user scrolls away from the newest rows and when they come
   * back: the last rows with `followEnd`, the first rows without.
   */
  onAwayChange?: (away: boolean) => void;
  className?: string;
  ref?: Ref<VirtualListHandle>;
}

/** Before the viewport is measured, assume one of about this height. */
const FALLBACK_SIZE = { width: 0, height: 480 };

/**
 * A list that renders only the rows in view: the feed holds 2,000 events and
 * a log 1,000 lines, and mounting them all would cost more than any update.
 */
export function VirtualList<T>({
  items,
  rowHeight,
  itemKey,
  renderItem,
  label,
  overscan = 6,
  followEnd = false,
  onAwayChange,
  className,
  ref,
}: VirtualListProps<T>) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const { height } = useElementSize(scrollRef, FALLBACK_SIZE);
  const [scrollTop, setScrollTop] = useState(0);
  const [atEnd, setAtEnd] = useState(true);
  const awayRef = useRef(false);

  useImperativeHandle(ref, () => ({
    scrollToStart() {
      if (scrollRef.current) scrollRef.current.scrollTop = 0;
      setScrollTop(0);
      awayRef.current = false;
    },
    scrollToEnd() {
      if (scrollRef.current) scrollRef.current.scrollTop = scrollRef.current.scrollHeight;
      setAtEnd(true);
      awayRef.current = false;
    },
  }));

  const total = items.length * rowHeight;
  const following = followEnd && atEnd;

  // Scroll only when the content's height changes: a full buffer (a log at
  // its 1,000 lines) keeps its height as lines arrive, and the end stays where
  // it is. Setting scrollTop makes the browser lay the page out at once, and
  // 60 times a second that was the dashboard's largest single cost. The
  // total is set rather than scrollHeight read: the browser clamps it.
  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (following && element) element.scrollTop = total;
  }, [following, total, height]);

  // While following, draw the end before the browser has scrolled there.
  const top = following ? Math.max(0, total - height) : Math.min(scrollTop, Math.max(0, total - height));
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + overscan);

  const rows: ReactNode[] = [];
  for (let index = first; index < last; index++) {
    const item = items[index]!;
    rows.push(
      <div
        key={itemKey(item)}
        role="listitem"
        aria-posinset={index + 1}
        aria-setsize={items.length}
        className="virtual-list__row"
        style={{ top: index * rowHeight, height: rowHeight }}
      >
        {renderItem(item)}
      </div>,
    );
  }

  return (
    <div
      ref={scrollRef}
      className={`virtual-list${className ? ` ${className}` : ''}`}
      tabIndex={0}
      onScroll={(event) => {
        const element = event.currentTarget;
        const atEndNow = element.scrollTop + element.clientHeight >= element.scrollHeight - rowHeight / 2;
        setScrollTop(element.scrollTop);
        setAtEnd(atEndNow);
        const away = followEnd ? !atEndNow : element.scrollTop > rowHeight / 2;
        if (away !== awayRef.current) {
          awayRef.current = away;
          onAwayChange?.(away);
        }
      }}
    >
      <div role="list" aria-label={label} className="virtual-list__content" style={{ height: total }}>
        {rows}
      </div>
    </div>
  );
}
