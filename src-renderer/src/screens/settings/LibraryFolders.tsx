import { useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../api/context';
import { call, useApiMutation, useApiQuery } from '../../data/api-hooks';
import { useToasts } from '../../state/toasts';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorText } from '../../ui/ErrorText';
import { formatTime } from '../../ui/format';
import { Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';
import { watchScan } from '../library/scan-notice';

/** The library's folders: rescanned incrementally at each start; removing one forgets its index (files stay). */
export function LibraryFolders() {
  const client = useApi();
  const toast = useToasts((s) => s.show);
  const qc = useQueryClient();
  const { data, error } = useApiQuery('library-summary', {});
  const rescan = useApiMutation('library-rescan', {
    invalidates: ['library-scan-state'],
    onSuccess: (r) => (r.scanId ? watchScan(qc, r.scanId, 'the library folders') : toast('info', 'No folder to rescan')),
  });
  const roots = data?.roots ?? [];
  return (
    <Section
      title="Library folders"
      actions={
        <button type="button" className="btn" onClick={() => rescan.mutate({})} disabled={rescan.isPending || roots.length === 0}>
          Rescan all
        </button>
      }
    >
      <ErrorText error={error ?? rescan.error} />
      {data && roots.length === 0 && <EmptyState title="No library folder">Add folders on the Library screen.</EmptyState>}
      {roots.length > 0 && (
        <SimpleTable headers={['Folder', 'Added', 'Last scan', 'Actions']}>
          {roots.map((r) => (
            <tr key={r.path}>
              <th scope="row" className="mono selectable">
                {r.path}
              </th>
              <td>{formatTime(r.addedAt)}</td>
              <td>{r.lastScanAt ? formatTime(r.lastScanAt) : 'Never'}</td>
              <td>
                <ConfirmButton
                  className="btn btn-small btn-danger"
                  ariaLabel={`Remove folder ${r.path}`}
                  title="Remove this library folder?"
                  message={
                    <p>
                      Safekeep forgets the instances indexed from <span className="mono">{r.path}</span> and stops answering for them, except files that
                      another library folder covers. The files themselves are not touched.
                    </p>
                  }
                  confirmLabel="Remove folder"
                  onConfirm={async () => {
                    const res = await call(client, 'library-remove-root', { path: r.path });
                    const kept = res.kept > 0 ? `; ${res.kept.toLocaleString('en-US')} below it stay, another library folder covers them` : '';
                    toast('info', `Removed ${r.path} (${res.removed.toLocaleString('en-US')} file(s) forgotten${kept})`);
                  }}
                >
                  Remove…
                </ConfirmButton>
              </td>
            </tr>
          ))}
        </SimpleTable>
      )}
    </Section>
  );
}
