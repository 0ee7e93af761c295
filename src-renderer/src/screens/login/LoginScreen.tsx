import { useState } from 'react';
import type { HttpApiClient } from '../../api/client.http';
import { Logo } from '../../ui/Logo';

/** Browser mode without a session: log in with an access token (or open the one-time link `serve` prints). */
export function LoginScreen({ http, onLoggedIn }: { http: HttpApiClient; onLoggedIn(client: string): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const r = await http.login(token.trim());
    setBusy(false);
    if (r.ok) onLoggedIn(r.value.client);
    else setError(r.error.message);
  };

  return (
    <main className="login-screen">
      <form className="login-card panel" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">
          <Logo size={28} /> Safekeep
        </h1>
        <p>Log in with an access token of this Safekeep server, or open the one-time link it printed when it started.</p>
        <div className={`field ${error ? 'has-error' : ''}`}>
          <label htmlFor="login-token">Access token</label>
          <input
            id="login-token"
            type="password"
            autoComplete="current-password"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-invalid={!!error}
            aria-describedby={error ? 'login-error' : undefined}
            autoFocus
          />
          {error && (
            <p id="login-error" className="field-error" role="alert">
              <span aria-hidden="true">✕ </span>
              {error}
            </p>
          )}
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy || !token.trim()}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
