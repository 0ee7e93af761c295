// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../../src-renderer/src/app/App';
import { useNavigation } from '../../src-renderer/src/state/navigation';
import { setupDom } from './support/dom';
import { fakeAppServer } from './support/app-server';
import type { FakeHttp } from './support/fake-http';
import { testQueryClient } from './support/render';

setupDom();

const renderApp = (http: FakeHttp) => render(<App api={{ client: http, http, preload: null }} queryClient={testQueryClient()} />);

describe('login and the app shell (browser mode)', () => {
  it('asks for a token when there is no session, explains a refusal, and opens the app after a valid one', async () => {
    const http = fakeAppServer();
    renderApp(http);
    const token = await screen.findByLabelText('Access token');
    // No API call before login.
    expect(http.calls).toEqual([]);
    const user = userEvent.setup();
    const login = screen.getByRole('button', { name: 'Log in' });
    expect((login as HTMLButtonElement).disabled).toBe(true);
    await user.type(token, 'bad-token');
    await user.click(login);
    expect((await screen.findByRole('alert')).textContent).toContain('The bearer token is not valid');
    expect(token.getAttribute('aria-invalid')).toBe('true');

    await user.clear(token);
    await user.type(token, 'good-token{Enter}');
    await screen.findByRole('navigation', { name: 'Screens' });
    expect(http.logins).toEqual(['bad-token', 'good-token']);
    await screen.findByText('The library is empty');
  });

  it('goes back to the login screen when the session expires (a 401), and logs out', async () => {
    const http = fakeAppServer();
    http.authenticated = true;
    renderApp(http);
    await screen.findByRole('navigation', { name: 'Screens' });
    act(() => http.expireSession());
    await screen.findByLabelText('Access token');
    await userEvent.setup().type(screen.getByLabelText('Access token'), 'good-token{Enter}');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Log out' }));
    await screen.findByLabelText('Access token');
    expect(http.authenticated).toBe(false);
  });

  it('navigates between screens with links that say which one is current, and shows the live state', async () => {
    const http = fakeAppServer();
    http.authenticated = true;
    renderApp(http);
    const navBar = await screen.findByRole('navigation', { name: 'Screens' });
    expect(within(navBar).getByRole('link', { name: 'Library' }).getAttribute('aria-current')).toBe('page');
    act(() => useNavigation.getState().go({ screen: 'outgoing' }));
    await screen.findByRole('grid', { name: 'Outgoing requests' });
    expect(location.hash).toBe('#/outgoing');
    expect(within(navBar).getByRole('link', { name: /Outgoing/ }).getAttribute('aria-current')).toBe('page');
    // Two requests are working: the nav tells so.
    await within(navBar).findByText('(2 active)');
    expect(screen.getByText('Live')).toBeTruthy();
    act(() => http.setConnection('connecting'));
    expect(screen.getByText('Reconnecting…')).toBeTruthy();
  });

  it('uploads files dropped on the window (keeping their folders), then scans the uploaded folder', async () => {
    const http = fakeAppServer();
    http.authenticated = true;
    renderApp(http);
    await screen.findByText('The library is empty');
    const file = (name: string) => new File(['DICM'], name);
    const a = file('IM1');
    Object.defineProperty(a, 'webkitRelativePath', { value: 'study1/series1/IM1' });
    const b = file('IM2');
    Object.defineProperty(b, 'webkitRelativePath', { value: 'study1/series1/IM2' });
    // "Choose a folder…" gives files with their relative paths (as a dropped folder does).
    await userEvent.setup().upload(screen.getByTestId('folder-input'), [a, b]);
    await waitFor(() => expect(http.callsOf('library-add-folders')).toEqual([{ paths: ['/data/uploads/drop-1'] }]));
    expect(http.uploads[0]!.map((u) => u.path)).toEqual(['study1/series1/IM1', 'study1/series1/IM2']);
    await screen.findByText('Scanning the upload of study1…');
  });

  it('adds a folder by its path', async () => {
    const http = fakeAppServer();
    http.authenticated = true;
    renderApp(http);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Add folder by path'), '/mnt/studies{Enter}');
    await waitFor(() => expect(http.callsOf('library-add-folders')).toEqual([{ paths: ['/mnt/studies'] }]));
    expect((screen.getByLabelText('Add folder by path') as HTMLInputElement).value).toBe('');
  });
});
