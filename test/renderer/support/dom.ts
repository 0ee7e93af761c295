import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import { resetFilters } from '../../../src-renderer/src/state/filter-store';
import { useNavigation } from '../../../src-renderer/src/state/navigation';
import { useSelection } from '../../../src-renderer/src/state/selection';
import { useSession } from '../../../src-renderer/src/state/session';
import { useToasts } from '../../../src-renderer/src/state/toasts';
import { useTreeState } from '../../../src-renderer/src/screens/library/tree-state';

/**
 * jsdom has no layout: virtualized tables would show no row. Every element reports
 * a 1000x600 box (about 20 rows of 30 px), and scrollTo moves scrollTop.
 */
export function fakeLayout(): void {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
  Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => 1000 });
  HTMLElement.prototype.scrollTo = function scrollTo(this: HTMLElement, o?: ScrollToOptions | number) {
    if (typeof o === 'object' && o.top !== undefined) this.scrollTop = o.top;
    // Browsers fire scroll events later (with the next frame), never inside the call.
    setTimeout(() => this.dispatchEvent(new Event('scroll')), 0);
  } as typeof HTMLElement.prototype.scrollTo;
}

/** The zustand stores are module singletons: each test starts from scratch. */
export function resetStores(): void {
  useSelection.getState().clear();
  useTreeState.getState().collapseAll();
  resetFilters();
  useNavigation.setState({ route: { screen: 'library' } });
  useSession.setState({ needsLogin: false });
  useToasts.setState({ toasts: [] });
  location.hash = '';
}

export function setupDom(): void {
  fakeLayout();
  afterEach(() => {
    cleanup();
    resetStores();
  });
}
