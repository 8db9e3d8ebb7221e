// @vitest-environment jsdom
/** The timeline bar drives the app's one clock, and keeps `?at=` in the address bar in step with it. */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readMomentParam } from '../../../src/features/timeline/moment-param.ts';
import { TimelineBar } from '../../../src/features/timeline/timeline-bar.tsx';
import { formatClock } from '../../../src/lib/format.ts';
import { useClock, type HeldSpan } from '../../../src/store/clock.ts';
import { loadCrawlerMesh, resetStores } from '../mesh-fixtures.ts';

const NOW = Date.UTC(2026, 11, 7, 9, 30, 0);
const HELD: HeldSpan = { from: NOW - 120_000, to: NOW, stepMs: 1_000 };
const iso = (moment: number) => new Date(moment).toISOString().replace('.000Z', 'Z');

const slider = () => screen.getByRole('slider', { name: 'Moment shown' }) as HTMLInputElement;
const liveButton = () => screen.getByRole('button', { name: 'Live' });
const pauseButton = () => screen.getByRole('button', { name: 'Pause' });
const back = () => screen.getByRole('button', { name: 'Back 10 seconds' });
const forward = () => screen.getByRole('button', { name: 'Forward 10 seconds' });
const moment = () => useClock.getState().moment;
/** The live region: what a screen reader hears when it changes. */
const announced = () => screen.getByRole('group', { name: 'Timeline' }).querySelector('output')!;
const momentText = () => screen.getByRole('group', { name: 'Timeline' }).querySelector('.timeline__moment')!.textContent;
const note = () => screen.queryByText(/^the link's moment/);
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
  it('is live at first: Pause not pressed, Live a plain button, the slider off until something is held', () => {
    render(<TimelineBar />);
    expect(liveButton().hasAttribute('aria-pressed')).toBe(false);
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
    expect(liveButton().hasAttribute('aria-pressed')).toBe(false);
    expect(forward()).toHaveProperty('disabled', false);
    expect(momentText()).toBe(`${formatClock(NOW)} · now`);

    fireEvent.click(liveButton());
    expect(moment()).toBeNull();
    expect(pauseButton().getAttribute('aria-pressed')).toBe('false');
    expect(liveButton().hasAttribute('aria-pressed')).toBe(false);
  });

  it('makes Pause a toggle: pressed while paused, pressing it again goes live', () => {
    useClock.getState().setHeld(HELD);
    render(<TimelineBar />);
    fireEvent.click(pauseButton());
    expect(moment()).toBe(NOW);
    fireEvent.click(pauseButton());
    expect(moment()).toBeNull();
    expect(pauseButton().getAttribute('aria-pressed')).toBe('false');
    // Scrubbed back counts as paused too.
    fireEvent.change(slider(), { target: { value: String(NOW - 30_000) } });
    expect(pauseButton().getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(pauseButton());
    expect(moment()).toBeNull();
  });

  it('leaves the clock live when Live is pressed while live, and says what Live does in its title', () => {
    useClock.getState().setHeld(HELD);
    render(<TimelineBar />);
    expect(liveButton()).toHaveProperty('disabled', false);
    expect(liveButton().title).toBe('Showing live data');
    fireEvent.click(liveButton());
    expect(moment()).toBeNull();
    fireEvent.click(pauseButton());
    expect(liveButton().title).toBe('Back to live data');
  });

  it('announces the moment when it changes, not the "ago" that changes every second', () => {
    useClock.getState().setHeld(HELD);
    render(<TimelineBar />);
    expect(announced().textContent).toBe('live');
    fireEvent.change(slider(), { target: { value: String(NOW - 30_000) } });
    expect(announced().textContent).toBe(formatClock(NOW - 30_000));
    expect(momentText()).toBe(`${formatClock(NOW - 30_000)} · 30 s ago`);
    act(() => vi.advanceTimersByTime(5_000));
    // The seconds move on beside the live region, which stays as it was.
    expect(momentText()).toBe(`${formatClock(NOW - 30_000)} · 35 s ago`);
    expect(announced().textContent).toBe(formatClock(NOW - 30_000));
    expect(announced().getAttribute('aria-live')).toBe('polite');
    fireEvent.change(slider(), { target: { value: String(NOW - 60_000) } });
    expect(announced().textContent).toBe(formatClock(NOW - 60_000));
  });

  it('scrubs the clock as the slider is dragged, and says how long ago the moment was', () => {
    useClock.getState().setHeld(HELD);
    render(<TimelineBar />);
    fireEvent.change(slider(), { target: { value: String(NOW - 30_000) } });
    expect(moment()).toBe(NOW - 30_000);
    expect(Number(slider().value)).toBe(NOW - 30_000);
    expect(pauseButton().getAttribute('aria-pressed')).toBe('true');
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

  it('opens at the moment in the address bar once the recording holds the mesh', () => {
    setUrl(`?at=${iso(NOW - 45_000)}`);
    render(<TimelineBar />);
    expect(moment()).toBeNull();
    loadCrawlerMesh();
    act(() => useClock.getState().setHeld(HELD));
    expect(moment()).toBe(NOW - 45_000);
    expect(pauseButton().getAttribute('aria-pressed')).toBe('true');
    expect(note()).toBeNull();
    // Only once: a later change of what is held does not pull the clock back.
    act(() => useClock.getState().scrubTo(NOW - 10_000));
    act(() => useClock.getState().setHeld({ ...HELD, to: NOW + 1_000 }));
    expect(moment()).toBe(NOW - 10_000);
  });

  /**
   * The recorder's first moment is the page connecting, an empty mesh, and
   * a link's moment is older than the page: placed then, it paused the page
   * on nothing.
   */
  it('waits for the mesh before placing the moment: what is recorded before it is an empty page', () => {
    setUrl(`?project=p&at=${iso(NOW - 45_000)}`);
    render(<TimelineBar />);
    act(() => useClock.getState().setHeld({ from: NOW - 60_000, to: NOW - 59_900, stepMs: 0 }));
    expect(moment()).toBeNull();
    act(() => useClock.getState().setHeld(HELD));
    expect(moment()).toBeNull();
    flushUrl();
    expect(urlMoment()).toBe(NOW - 45_000);

    loadCrawlerMesh();
    act(() => useClock.getState().setHeld({ ...HELD, to: NOW + 1_000 }));
    expect(moment()).toBe(NOW - 45_000);
    flushUrl();
    expect(urlMoment()).toBe(NOW - 45_000);
    expect(new URLSearchParams(window.location.search).get('project')).toBe('p');
  });

  it('stays live when the address bar moment is older than anything recorded, says so, and drops it from the address bar', () => {
    const older = HELD.from - 3_600_000;
    setUrl(`?project=p&at=${iso(older)}`);
    // The first record, of the page connecting: nothing to decide yet.
    useClock.getState().setHeld({ from: HELD.from, to: HELD.from, stepMs: 0 });
    render(<TimelineBar />);
    expect(moment()).toBeNull();
    expect(note()).toBeNull();

    loadCrawlerMesh();
    act(() => useClock.getState().setHeld(HELD));
    expect(moment()).toBeNull();
    expect(pauseButton().getAttribute('aria-pressed')).toBe('false');
    expect(note()!.getAttribute('role')).toBe('status');
    expect(note()!.textContent).toBe(`the link's moment ${formatClock(older)} is older than this page's recording`);
    flushUrl();
    expect(new URLSearchParams(window.location.search).has('at')).toBe(false);
    expect(window.location.search).toBe('?project=p');
    // Once: a later change of what is held leaves the clock live.
    act(() => useClock.getState().setHeld({ ...HELD, to: NOW + 1_000 }));
    expect(moment()).toBeNull();

    // The note stays until the clock moves.
    fireEvent.click(pauseButton());
    expect(note()).toBeNull();
  });

  it('stays live when the address bar moment is in the future, and says so', () => {
    const later = NOW + 60_000;
    setUrl(`?at=${iso(later)}`);
    loadCrawlerMesh();
    useClock.getState().setHeld(HELD);
    render(<TimelineBar />);
    expect(moment()).toBeNull();
    expect(note()!.textContent).toBe(`the link's moment ${formatClock(later)} is in the future`);
    flushUrl();
    expect(new URLSearchParams(window.location.search).has('at')).toBe(false);
  });

  it('opens at the newest moment for one a few seconds past it (the clocks of two machines differ)', () => {
    setUrl(`?at=${iso(HELD.to + 3_000)}`);
    loadCrawlerMesh();
    useClock.getState().setHeld(HELD);
    render(<TimelineBar />);
    expect(moment()).toBe(HELD.to);
    expect(note()).toBeNull();
    flushUrl();
    expect(urlMoment()).toBe(HELD.to);
  });

  it('leaves the clock where the user put it before the mesh arrived', () => {
    setUrl(`?at=${iso(NOW - 45_000)}`);
    useClock.getState().setHeld(HELD);
    render(<TimelineBar />);
    fireEvent.click(pauseButton());
    expect(moment()).toBe(NOW);
    loadCrawlerMesh();
    act(() => useClock.getState().setHeld({ ...HELD, to: NOW + 1_000 }));
    expect(moment()).toBe(NOW);
    flushUrl();
    expect(urlMoment()).toBe(NOW);
  });

  it('ignores an unreadable moment in the address bar', () => {
    setUrl('?at=yesterday');
    useClock.getState().setHeld(HELD);
    render(<TimelineBar />);
    expect(moment()).toBeNull();
    expect(note()).toBeNull();
  });
});
