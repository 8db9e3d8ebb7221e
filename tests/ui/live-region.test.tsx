// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LIVE_REGION_DELAY_MS, LiveRegion } from '../../src/ui/live-region.tsx';

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const region = () => screen.getByRole('status');
const settle = () => act(() => vi.advanceTimersByTime(LIVE_REGION_DELAY_MS));

describe('live region', () => {
  it('is a polite, atomic status region that is hidden only visually', () => {
    render(<LiveRegion message={null} />);
    expect(region().getAttribute('aria-live')).toBe('polite');
    expect(region().getAttribute('aria-atomic')).toBe('true');
    expect(region().className).toBe('visually-hidden');
    expect(region().textContent).toBe('');
  });

  it('is an alert region when assertive', () => {
    render(<LiveRegion message="Connection lost." politeness="assertive" />);
    expect(screen.getByRole('alert').getAttribute('aria-live')).toBe('assertive');
  });

  it('writes a message into the region only after a pause with the region empty', () => {
    const { rerender } = render(<LiveRegion message="a is down." />);
    expect(region().textContent).toBe('');
    settle();
    expect(region().textContent).toBe('a is down.');

    rerender(<LiveRegion message="b is degraded." />);
    expect(region().textContent).toBe('');
    settle();
    expect(region().textContent).toBe('b is degraded.');
  });

  it('empties and rewrites the region to repeat the same message when the revision changes', () => {
    const { rerender } = render(<LiveRegion message="a is down." revision={1} />);
    settle();
    rerender(<LiveRegion message="a is down." revision={1} />);
    expect(region().textContent).toBe('a is down.');

    rerender(<LiveRegion message="a is down." revision={2} />);
    expect(region().textContent).toBe('');
    settle();
    expect(region().textContent).toBe('a is down.');
  });

  it('shows only the latest of messages that arrive faster than the pause', () => {
    const { rerender } = render(<LiveRegion message="first" />);
    act(() => vi.advanceTimersByTime(LIVE_REGION_DELAY_MS / 2));
    rerender(<LiveRegion message="second" />);
    settle();
    expect(region().textContent).toBe('second');
    act(() => vi.advanceTimersByTime(LIVE_REGION_DELAY_MS * 10));
    expect(region().textContent).toBe('second');
  });

  it('empties the region when the message goes away', () => {
    const { rerender } = render(<LiveRegion message="a is down." />);
    settle();
    rerender(<LiveRegion message={null} />);
    expect(region().textContent).toBe('');
    settle();
    expect(region().textContent).toBe('');
  });

  it('leaves no timer behind when unmounted mid-pause', () => {
    const { unmount } = render(<LiveRegion message="a is down." />);
    unmount();
    expect(vi.getTimerCount()).toBe(0);
  });
});
