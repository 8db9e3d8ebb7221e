// @vitest-environment jsdom
/** The timeline bar drives the app's one clock, and keeps `?at=` in the address bar in step with it. */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readMomentParam } from '../../../src/features/timeline/moment-param.ts';
import { TimelineBar } from '../../../src/features/timeline/timeline-bar.tsx';
import { formatClock } from '../../../src/lib/format.ts';
import { useClock, type HeldSpan } from '../../../src/store/clock.ts';
import { resetStores } from '../mesh-fixtures.ts';

const NOW = Date.UTC(2026, 11, 7, 9, 30, 0);
const HELD: HeldSpan = { from: NOW - 120_000, to: NOW, stepMs: 1_000 };
const iso = (moment: number) => new Date(moment).toISOString().replace('.000Z', 'Z');

const slider = () => screen.getByRole('slider', { name: 'Moment shown' }) as HTMLInputElement;
const liveButton = () => screen.getByRole('button', { name: 'Live' });
const pauseButton = () => screen.getByRole('button', { name: 'Pause' });
const back = () => screen.getByRole('button', { name: 'Back 10 seconds' });
const forward = () => screen.getByRole('button', { name: 'Forward 10 seconds' });
const moment = () => useClock.getState().moment;
const urlMoment = () => readMomentParam(window.location.search);

/** Lets the address-bar writer's timer run. */
function flushUrl() {
  act(() => vi.advanceTimersByTime(300));
}

function setUrl(search: string, hash = '') {
  window.history.replaceState(null, '', `/${search}${hash}`);
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
  resetStores();
  useClock.setState({ moment: null, held: null });
  setUrl('');
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  useClock.setState({ moment: null, held: null });
  setUrl('');
});

describe('timeline bar', () => {
  it('is live at first: Live pressed, Pause not, the slider off until something is held', () => {
    render(<TimelineBar />);
    expect(liveButton().getAttribute('aria-pressed')).toBe('true');
    expect(pauseButton().getAttribute('aria-pressed')).toBe('false');
    expect(slider().disabled).toBe(true);
    expect(back()).toHaveProperty('disabled', true);
    expect(forward()).toHaveProperty('disabled', true);
    expect(screen.getByRole('group', { name: 'Timeline' }).querySelector('output')!.textContent).toBe('live');
  });

  it('spans the slider over what is held, at the newest moment while live', () => {
    useClock.getState().setHeld(HELD);
    render(<TimelineBar />);
    expect(slider().disabled).toBe(false);
    expect(slider().min).toBe(String(HELD.from));
    expect(slider().max).toBe(String(HELD.to));
    expect(slider().step).toBe('1000');
    expect(Number(slider().value)).toBe(HELD.to);
    expect(screen.getByText('holds 2 min')).toBeTruthy();
    act(() => useClock.getState().setHeld({ from: HELD.from + 5_000, to: HELD.to + 5_000, stepMs: 4_000 }));
    expect(slider().min).toBe(String(HELD.from + 5_000));
    expect(slider().max).toBe(String(HELD.to + 5_000));
    expect(screen.getByText('holds 2 min, in steps of up to 4 s')).toBeTruthy();
  });

  it('pauses on Pause and goes live on Live', () => {
    useClock.getState().setHeld(HELD);
    render(<TimelineBar />);
    fireEvent.click(pauseButton());
    expect(moment()).toBe(NOW);
    expect(pauseButton().getAttribute('aria-pressed')).toBe('true');
    expect(liveButton().getAttribute('aria-pressed')).toBe('false');
    expect(forward()).toHaveProperty('disabled', false);
    expect(screen.getByRole('group', { name: 'Timeline' }).querySelector('output')!.textContent).toBe(`${formatClock(NOW)} · now`);

    fireEvent.click(liveButton());
    expect(moment()).toBeNull();
    expect(liveButton().getAttribute('aria-pressed')).toBe('true');
    expect(pauseButton().getAttribute('aria-pressed')).toBe('false');
  });

  it('scrubs the clock as the slider is dragged, and says how long ago the moment was', () => {
    useClock.getState().setHeld(HELD);
    render(<TimelineBar />);
    fireEvent.change(slider(), { target: { value: String(NOW - 30_000) } });
    expect(moment()).toBe(NOW - 30_000);
    expect(Number(slider().value)).toBe(NOW - 30_000);
    expect(liveButton().getAttribute('aria-pressed')).toBe('false');
    expect(slider().getAttribute('aria-valuetext')).toBe(`${formatClock(NOW - 30_000)} · 30 s ago`);
    const time = screen.getByRole('group', { name: 'Timeline' }).querySelector('output time')!;
    expect(time.getAttribute('datetime')).toBe(new Date(NOW - 30_000).toISOString());

    fireEvent.change(slider(), { target: { value: String(HELD.from) } });
    expect(moment()).toBe(HELD.from);
    expect(slider().getAttribute('aria-valuetext')).toBe(`${formatClock(HELD.from)} · 2 min ago`);
  });

  it('keeps the "ago" current while paused', () => {
    useClock.getState().setHeld(HELD);
    render(<TimelineBar />);
    fireEvent.change(slider(), { target: { value: String(NOW - 30_000) } });
    expect(slider().getAttribute('aria-valuetext')).toMatch(/30 s ago$/);
    act(() => vi.advanceTimersByTime(5_000));
    expect(slider().getAttribute('aria-valuetext')).toMatch(/35 s ago$/);
  });

  it('jumps 10 seconds back and forth, within what is held', () => {
    useClock.getState().setHeld(HELD);
    render(<TimelineBar />);
    // From live, back goes 10 s before the newest moment held.
    fireEvent.click(back());
    expect(moment()).toBe(HELD.to - 10_000);
    fireEvent.click(back());
    expect(moment()).toBe(HELD.to - 20_000);
    fireEvent.click(forward());
    expect(moment()).toBe(HELD.to - 10_000);
    fireEvent.click(forward());
    fireEvent.click(forward());
    expect(moment()).toBe(HELD.to);

    fireEvent.change(slider(), { target: { value: String(HELD.from + 3_000) } });
    fireEvent.click(back());
    expect(moment()).toBe(HELD.from);
  });

  it('writes the moment to the address bar after a scrub, keeping the rest, and removes it on Live', () => {
    setUrl('?view=graph', '#details');
    useClock.getState().setHeld(HELD);
    render(<TimelineBar />);
    fireEvent.change(slider(), { target: { value: String(NOW - 30_000) } });
    flushUrl();
    expect(new URLSearchParams(window.location.search).get('at')).toBe(iso(NOW - 30_000));
    expect(urlMoment()).toBe(NOW - 30_000);
    expect(new URLSearchParams(window.location.search).get('view')).toBe('graph');
    expect(window.location.hash).toBe('#details');

    fireEvent.change(slider(), { target: { value: String(NOW - 60_000) } });
    flushUrl();
    expect(urlMoment()).toBe(NOW - 60_000);

    fireEvent.click(liveButton());
    flushUrl();
    expect(new URLSearchParams(window.location.search).has('at')).toBe(false);
    expect(window.location.search).toBe('?view=graph');
    expect(window.location.hash).toBe('#details');
  });

  it('writes the last of a quick run of scrubs', () => {
    useClock.getState().setHeld(HELD);
    render(<TimelineBar />);
    for (const ago of [50_000, 40_000, 30_000, 20_000]) fireEvent.change(slider(), { target: { value: String(NOW - ago) } });
    flushUrl();
    expect(urlMoment()).toBe(NOW - 20_000);
  });

  it('opens at the moment in the address bar once something is held', () => {
    setUrl(`?at=${iso(NOW - 45_000)}`);
    render(<TimelineBar />);
    expect(moment()).toBeNull();
    act(() => useClock.getState().setHeld(HELD));
    expect(moment()).toBe(NOW - 45_000);
    expect(liveButton().getAttribute('aria-pressed')).toBe('false');
    expect(screen.queryByText(/older than this page's recording/)).toBeNull();
    // Only once: a later change of what is held does not pull the clock back.
    act(() => useClock.getState().scrubTo(NOW - 10_000));
    act(() => useClock.getState().setHeld({ ...HELD, to: NOW + 1_000 }));
    expect(moment()).toBe(NOW - 10_000);
  });

  it('says so when the address bar moment is older than anything recorded, showing the oldest held', () => {
    const older = HELD.from - 3_600_000;
    setUrl(`?at=${iso(older)}`);
    useClock.getState().setHeld(HELD);
    render(<TimelineBar />);
    expect(moment()).toBe(HELD.from);
    const note = screen.getByText(/older than this page's recording/);
    expect(note.getAttribute('role')).toBe('status');
    expect(note.textContent).toBe(`the link's moment ${formatClock(older)} is older than this page's recording`);

    fireEvent.click(liveButton());
    expect(screen.queryByText(/older than this page's recording/)).toBeNull();
  });

  it('ignores an unreadable moment in the address bar', () => {
    setUrl('?at=yesterday');
    useClock.getState().setHeld(HELD);
    render(<TimelineBar />);
    expect(moment()).toBeNull();
    expect(screen.queryByText(/older than this page's recording/)).toBeNull();
  });
});
