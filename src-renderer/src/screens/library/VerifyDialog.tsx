import { useState } from 'react';
import type { RequestForm } from '../../../../src-shared/commitment/model';
import type { Selection } from '../../../../src-shared/outgoing';
import { useApiMutation, useApiQuery } from '../../data/api-hooks';
import { useNavigation } from '../../state/navigation';
import { useToasts } from '../../state/toasts';
import { ErrorText } from '../../ui/ErrorText';
import { Field } from '../../ui/Field';
import { formatCount, formatTime } from '../../ui/format';
import { Modal } from '../../ui/Modal';
import { call } from '../../data/api-hooks';
import { useApi } from '../../api/context';
import { ContentSampleField, NO_CONTENT_CHECK, sampleOf, type ContentChoice } from '../shared/ContentSampleField';
import { DimseListenerStatus } from '../shared/DimseListenerStatus';

/** "Verify selected": choose the archive and the request form, then create the job. */
export function VerifyDialog({ selection, summary, onClose, onCreated }: { selection: Selection; summary: string; onClose(): void; onCreated(): void }) {
  const remotes = useApiQuery('remotes-list', {});
  const count = useApiQuery('library-count-selection', { selection });
  const go = useNavigation((s) => s.go);
  const toast = useToasts((s) => s.show);
  const [remoteId, setRemoteId] = useState<number | null>(null);
  const [form, setForm] = useState<RequestForm>('study');
  const [label, setLabel] = useState('');
  const [content, setContent] = useState<ContentChoice>(NO_CONTENT_CHECK);
  const client = useApi();
  const sample = sampleOf(content);
  const create = useApiMutation('outgoing-create', {
    invalidates: ['outgoing-list', 'outgoing-totals'],
    onSuccess: (r, args) => {
      toast('ok', `Job #${r.jobId}: ${formatCount(r.instances)} instance(s) in ${formatCount(r.requestIds.length)} request(s)`);
      if (sample !== null && sample !== 'invalid') {
        // Runs in the core once the job's requests have their answers; the Report screen shows the outcome.
        call(client, 'migration-verify-content', { remoteId: args.remoteId, selection, sample, afterRequestIds: r.requestIds }).then(
          (c) => toast(c.counts.differs > 0 ? 'error' : 'ok', `Content of job #${r.jobId}: ${formatCount(c.counts.same + c.counts.transcoded)} of ${formatCount(c.checked)} the same, ${formatCount(c.counts.differs)} differ`),
          (e: Error) => toast('error', `Content check of job #${r.jobId}: ${e.message}`),
        );
      }
      onCreated();
      go({ screen: 'outgoing', ...(r.requestIds[0] ? { requestId: r.requestIds[0] } : {}) });
    },
  });

  const list = remotes.data ?? [];
  const chosen = remoteId ?? list[0]?.id ?? null;
  const remote = list.find((r) => r.id === chosen);

  return (
    <Modal title="Verify selected" onClose={onClose}>
      <p>
        Ask an archive to confirm that it safely keeps: <strong>{summary}</strong>
        {count.data && (
          <>
            {' '}
            — <strong data-testid="verify-instance-count">{formatCount(count.data.instances)}</strong> instance{count.data.instances === 1 ? '' : 's'}
          </>
        )}
        .
      </p>
      {count.data?.instances === 0 && (
        <p className="callout tone-warn" role="status">
          The selection holds no indexed instance: there is nothing to verify.
        </p>
      )}
      {remotes.isPending ? (
        <p aria-busy="true">Loading remotes…</p>
      ) : list.length === 0 ? (
        <div className="callout tone-warn" role="status">
          <p>No remote archive is set up yet.</p>
          <button type="button" className="btn" onClick={() => (onClose(), go({ screen: 'remotes' }))} data-autofocus>
            Add a remote…
          </button>
        </div>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (chosen === null) return;
            create.mutate({ remoteId: chosen, selection, form, ...(label.trim() ? { label: label.trim() } : {}) });
          }}
        >
          <Field label="Remote archive">
            {({ id }) => (
              <select id={id} value={chosen ?? ''} onChange={(e) => setRemoteId(Number(e.target.value))} data-autofocus>
                {list.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name} ({r.kind === 'dicomweb' ? r.config.baseUrl : `${r.config.aeTitle}@${r.config.host}:${r.config.port}`})
                    {r.lastTest?.ok === false ? ' — ⚠ last Test failed' : ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {remote?.kind === 'dimse' && <DimseListenerStatus archive={remote.config} />}
          {remote?.lastTest?.ok === false && (
            <div className="callout tone-warn" role="status" data-testid="verify-remote-warning">
              <p>
                <strong>The last Test of {remote.name} failed</strong> ({formatTime(remote.lastTest.at)}): {remote.lastTest.message}
              </p>
              <p>Requests to it will probably fail too. Test it again on the Remotes screen.</p>
            </div>
          )}
          <fieldset className="radio-group">
            <legend>Request form</legend>
            <label>
              <input type="radio" name="form" value="study" checked={form === 'study'} onChange={() => setForm('study')} /> One request per study (Referenced Study Sequence)
            </label>
            <label>
              <input type="radio" name="form" value="flat" checked={form === 'flat'} onChange={() => setForm('flat')} /> Flat list of instances (Referenced SOP Sequence)
            </label>
            {remote && (
              <p className="field-hint">
                At most {formatCount(remote.config.maxInstancesPerRequest)} instances per request to {remote.name}; bigger selections are split.
              </p>
            )}
          </fieldset>
          <ContentSampleField value={content} onChange={setContent} />
          <Field label="Label (optional)" hint="Shown in the Outgoing list and in reports.">
            {({ id, describedBy }) => <input id={id} aria-describedby={describedBy} value={label} maxLength={200} onChange={(e) => setLabel(e.target.value)} />}
          </Field>
          <ErrorText error={create.error} prefix="Cannot create the request" />
          <div className="modal-actions">
            <button type="button" className="btn" onClick={onClose}>
              Close
            </button>
            <button type="submit" className="btn btn-primary" disabled={create.isPending || chosen === null || count.data?.instances === 0 || sample === 'invalid'}>
              {create.isPending ? 'Sending…' : 'Send commitment request'}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
