import { create } from 'zustand';

export const SCREENS = ['library', 'remotes', 'outgoing', 'incoming', 'settings', 'report'] as const;
export type Screen = (typeof SCREENS)[number];

/** What the Report screen shows: a job, some requests, an archive's verdicts, or (all) the first archive's. */
export type ReportTarget = { kind: 'job'; jobId: number } | { kind: 'requests'; requestIds: number[] } | { kind: 'archive'; remoteId: number } | { kind: 'all' };

/** Where the user is: the screen and what it shows. Mirrored in location.hash so a reload (or Back) keeps it. */
export interface Route {
  screen: Screen;
  /** Outgoing: the selected request. */
  requestId?: number;
  /** Incoming: the selected transaction. */
  transactionUid?: string;
  /** Report: what it is about. */
  report?: ReportTarget;
}

export function routeToHash(r: Route): string {
  switch (r.screen) {
    case 'outgoing':
      return r.requestId ? `#/outgoing/${r.requestId}` : '#/outgoing';
    case 'incoming':
      return r.transactionUid ? `#/incoming/${r.transactionUid}` : '#/incoming';
    case 'report': {
      const t = r.report ?? { kind: 'all' };
      if (t.kind === 'archive') return `#/report/archive/${t.remoteId}`;
      return t.kind === 'job' ? `#/report/job/${t.jobId}` : t.kind === 'requests' ? `#/report/requests/${t.requestIds.join(',')}` : '#/report';
    }
    default:
      return `#/${r.screen}`;
  }
}

export function hashToRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const screen = (SCREENS as readonly string[]).includes(parts[0] ?? '') ? (parts[0] as Screen) : 'library';
  const n = (s: string | undefined) => (s && /^\d+$/.test(s) ? Number(s) : undefined);
  if (screen === 'outgoing') {
    const requestId = n(parts[1]);
    return requestId ? { screen, requestId } : { screen };
  }
  if (screen === 'incoming') return parts[1] && /^[0-9.]+$/.test(parts[1]) ? { screen, transactionUid: parts[1] } : { screen };
  if (screen === 'report') {
    if (parts[1] === 'job' && n(parts[2])) return { screen, report: { kind: 'job', jobId: n(parts[2])! } };
    if (parts[1] === 'archive' && n(parts[2])) return { screen, report: { kind: 'archive', remoteId: n(parts[2])! } };
    if (parts[1] === 'requests') {
      const ids = (parts[2] ?? '').split(',').map(n).filter((x): x is number => x !== undefined);
      if (ids.length) return { screen, report: { kind: 'requests', requestIds: ids } };
    }
    return { screen, report: { kind: 'all' } };
  }
  return { screen };
}

interface NavigationState {
  route: Route;
  go(route: Route): void;
}

const initial = typeof location === 'undefined' ? { screen: 'library' as const } : hashToRoute(location.hash);

export const useNavigation = create<NavigationState>((set) => ({
  route: initial,
  go: (route) => {
    set({ route });
    if (typeof location !== 'undefined' && location.hash !== routeToHash(route)) location.hash = routeToHash(route);
  },
}));

/** Follows Back/Forward and hand-edited addresses. */
export function syncNavigationWithHash(): () => void {
  const onHash = () => {
    // In-page anchors ("#main" of the skip link) are not routes.
    if (location.hash !== '' && !location.hash.startsWith('#/')) return;
    const route = hashToRoute(location.hash);
    if (routeToHash(route) !== routeToHash(useNavigation.getState().route)) useNavigation.setState({ route });
  };
  window.addEventListener('hashchange', onHash);
  onHash();
  return () => window.removeEventListener('hashchange', onHash);
}
