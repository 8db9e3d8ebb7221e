// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { createRef } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VirtualList, type VirtualListHandle } from '../../src/ui/virtual-list.tsx';

const items = Array.from({ length: 1_000 }, (_, i) => ({ id: i, text: `row ${i}` }));
const key = (item: { id: number }) => item.id;
const renderRow = (item: { text: string }) => <span>{item.text}</span>;

afterEach(cleanup);

describe('virtual list', () => {
  it('mounts only the rows in view, plus a few either side', () => {
    render(
      <div style={{ height: '300px' }}>
        <VirtualList items={items} rowHeight={20} itemKey={key} renderItem={renderRow} label="Rows" overscan={5} />
      </div>,
    );
    const rows = screen.getAllByRole('listitem');
    // The stubbed layout measures 600 px: 30 rows in view and 5 below.
    expect(rows).toHaveLength(35);
    expect(rows[0]!.textContent).toBe('row 0');
    expect(rows[0]!.getAttribute('aria-setsize')).toBe('1000');
    expect(screen.getByRole('list', { name: 'Rows' }).style.height).toBe('20000px');
  });

  it('moves the window as the list scrolls', () => {
    const { container } = render(
      <VirtualList items={items} rowHeight={20} itemKey={key} renderItem={renderRow} label="Rows" overscan={0} />,
    );
    const scroller = container.querySelector('.virtual-list')!;
    scroller.scrollTop = 4_000;
    fireEvent.scroll(scroller);
    const rows = screen.getAllByRole('listitem');
    expect(rows[0]!.textContent).toBe('row 200');
    expect(rows[0]!.getAttribute('aria-posinset')).toBe('201');
  });

  it('starts at the end when it follows the newest rows', () => {
    render(<VirtualList items={items} rowHeight={20} itemKey={key} renderItem={renderRow} label="Rows" followEnd />);
    expect(screen.getAllByRole('listitem').at(-1)!.textContent).toBe('row 999');
  });

  it('tells when the reader leaves the newest rows and comes back: the last rows when it follows the end', () => {
    const onAwayChange = vi.fn();
    const ref = createRef<VirtualListHandle>();
    const { container } = render(
      <VirtualList
        ref={ref}
        items={items}
        rowHeight={20}
        itemKey={key}
        renderItem={renderRow}
        label="Rows"
        followEnd
        onAwayChange={onAwayChange}
      />,
    );
    const scroller = container.querySelector('.virtual-list')!;
    Object.defineProperty(scroller, 'clientHeight', { configurable: true, value: 600 });
    Object.defineProperty(scroller, 'scrollHeight', { configurable: true, value: 20_000 });

    scroller.scrollTop = 10_000;
    fireEvent.scroll(scroller);
    expect(onAwayChange).toHaveBeenLastCalledWith(true);
    expect(screen.getAllByRole('listitem').at(-1)!.textContent).not.toBe('row 999');

    act(() => ref.current!.scrollToEnd());
    expect(screen.getAllByRole('listitem').at(-1)!.textContent).toBe('row 999');
    scroller.scrollTop = 5_000;
    fireEvent.scroll(scroller);
    expect(onAwayChange).toHaveBeenCalledTimes(2);
    expect(onAwayChange).toHaveBeenLastCalledWith(true);

    scroller.scrollTop = 19_400;
    fireEvent.scroll(scroller);
    expect(onAwayChange).toHaveBeenLastCalledWith(false);
  });
});
