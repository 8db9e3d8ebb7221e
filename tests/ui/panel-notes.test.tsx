// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AtMoment } from '../../src/ui/at-moment.tsx';
import { StaleAge } from '../../src/ui/stale-age.tsx';
import { useStableList } from '../../src/ui/use-stable-list.ts';

const NOW = new Date(2025, 0, 2, 10, 0, 0).getTime();

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('at moment', () => {
  it('names the moment shown, and nothing while live', () => {
    const { container, rerender } = render(<AtMoment moment={null} />);
    expect(container.textContent).toBe('');
    rerender(<AtMoment moment={new Date(2025, 0, 2, 9, 12, 3).getTime()} />);
    expect(container.textContent).toBe('at 09:12:03');
    expect(container.querySelector('time')?.getAttribute('dateTime')).toBe(new Date(2025, 0, 2, 9, 12, 3).toISOString());
  });
});

describe('stale age', () => {
  it('says nothing while live', () => {
    const { container } = render(<StaleAge since={null} />);
    expect(container.textContent).toBe('');
  });

  it('says how old the data is, and grows older coarsely', () => {
    render(<StaleAge since={NOW - 12_000} />);
    expect(screen.getByText(/link down/).textContent).toBe('link down · data 10 s old');
    act(() => vi.advanceTimersByTime(50_000));
    expect(screen.getByText(/link down/).textContent).toBe('link down · data 1 min old');
    act(() => vi.advanceTimersByTime(2 * 3_600_000));
    expect(screen.getByText(/link down/).textContent).toBe('link down · data 2 h old');
  });
});

describe('stale age at a moment', () => {
  it('says nothing at a moment before the link went down: the data was live then', () => {
    const { container } = render(<StaleAge since={NOW - 60_000} moment={NOW - 90_000} />);
    expect(container.textContent).toBe('');
  });

  it('says how old the data was at a moment after the link went down, and does not age while it stands', () => {
    render(<StaleAge since={NOW - 60_000} moment={NOW - 15_000} />);
    expect(screen.getByText(/link down/).textContent).toBe('link down · data 45 s old');
    act(() => vi.advanceTimersByTime(3 * 60_000));
    expect(screen.getByText(/link down/).textContent).toBe('link down · data 45 s old');
  });

  it('ages again from now once live', () => {
    const { rerender } = render(<StaleAge since={NOW - 60_000} moment={NOW - 90_000} />);
    rerender(<StaleAge since={NOW - 60_000} moment={null} />);
    expect(screen.getByText(/link down/).textContent).toBe('link down · data 1 min old');
  });
});

describe('useStableList', () => {
  function Probe({ list, seen }: { list: readonly string[]; seen: Array<readonly string[]> }) {
    seen.push(useStableList(list));
    return null;
  }

  it('keeps the list it returned while the content is the same', () => {
    const seen: Array<readonly string[]> = [];
    const first = ['a', 'b'];
    const { rerender } = render(<Probe list={first} seen={seen} />);
    rerender(<Probe list={['a', 'b']} seen={seen} />);
    const changed = ['a', 'c'];
    rerender(<Probe list={changed} seen={seen} />);
    rerender(<Probe list={['a']} seen={seen} />);
    expect(seen[0]).toBe(first);
    expect(seen[1]).toBe(first);
    expect(seen[2]).toBe(changed);
    expect(seen[3]).toEqual(['a']);
  });
});
