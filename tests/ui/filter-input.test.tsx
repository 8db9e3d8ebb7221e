// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FILTER_DEBOUNCE_MS, FilterInput } from '../../src/ui/filter-input.tsx';

function type(text: string) {
  fireEvent.change(screen.getByRole('searchbox', { name: 'Filter' }), { target: { value: text } });
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('filter input', () => {
  it('delivers the text once typing pauses, to the latest inline callback, across re-renders', () => {
    const received: Array<[number, string]> = [];
    // A fresh inline callback on every render, as an owner that re-renders each frame passes.
    const renderWith = (generation: number) => (
      <FilterInput label="Filter" onChange={(text) => received.push([generation, text])} />
    );
    const { rerender } = render(renderWith(1));
    type('p');
    rerender(renderWith(2));
    act(() => vi.advanceTimersByTime(FILTER_DEBOUNCE_MS / 2));
    type('pa');
    rerender(renderWith(3));
    act(() => vi.advanceTimersByTime(FILTER_DEBOUNCE_MS / 2));
    // The second keystroke restarted the delay: nothing yet.
    expect(received).toEqual([]);
    rerender(renderWith(4));
    act(() => vi.advanceTimersByTime(FILTER_DEBOUNCE_MS));
    expect(received).toEqual([[4, 'pa']]);
  });

  it('hands over pending text when it unmounts, and sets no timer after', () => {
    const onChange = vi.fn();
    const { unmount } = render(<FilterInput label="Filter" onChange={onChange} />);
    type('503');
    unmount();
    expect(onChange).toHaveBeenCalledExactlyOnceWith('503');
    act(() => vi.advanceTimersByTime(FILTER_DEBOUNCE_MS * 2));
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('clears at once on Escape', () => {
    const onChange = vi.fn();
    render(<FilterInput label="Filter" onChange={onChange} />);
    type('slow');
    fireEvent.keyDown(screen.getByRole('searchbox', { name: 'Filter' }), { key: 'Escape' });
    expect(onChange).toHaveBeenCalledExactlyOnceWith('');
    expect((screen.getByRole('searchbox', { name: 'Filter' }) as HTMLInputElement).value).toBe('');
    act(() => vi.advanceTimersByTime(FILTER_DEBOUNCE_MS));
    expect(onChange).toHaveBeenCalledTimes(1);
  });
});
