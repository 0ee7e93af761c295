// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { RemoteInput, RemoteView } from '../../src-shared/remotes';
import { draftOf, draftToInput, emptyDraft, type DicomwebDraft, type DimseDraft } from '../../src-renderer/src/screens/remotes/remote-draft';
import { RemotesScreen } from '../../src-renderer/src/screens/remotes/RemotesScreen';
import { FakeApi } from './support/fake-api';
import { setupDom } from './support/dom';
import { renderWithApi } from './support/render';

setupDom();

const ARCHIVE: RemoteView = {
  id: 4,
  name: 'Archive',
  kind: 'dicomweb',
  hasSecret: true,
  createdAt: 0,
  updatedAt: 0,
  config: { baseUrl: 'https://archive:8443/dicomweb', auth: 'bearer', caFile: null, insecureSkipVerify: false, timeoutSeconds: 60, maxInstancesPerRequest: 1000, concurrency: 4, deadlineHours: 24 },
};

function remotesApi(list: RemoteView[] = [ARCHIVE]): FakeApi {
  return new FakeApi()
    .on('remotes-list', () => list)
    .on('remotes-save', ({ id, input }) => {
      const saved = { ...ARCHIVE, ...(input as object), id: id ?? 9, hasSecret: typeof input.secret === 'string' } as RemoteView;
      return saved;
    })
    .on('remotes-test', ({ id }) =>
      id === 4
        ? { ok: true, message: 'Reached https://archive:8443/dicomweb/commitment-requests/: the commitment service answers (HTTP 404 for an unused Transaction UID, as expected)', elapsedMs: 12 }
        : { ok: false, message: 'HTTP 401 from https://other/dicomweb/commitment-requests/2.25.1: the archive refused the credentials: The bearer token is not valid', elapsedMs: 8 },
    )
    .on('remotes-delete', () => ({}));
}

const savedInput = (api: FakeApi): RemoteInput => api.callsOf('remotes-save').at(-1)!.input;

describe('remote draft', () => {
  it('turns a valid draft into the contract input and reports bad fields by name', () => {
    const d = { ...emptyDraft('dicomweb'), name: 'A', baseUrl: 'http://a:8080/dicomweb/', secret: 'tok' } as ReturnType<typeof emptyDraft>;
    expect(draftToInput(d, null)).toEqual({
      input: {
        kind: 'dicomweb',
        name: 'A',
        config: { baseUrl: 'http://a:8080/dicomweb/', auth: 'bearer', caFile: null, insecureSkipVerify: false, timeoutSeconds: 60, maxInstancesPerRequest: 1000, concurrency: 4, deadlineHours: 24 },
        secret: 'tok',
      },
      errors: {},
    });
    const bad = draftToInput({ ...d, baseUrl: 'archive:8080', concurrency: 'four', secret: '' } as typeof d, null);
    expect(bad.input).toBeNull();
    expect(bad.errors).toMatchObject({ concurrency: 'Enter a number', secret: 'Enter the bearer token', baseUrl: expect.stringContaining('http') });
    // An existing remote keeps its secret unless asked otherwise; "none" drops it.
    const edit = draftOf(ARCHIVE);
    expect(draftToInput(edit, { hasSecret: true }).input).not.toHaveProperty('secret');
    expect(draftToInput({ ...edit, auth: 'none' } as typeof edit, { hasSecret: true }).input).toHaveProperty('secret', null);
    const dimse = draftToInput({ ...(emptyDraft('dimse') as DimseDraft), name: 'PACS', aeTitle: 'PACS', host: 'pacs', port: '104' }, null);
    expect(dimse.input).toMatchObject({ kind: 'dimse', config: { aeTitle: 'PACS', host: 'pacs', port: 104, callingAeTitle: 'SAFEKEEP' } });
    expect(draftToInput({ ...(emptyDraft('dimse') as DimseDraft), name: 'PACS', aeTitle: 'A\\B', host: 'pacs', port: '70000' }, null).errors).toMatchObject({
      aeTitle: 'An AE title is 1 to 16 printable characters without backslash',
      port: expect.any(String),
    });
  });

  it('carries the STOW-RS and QIDO-RS base URLs and the storage AE title; empty means the default', () => {
    const d = { ...(emptyDraft('dicomweb') as DicomwebDraft), name: 'A', baseUrl: 'http://a/dicomweb', secret: 'tok', stowBaseUrl: ' http://a/dicom-web ', qidoBaseUrl: '' };
    expect(draftToInput(d, null).input).toMatchObject({ config: { stowBaseUrl: 'http://a/dicom-web' } });
    expect(draftToInput(d, null).input!.config).not.toHaveProperty('qidoBaseUrl');
    expect(draftToInput({ ...d, qidoBaseUrl: 'a/qido' }, null).errors).toEqual({ qidoBaseUrl: expect.stringMatching(/QIDO-RS base URL/) });
    const dimse = { ...(emptyDraft('dimse') as DimseDraft), name: 'PACS', aeTitle: 'PACS', host: 'pacs', port: '104' };
    expect(draftToInput({ ...dimse, storageAeTitle: 'STORE' }, null).input).toMatchObject({ config: { storageAeTitle: 'STORE' } });
    expect(draftToInput(dimse, null).input!.config).not.toHaveProperty('storageAeTitle');
    expect(draftOf({ ...ARCHIVE, config: { ...ARCHIVE.config, stowBaseUrl: 'http://s' } } as RemoteView)).toMatchObject({ stowBaseUrl: 'http://s', qidoBaseUrl: '' });
  });
});

describe('Remotes screen', () => {
  it('validates a new DICOMweb remote before saving, then saves it with its secret', async () => {
    const api = remotesApi([]);
    renderWithApi(<RemotesScreen />, { client: api });
    const user = userEvent.setup();
    await screen.findByText('No remote archive yet');
    await user.click(screen.getByRole('button', { name: 'Add DICOMweb remote' }));
    const form = screen.getByRole('form', { name: 'Add a DICOMweb remote' });
    await user.click(within(form).getByRole('button', { name: 'Save remote' }));
    expect(within(form).getByText('A remote needs a name')).toBeTruthy();
    expect(within(form).getByText(/The base URL must be an absolute http\(s\) URL/)).toBeTruthy();
    expect(within(form).getByText('Enter the bearer token')).toBeTruthy();
    expect(within(form).getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    expect(api.callsOf('remotes-save')).toEqual([]);

    await user.type(within(form).getByLabelText('Name'), 'Main archive');
    await user.type(within(form).getByLabelText('Base URL'), 'https://pacs.example.org/dicomweb');
    await user.type(within(form).getByLabelText('Bearer token'), 's3cret');
    await user.clear(within(form).getByLabelText('Concurrent requests'));
    await user.type(within(form).getByLabelText('Concurrent requests'), '100');
    await user.click(within(form).getByRole('button', { name: 'Save remote' }));
    expect(within(form).getByText(/<=\s*64/)).toBeTruthy();
    await user.clear(within(form).getByLabelText('Concurrent requests'));
    await user.type(within(form).getByLabelText('Concurrent requests'), '8');

    // The unsafe option says so.
    const insecure = within(form).getByRole('checkbox', { name: /Skip TLS certificate verification/ });
    expect(insecure.closest('label')!.textContent).toContain('UNSAFE');
    await user.click(insecure);
    await user.click(within(form).getByRole('button', { name: 'Save remote' }));
    await waitFor(() => expect(api.callsOf('remotes-save')).toHaveLength(1));
    expect(api.callsOf('remotes-save')[0]).toEqual({
      input: {
        kind: 'dicomweb',
        name: 'Main archive',
        config: {
          baseUrl: 'https://pacs.example.org/dicomweb',
          auth: 'bearer',
          caFile: null,
          insecureSkipVerify: true,
          timeoutSeconds: 60,
          maxInstancesPerRequest: 1000,
          concurrency: 8,
          deadlineHours: 24,
        },
        secret: 's3cret',
      },
    });
    await waitFor(() => expect(screen.queryByRole('form')).toBeNull());
  });

  it('never shows a stored secret: "Secret set", with Replace and Remove', async () => {
    const api = remotesApi();
    renderWithApi(<RemotesScreen />, { client: api });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit Archive' }));
    const form = screen.getByRole('form', { name: 'Edit Archive' });
    expect(within(form).getByTestId('secret-state').textContent).toContain('Secret set');
    expect(form.querySelector('input[type="password"]')).toBeNull();

    // Saving without touching it keeps the stored secret (no secret field sent).
    await user.click(within(form).getByRole('button', { name: 'Save remote' }));
    await waitFor(() => expect(api.callsOf('remotes-save')).toHaveLength(1));
    expect(api.callsOf('remotes-save')[0]!.id).toBe(4);
    expect(savedInput(api)).not.toHaveProperty('secret');

    await user.click(await screen.findByRole('button', { name: 'Edit Archive' }));
    let edit = screen.getByRole('form', { name: 'Edit Archive' });
    await user.click(within(edit).getByRole('button', { name: 'Replace…' }));
    const field = within(edit).getByLabelText('New bearer token') as HTMLInputElement;
    expect(field.type).toBe('password');
    expect(field.value).toBe('');
    await user.type(field, 'rotated');
    await user.click(within(edit).getByRole('button', { name: 'Save remote' }));
    await waitFor(() => expect(api.callsOf('remotes-save')).toHaveLength(2));
    expect(savedInput(api).secret).toBe('rotated');

    await user.click(await screen.findByRole('button', { name: 'Edit Archive' }));
    edit = screen.getByRole('form', { name: 'Edit Archive' });
    await user.click(within(edit).getByRole('button', { name: 'Remove' }));
    expect(within(edit).getByTestId('secret-state').textContent).toContain('Removed when you save');
    // Bearer without a secret is refused; with "no authentication" the secret is removed.
    await user.click(within(edit).getByRole('button', { name: 'Save remote' }));
    expect(within(edit).getByText(/needs a secret/)).toBeTruthy();
    await user.selectOptions(within(edit).getByLabelText('Authentication'), 'none');
    await user.click(within(edit).getByRole('button', { name: 'Save remote' }));
    await waitFor(() => expect(api.callsOf('remotes-save')).toHaveLength(3));
    expect(savedInput(api)).toMatchObject({ secret: null, config: { auth: 'none' } });
  });

  it('shows the exact message of a test, passed or failed', async () => {
    const other: RemoteView = { ...ARCHIVE, id: 5, name: 'Other', config: { ...ARCHIVE.config, baseUrl: 'https://other/dicomweb', insecureSkipVerify: true } };
    renderWithApi(<RemotesScreen />, { client: remotesApi([ARCHIVE, other]) });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Test Archive' }));
    expect((await screen.findByTestId('test-result-4')).textContent).toMatch(/Test passed: Reached https:\/\/archive:8443\/dicomweb\/commitment-requests\/.*\(12 ms\)/);
    await user.click(screen.getByRole('button', { name: 'Test Other' }));
    await waitFor(() =>
      expect(screen.getByTestId('test-result-5').textContent).toContain(
        'Test failed: HTTP 401 from https://other/dicomweb/commitment-requests/2.25.1: the archive refused the credentials: The bearer token is not valid',
      ),
    );
    // The list marks the unsafe remote.
    expect(screen.getByRole('row', { name: /Other/ }).textContent).toContain('UNSAFE: TLS not verified');
  });

  it('deletes a remote only after confirmation', async () => {
    const api = remotesApi();
    renderWithApi(<RemotesScreen />, { client: api });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete Archive' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete remote “Archive”?' });
    await user.click(within(dialog).getByRole('button', { name: 'Keep' }));
    expect(api.callsOf('remotes-delete')).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Delete Archive' }));
    await user.click(screen.getByRole('button', { name: 'Delete remote' }));
    await waitFor(() => expect(api.callsOf('remotes-delete')).toEqual([{ id: 4 }]));
  });

  it('adds a DIMSE remote', async () => {
    const api = remotesApi([]);
    renderWithApi(<RemotesScreen />, { client: api });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Add DIMSE remote' }));
    const form = screen.getByRole('form', { name: 'Add a DIMSE remote' });
    await user.type(within(form).getByLabelText('Name'), 'Orthanc');
    await user.type(within(form).getByLabelText('Called AE title'), 'ORTHANC');
    await user.type(within(form).getByLabelText('Host'), '10.0.0.5');
    await user.clear(within(form).getByLabelText('Port'));
    await user.type(within(form).getByLabelText('Port'), '4242');
    await user.click(within(form).getByRole('button', { name: 'Save remote' }));
    await waitFor(() => expect(api.callsOf('remotes-save')).toHaveLength(1));
    expect(savedInput(api)).toEqual({
      kind: 'dimse',
      name: 'Orthanc',
      config: { aeTitle: 'ORTHANC', host: '10.0.0.5', port: 4242, callingAeTitle: 'SAFEKEEP', timeoutSeconds: 30, maxInstancesPerRequest: 1000, concurrency: 2, deadlineHours: 24 },
    });
  });
});
