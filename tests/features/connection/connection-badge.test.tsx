// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionBadge } from '../../../src/features/connection/connection-badge.tsx';
import { SYNC_NOTE_MS } from '../../../src/features/connection/describe-sync.ts';
import { useRealtime, type ConnectionStatus } from '../../../src/store/realtime.ts';
import { resetStores } from '../mesh-fixtures.ts';

function badge() {
  return screen.getByRole('status', { name: 'Connection' });
}

beforeEach(resetStores);
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('connection badge', () => {
  it.each<[ConnectionStatus, Parameters<ReturnType<typeof useRealtime.getState>['setConnection']>[1], string, string]>([
    ['idle', {}, 'not connected', 'off'],
    ['connecting', { attempt: 0 }, 'connecting…', 'pending'],
    ['connecting', { attempt: 4 }, 'connecting · attempt 4', 'pending'],
    ['open', { attempt: 0 }, 'live', 'live'],
    ['reconnecting', { attempt: 2, nextRetryAt: null }, 'reconnecting · attempt 2', 'warning'],
    ['offline', { lastError: 'the browser is offline' }, 'offline · waiting for the network', 'warning'],
    ['closed', {}, 'closed', 'off'],
    ['error', { lastError: 'unknown project (4404)' }, 'failed: unknown project (4404)', 'error'],
  ])('says %s (%o) as "%s"', (status, info, text, tone) => {
    act(() => useRealtime.getState().setConnection(status, info));
    render(<ConnectionBadge />);
    expect(badge().textContent).toBe(text);
    expect(badge().getAttribute('data-tone')).toBe(tone);
  });

  it('counts down to the next attempt while reconnecting', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(2025, 0, 2, 9, 30, 0));
    act(() =>
      useRealtime.getState().setConnection('reconnecting', {
        url: 'ws://localhost:5173/ws?project=demo',
        attempt: 3,
        nextRetryAt: Date.now() + 4_000,
        lastError: 'connection lost (1006)',
      }),
    );
    render(<ConnectionBadge />);
    expect(badge().textContent).toContain('reconnecting · attempt 3 · next try in 4 s');
    // The countdown is not announced every second; the time of the next try is, once.
    expect(badge().textContent).toContain('next try at 09:30:04');

    act(() => vi.advanceTimersByTime(1_000));
    expect(badge().textContent).toContain('reconnecting · attempt 3 · next try in 3 s');
    act(() => vi.advanceTimersByTime(3_000));
    expect(badge().textContent).toContain('reconnecting · attempt 3 · trying now');
  });

  it('tells the URL and the last error in its tooltip', () => {
    act(() =>
      useRealtime.getState().setConnection('reconnecting', {
        url: 'ws://localhost:5173/ws?project=demo',
        attempt: 1,
        nextRetryAt: Date.now() + 1_000,
        lastError: 'heartbeat timeout (4408)',
      }),
    );
    render(<ConnectionBadge />);
    expect(badge().title).toBe('ws://localhost:5173/ws?project=demo\nlast error: heartbeat timeout (4408)');
  });

  it('says how a reconnection caught up for a few seconds, then only in its tooltip', () => {
    vi.useFakeTimers();
    act(() => {
      useRealtime.getState().setConnection('open', { url: 'ws://localhost:5173/ws?project=demo' });
      useRealtime.getState().noteStream({ sync: { mode: 'replay', replayed: 120, at: Date.now() } });
    });
    render(<ConnectionBadge />);
    expect(badge().textContent).toBe('live · resumed · 120 missed messages replayed');

    act(() => vi.advanceTimersByTime(SYNC_NOTE_MS));
    expect(badge().textContent).toBe('live');
    expect(badge().title).toBe('ws://localhost:5173/ws?project=demo\nlast catch-up: resumed · 120 missed messages replayed');

    act(() => useRealtime.getState().noteStream({ sync: { mode: 'snapshot', reason: 'epoch-changed', at: Date.now() } }));
    expect(badge().textContent).toBe('live · fresh snapshot · gateway restarted');
  });

  it('says nothing of a first connect, nor of a catch-up while the link is down', () => {
    act(() => {
      useRealtime.getState().setConnection('open');
      useRealtime.getState().noteStream({ sync: { mode: 'snapshot', reason: 'new', at: Date.now() } });
    });
    render(<ConnectionBadge />);
    expect(badge().textContent).toBe('live');

    act(() => {
      useRealtime.getState().noteStream({ sync: { mode: 'snapshot', reason: 'gap-too-old', at: Date.now() } });
      useRealtime.getState().setConnection('reconnecting', { attempt: 1, nextRetryAt: null });
    });
    expect(badge().textContent).toBe('reconnecting · attempt 1');
  });

  it('counts coalesced stats and gaps in its tooltip', () => {
    act(() => {
      useRealtime.getState().setConnection('open', { url: 'ws://h/ws' });
      useRealtime.getState().noteStream({ coalesced: 400, gaps: 1 });
      useRealtime.getState().noteStream({ coalesced: 12 });
    });
    render(<ConnectionBadge />);
    expect(badge().textContent).toBe('live');
    expect(badge().title).toBe(
      'ws://h/ws\n412 stats coalesced on a slow link\n1 gap in the stream, each answered by a fresh snapshot',
    );
  });
});
