import './connection.css';
import { useState, type FormEvent } from 'react';
import { saveToken } from '../../realtime/token-source.ts';
import { useRealtime, type ConnectionStatus } from '../../store/realtime.ts';
import { selectConnection, selectStatus } from './selectors.ts';

/** Whether the connection failed because the gateway wants a token it did not get (close code 4401). */
export function needsSignIn(status: ConnectionStatus, lastError: string | null): boolean {
  return status === 'error' && lastError !== null && /sign-in required|\b4401\b/i.test(lastError);
}

interface SignInProps {
  /** Called with the token once it is stored; the owner restarts the connection. */
  onSignIn: (token: string) => void;
  storage?: Pick<Storage, 'setItem'> | null;
}

/** The sign-in form, shown only while the gateway refuses the connection for want of a token. */
export function SignInPrompt(props: SignInProps) {
  const status = useRealtime(selectStatus);
  const { lastError } = useRealtime(selectConnection);
  return needsSignIn(status, lastError) ? <SignInForm {...props} /> : null;
}

/** A token field and a Connect button; the token is kept in sessionStorage for the next connect. */
export function SignInForm({ onSignIn, storage }: SignInProps) {
  const [token, setToken] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim();
    if (value === '') return;
    saveToken(value, storage);
    setToken('');
    onSignIn(value);
  };
  return (
    <form className="sign-in" aria-label="Sign in" onSubmit={submit}>
      <label className="sign-in__label">
        Token
        <input
          className="field sign-in__token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          value={token}
          onChange={(event) => setToken(event.target.value)}
        />
      </label>
      <button type="submit" className="button">
        Connect
      </button>
    </form>
  );
}
