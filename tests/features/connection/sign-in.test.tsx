// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { needsSignIn, SignInForm, SignInPrompt } from '../../../src/features/connection/sign-in.tsx';
import { TOKEN_STORAGE_KEY } from '../../../src/realtime/token-source.ts';
import { useRealtime, type ConnectionStatus } from '../../../src/store/realtime.ts';
import { resetStores } from '../mesh-fixtures.ts';

beforeEach(() => {
  resetStores();
  sessionStorage.clear();
});
afterEach(cleanup);

describe('needsSignIn', () => {
  it.each<[ConnectionStatus, string | null, boolean]>([
    ['error', 'sign-in required: the gateway refused the token and there is no other', true],
    ['error', 'token missing, invalid or expired (4401): sign-in required', true],
    ['error', 'unauthorized (4401)', true],
    ['error', 'unknown project (4404)', false],
    ['error', null, false],
    ['reconnecting', 'token missing, invalid or expired (4401)', false],
  ])('is %s for %s → %s', (status, lastError, expected) => {
    expect(needsSignIn(status, lastError)).toBe(expected);
  });
});

describe('sign-in form', () => {
  it('stores the token in sessionStorage and calls back with it', () => {
    const onSignIn = vi.fn();
    render(<SignInForm onSignIn={onSignIn} />);
    const token = screen.getByLabelText('Token');
    expect(token.getAttribute('type')).toBe('password');
    fireEvent.change(token, { target: { value: '  eyJ.token  ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('eyJ.token');
    expect(onSignIn).toHaveBeenCalledWith('eyJ.token');
    expect((token as HTMLInputElement).value).toBe('');
  });

  it('does nothing with an empty token', () => {
    const onSignIn = vi.fn();
    render(<SignInForm onSignIn={onSignIn} />);
    fireEvent.submit(screen.getByRole('form', { name: 'Sign in' }));
    expect(onSignIn).not.toHaveBeenCalled();
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
  });

  it('still calls back when the browser refuses storage', () => {
    const onSignIn = vi.fn();
    const storage = { setItem: vi.fn(() => { throw new Error('SecurityError'); }) };
    render(<SignInForm onSignIn={onSignIn} storage={storage} />);
    fireEvent.change(screen.getByLabelText('Token'), { target: { value: 't' } });
    fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    expect(onSignIn).toHaveBeenCalledWith('t');
  });

  it('appears only while the gateway wants a token', () => {
    render(<SignInPrompt onSignIn={() => {}} />);
    expect(screen.queryByRole('form', { name: 'Sign in' })).toBeNull();
    act(() => useRealtime.getState().setConnection('error', { lastError: 'token missing, invalid or expired (4401): sign-in required' }));
    expect(within(screen.getByRole('form', { name: 'Sign in' })).getByRole('button', { name: 'Connect' })).toBeTruthy();
    act(() => useRealtime.getState().setConnection('connecting', { lastError: null }));
    expect(screen.queryByRole('form', { name: 'Sign in' })).toBeNull();
  });
});
