import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { unwrap } from '../api/api-error';
import { useAppApi } from '../api/context';
import { API } from '../data/keys';
import { LoginScreen } from '../screens/login/LoginScreen';
import { useSession } from '../state/session';
import { ErrorText } from '../ui/ErrorText';

/** Browser mode: the app only once the server knows who we are; any 401 brings the login screen back. */
export function SessionGate({ children }: { children: ReactNode }) {
  const { http } = useAppApi();
  const qc = useQueryClient();
  const needsLogin = useSession((s) => s.needsLogin);
  const setNeedsLogin = useSession((s) => s.setNeedsLogin);
  const session = useQuery({
    queryKey: ['session'],
    queryFn: async () => unwrap(await http!.session()),
    enabled: http !== null,
    staleTime: Infinity,
  });

  useEffect(() => http?.onUnauthorized(() => setNeedsLogin(true)), [http, setNeedsLogin]);

  if (!http) return <>{children}</>;
  if (session.isPending) return <p className="boot" aria-busy="true">Connecting to Safekeep…</p>;
  if (session.error) {
    return (
      <main className="boot">
        <ErrorText error={session.error} prefix="Cannot reach the Safekeep server" />
        <button type="button" className="btn" onClick={() => void session.refetch()}>
          Try again
        </button>
      </main>
    );
  }
  if (needsLogin || !session.data.authenticated) {
    return (
      <LoginScreen
        http={http}
        onLoggedIn={async () => {
          await qc.invalidateQueries({ queryKey: ['session'] });
          setNeedsLogin(false);
          void qc.invalidateQueries({ queryKey: [API] });
        }}
      />
    );
  }
  return <>{children}</>;
}
