import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState, useSyncExternalStore, type DragEvent } from 'react';
import { useAppApi } from '../api/context';
import type { ConnectionState } from '../api/client.http';
import { useLiveUpdates } from '../data/live-updates';
import { useApiQuery } from '../data/api-hooks';
import { IncomingScreen } from '../screens/incoming/IncomingScreen';
import { useLibraryIntake } from '../screens/library/intake';
import { LibraryScreen } from '../screens/library/LibraryScreen';
import { OutgoingScreen } from '../screens/outgoing/OutgoingScreen';
import { RemotesScreen } from '../screens/remotes/RemotesScreen';
import { ReportScreen } from '../screens/report/ReportScreen';
import { SettingsScreen } from '../screens/settings/SettingsScreen';
import { routeToHash, useNavigation, type Screen } from '../state/navigation';
import { useSession } from '../state/session';
import { useToasts } from '../state/toasts';
import { ACTIVE_STATES } from '../../../src-shared/outgoing';
import { Logo } from '../ui/Logo';

const NAV: { screen: Screen; label: string }[] = [
  { screen: 'library', label: 'Library' },
  { screen: 'outgoing', label: 'Outgoing' },
  { screen: 'incoming', label: 'Incoming' },
  { screen: 'remotes', label: 'Remotes' },
  { screen: 'report', label: 'Report' },
  { screen: 'settings', label: 'Settings' },
];

const SCREEN_VIEW: Record<Screen, () => React.ReactNode> = {
  library: () => <LibraryScreen />,
  outgoing: () => <OutgoingScreen />,
  incoming: () => <IncomingScreen />,
  remotes: () => <RemotesScreen />,
  report: () => <ReportScreen />,
  settings: () => <SettingsScreen />,
};

/** The app's frame: navigation, live connection, notices, and the drop target that is the whole window. */
export function Shell() {
  useLiveUpdates();
  const screen = useNavigation((s) => s.route.screen);
  const { addDropped } = useLibraryIntake();
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    const label = NAV.find((n) => n.screen === screen)?.label ?? '';
    document.title = `${label} — Safekeep`;
  }, [screen]);

  const hasFiles = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes('Files');

  return (
    <div
      className={`shell ${dragging ? 'is-dragging' : ''}`}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        if (!dragging) setDragging(true);
      }}
      onDragLeave={(e) => {
        if (e.relatedTarget === null) setDragging(false);
      }}
      onDrop={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        setDragging(false);
        addDropped(e.dataTransfer);
      }}
    >
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header no-print">
        <span className="brand">
          <Logo /> Safekeep
        </span>
        <nav aria-label="Screens">
          <ul>
            {NAV.map((n) => (
              <li key={n.screen}>
                <a href={routeToHash({ screen: n.screen })} aria-current={screen === n.screen ? 'page' : undefined} className={screen === n.screen ? 'is-current' : undefined}>
                  {n.label}
                  {n.screen === 'outgoing' && <ActiveCount />}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <ConnectionIndicator />
        <LogoutButton />
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        {SCREEN_VIEW[screen]()}
      </main>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          Drop to add to the library
        </div>
      )}
      <Toasts />
    </div>
  );
}

/** "(3 active)" next to Outgoing. */
function ActiveCount() {
  const { data } = useApiQuery('outgoing-totals', {});
  const n = data ? ACTIVE_STATES.reduce((sum, s) => sum + (data.requests[s] ?? 0), 0) : 0;
  return n > 0 ? <span className="nav-count"> ({n.toLocaleString('en-US')} active)</span> : null;
}

const CONNECTION_TEXT: Record<ConnectionState, { text: string; tone: string; icon: string }> = {
  open: { text: 'Live', tone: 'ok', icon: '●' },
  connecting: { text: 'Reconnecting…', tone: 'warn', icon: '◌' },
  offline: { text: 'Offline', tone: 'bad', icon: '○' },
};

function ConnectionIndicator() {
  const { http } = useAppApi();
  const subscribe = useCallback((fn: () => void) => (http ? http.onConnection(fn) : () => undefined), [http]);
  const state = useSyncExternalStore(subscribe, () => (http ? http.connection() : 'open'));
  if (!http) return null;
  const look = CONNECTION_TEXT[state];
  return (
    <span className={`connection tone-${look.tone}`} role="status" title="Live updates from the server">
      <span aria-hidden="true">{look.icon} </span>
      {look.text}
    </span>
  );
}

function LogoutButton() {
  const { http } = useAppApi();
  const qc = useQueryClient();
  const setNeedsLogin = useSession((s) => s.setNeedsLogin);
  const { data } = useApiQuery('settings-get', {});
  if (!http || !data?.server.authEnabled) return null;
  return (
    <button
      type="button"
      className="btn btn-small"
      onClick={async () => {
        await http.logout();
        qc.clear();
        setNeedsLogin(true);
      }}
    >
      Log out
    </button>
  );
}

function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  return (
    <div className="toasts no-print" aria-live="polite" role="status">
      {toasts.map((t) => (
        <div key={t.id} className={`toast tone-${t.tone === 'error' ? 'bad' : t.tone}`}>
          <span aria-hidden="true">{t.tone === 'error' ? '✕ ' : t.tone === 'ok' ? '✓ ' : 'ℹ '}</span>
          {t.text}
          <button type="button" className="toast-close" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
