// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FILTER_DEBOUNCE_MS } from '../../src/ui/filter-input.tsx';
import { SuggestInput } from '../../src/ui/suggest-input.tsx';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function setup(suggestions: readonly string[] = ['fetcher-1', 'parser']) {
  const onChange = vi.fn();
  const view = render(<SuggestInput label="Node" suggestions={suggestions} onChange={onChange} />);
  const box = screen.getByRole('combobox', { name: 'Node' });
  const offered = () => [...document.getElementById(box.getAttribute('list')!)!.querySelectorAll('option')].map((o) => o.value);
  return { onChange, box, offered, view };
}

describe('suggest input', () => {
  it('offers its suggestions to the browser as a list', () => {
    const { offered } = setup();
    expect(offered()).toEqual(['fetcher-1', 'parser']);
  });

  it('reports typing once it pauses', () => {
    vi.useFakeTimers();
    const { onChange, box } = setup();
    fireEvent.change(box, { target: { value: 'f' } });
    fireEvent.change(box, { target: { value: 'fe' } });
    expect(onChange).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(FILTER_DEBOUNCE_MS));
    expect(onChange).toHaveBeenCalledExactlyOnceWith('fe');
  });

  it('reports a suggestion picked, Enter and clearing at once', () => {
    vi.useFakeTimers();
    const { onChange, box } = setup();
    fireEvent.change(box, { target: { value: 'parser' } });
    expect(onChange).toHaveBeenLastCalledWith('parser');
    fireEvent.change(box, { target: { value: 'pars' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onChange).toHaveBeenLastCalledWith('pars');
    fireEvent.keyDown(box, { key: 'Escape' });
    expect(onChange).toHaveBeenLastCalledWith('');
    expect((box as HTMLInputElement).value).toBe('');
    // Nothing left pending to report later.
    const calls = onChange.mock.calls.length;
    act(() => vi.advanceTimersByTime(FILTER_DEBOUNCE_MS));
    expect(onChange).toHaveBeenCalledTimes(calls);
  });

  it('delivers what was typed when it goes away mid-pause', () => {
    vi.useFakeTimers();
    const { onChange, box, view } = setup();
    fireEvent.change(box, { target: { value: 'fetch' } });
    view.unmount();
    expect(onChange).toHaveBeenCalledExactlyOnceWith('fetch');
  });

  it('shows suggestions as values, never as markup', () => {
    const { offered } = setup(['<img src=x onerror=alert(1)>']);
    expect(offered()).toEqual(['<img src=x onerror=alert(1)>']);
    expect(document.querySelector('datalist img')).toBeNull();
  });
});
