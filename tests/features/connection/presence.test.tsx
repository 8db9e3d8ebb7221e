// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Presence } from '../../../src/features/connection/presence.tsx';
import { useRealtime } from '../../../src/store/realtime.ts';
import { resetStores } from '../mesh-fixtures.ts';

beforeEach(resetStores);
afterEach(cleanup);

describe('presence', () => {
  it('shows nothing until the gateway says who watches', () => {
    const { container } = render(<Presence />);
    expect(container.textContent).toBe('');
  });

  it('counts the connections and names the signed-in users in its tooltip and to screen readers', () => {
    act(() => useRealtime.getState().setPresence({ connections: 3, users: ['ada', 'grace'] }));
    render(<Presence />);
    const presence = screen.getByText('3 watching');
    expect(presence.title).toBe('watching: ada, grace');
    expect(presence.textContent).toBe('3 watching: ada, grace');
    expect(presence.querySelector('.visually-hidden')?.textContent).toBe(': ada, grace');
  });

  it('says only the count when no one is signed in, and follows changes', () => {
    act(() => useRealtime.getState().setPresence({ connections: 1, users: [] }));
    render(<Presence />);
    expect(screen.getByText('1 watching').title).toBe('1 open connection');
    act(() => useRealtime.getState().setPresence({ connections: 4, users: [] }));
    expect(screen.getByText('4 watching').title).toBe('4 open connections');
  });
});
