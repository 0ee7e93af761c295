import { useState } from 'react';
import type { RemoteTestResult, RemoteView } from '../../../../src-shared/remotes';
import { errorText } from '../../api/api-error';
import { useApi } from '../../api/context';
import { call, useApiQuery } from '../../data/api-hooks';
import { useQueryClient } from '@tanstack/react-query';
import { handlerKey } from '../../data/keys';
import { useToasts } from '../../state/toasts';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorText } from '../../ui/ErrorText';
import { Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';
import { DimseListenerStatus } from '../shared/DimseListenerStatus';
import { formatTime } from '../../ui/format';
import { RemoteForm } from './RemoteForm';

type Editing = { remote: RemoteView | null; kind: RemoteView['kind'] } | null;

/** Remotes: the archives this workstation asks for storage commitment. */
export function RemotesScreen() {
  const { data, error, isPending } = useApiQuery('remotes-list', {});
  const [editing, setEditing] = useState<Editing>(null);
  return (
    <div className="screen remotes-screen">
      <Section
        title="Remote archives"
        actions={
          <>
            <button type="button" className="btn btn-primary" onClick={() => setEditing({ remote: null, kind: 'dicomweb' })}>
              Add DICOMweb remote
            </button>
            <button type="button" className="btn" onClick={() => setEditing({ remote: null, kind: 'dimse' })}>
              Add DIMSE remote
            </button>
          </>
        }
      >
        <ErrorText error={error} prefix="Cannot load the remotes" />
        {data?.some((r) => r.kind === 'dimse') && (
          <DimseListenerStatus archives={data.flatMap((r) => (r.kind === 'dimse' ? [{ name: r.name, host: r.config.host, callingAeTitle: r.config.callingAeTitle }] : []))} />
        )}
        {isPending ? (
          <p aria-busy="true">Loading…</p>
        ) : !data?.length ? (
          <EmptyState title="No remote archive yet">Add the DICOMweb or DIMSE archive whose storage commitment you want to verify.</EmptyState>
        ) : (
          <SimpleTable className="remotes-table" headers={['Name', 'Kind', 'Address', 'Security', 'Per request', 'Actions', 'Test result']}>
            {data.map((r) => (
              <RemoteRow key={r.id} r={r} onEdit={() => setEditing({ remote: r, kind: r.kind })} />
            ))}
          </SimpleTable>
        )}
      </Section>
      {editing && <RemoteForm key={editing.remote?.id ?? `new-${editing.kind}`} remote={editing.remote} kind={editing.kind} onDone={() => setEditing(null)} />}
    </div>
  );
}

function security(r: RemoteView) {
  if (r.kind === 'dimse') return <span>Calling AE {r.config.callingAeTitle}</span>;
  const auth = r.config.auth === 'none' ? 'No authentication' : r.config.auth === 'bearer' ? 'Bearer token' : `Basic (${r.config.username ?? ''})`;
  return (
    <span>
      {auth}
      {r.config.auth !== 'none' && (r.hasSecret ? ' · secret set' : <strong className="text-bad"> · no secret</strong>)}
      {r.config.caFile && <span className="muted"> · CA {r.config.caFile}</span>}
      {r.config.insecureSkipVerify && (
        <span className="badge tone-bad" title="TLS certificates are not verified">
          <span aria-hidden="true">⚠ </span>UNSAFE: TLS not verified
        </span>
      )}
    </span>
  );
}

function RemoteRow({ r, onEdit }: { r: RemoteView; onEdit(): void }) {
  const client = useApi();
  const qc = useQueryClient();
  const toast = useToasts((s) => s.show);
  const [test, setTest] = useState<{ running: boolean; result: RemoteTestResult | null; error: string | null }>({ running: false, result: null, error: null });

  const runTest = async () => {
    setTest({ running: true, result: null, error: null });
    const res = await client.send('remotes-test', { id: r.id });
    setTest(res.ok ? { running: false, result: res.value, error: null } : { running: false, result: null, error: res.error.message });
  };

  return (
    <tr>
      <th scope="row">
        {r.name}
        {r.lastTest?.ok === false && (
          <span className="badge tone-bad" title={r.lastTest.message}>
            <span aria-hidden="true">⚠ </span>last Test failed
          </span>
        )}
      </th>
      <td>{r.kind === 'dicomweb' ? 'DICOMweb' : 'DIMSE'}</td>
      <td className="mono">{r.kind === 'dicomweb' ? r.config.baseUrl : `${r.config.aeTitle}@${r.config.host}:${r.config.port}`}</td>
      <td>{security(r)}</td>
      <td>{r.config.maxInstancesPerRequest.toLocaleString('en-US')}</td>
      <td>
        <div className="row-actions">
        <button type="button" className="btn btn-small" onClick={runTest} disabled={test.running} aria-label={`Test ${r.name}`}>
          {test.running ? 'Testing…' : 'Test'}
        </button>
        <button type="button" className="btn btn-small" onClick={onEdit} aria-label={`Edit ${r.name}`}>
          Edit
        </button>
        <ConfirmButton
          className="btn btn-small btn-danger"
          ariaLabel={`Delete ${r.name}`}
          title={`Delete remote “${r.name}”?`}
          message={<p>Requests already sent to it keep their results; requests still in flight to it fail.</p>}
          confirmLabel="Delete remote"
          onConfirm={async () => {
            try {
              await call(client, 'remotes-delete', { id: r.id });
            } catch (e) {
              throw new Error(errorText(e));
            }
            void qc.invalidateQueries({ queryKey: handlerKey('remotes-list') });
            toast('info', `Remote “${r.name}” deleted`);
          }}
        >
          Delete…
        </ConfirmButton>
        </div>
      </td>
      <td className="test-result" aria-live="polite" data-testid={`test-result-${r.id}`}>
        {test.result && (
          <span className={test.result.ok ? 'text-ok' : 'text-bad'}>
            <span aria-hidden="true">{test.result.ok ? '✓ ' : '✕ '}</span>
            <span className="sr-only">{test.result.ok ? 'Test passed: ' : 'Test failed: '}</span>
            {test.result.message} <span className="muted">({test.result.elapsedMs} ms)</span>
          </span>
        )}
        {test.error && (
          <span className="text-bad">
            <span aria-hidden="true">✕ </span>
            {test.error}
          </span>
        )}
        {!test.result && !test.error && !test.running && r.lastTest && (
          <span className={r.lastTest.ok ? 'text-ok' : 'text-bad'}>
            <span aria-hidden="true">{r.lastTest.ok ? '✓ ' : '✕ '}</span>
            <span className="sr-only">{r.lastTest.ok ? 'Last test passed: ' : 'Last test failed: '}</span>
            {r.lastTest.message} <span className="muted">(tested {formatTime(r.lastTest.at)})</span>
          </span>
        )}
      </td>
    </tr>
  );
}
