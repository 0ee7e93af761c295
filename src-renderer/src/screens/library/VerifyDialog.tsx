import { useState } from 'react';
import type { RequestForm } from '../../../../src-shared/commitment/model';
import type { Selection } from '../../../../src-shared/outgoing';
import { useApiMutation, useApiQuery } from '../../data/api-hooks';
import { useNavigation } from '../../state/navigation';
import { useToasts } from '../../state/toasts';
import { ErrorText } from '../../ui/ErrorText';
import { Field } from '../../ui/Field';
import { formatCount } from '../../ui/format';
import { Modal } from '../../ui/Modal';
import { DimseListenerStatus } from '../shared/DimseListenerStatus';

/** "Verify selected": choose the archive and the request form, then create the job. */
export function VerifyDialog({ selection, summary, onClose, onCreated }: { selection: Selection; summary: string; onClose(): void; onCreated(): void }) {
  const remotes = useApiQuery('remotes-list', {});
  const go = useNavigation((s) => s.go);
  const toast = useToasts((s) => s.show);
  const [remoteId, setRemoteId] = useState<number | null>(null);
  const [form, setForm] = useState<RequestForm>('study');
  const [label, setLabel] = useState('');
  const create = useApiMutation('outgoing-create', {
    invalidates: ['outgoing-list', 'outgoing-totals'],
    onSuccess: (r) => {
      toast('ok', `Job #${r.jobId}: ${formatCount(r.instances)} instance(s) in ${formatCount(r.requestIds.length)} request(s)`);
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
        Ask an archive to confirm that it safely keeps: <strong>{summary}</strong>.
      </p>
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
                  </option>
                ))}
              </select>
            )}
          </Field>
          {remote?.kind === 'dimse' && <DimseListenerStatus archive={remote.config} />}
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
          <Field label="Label (optional)" hint="Shown in the Outgoing list and in reports.">
            {({ id, describedBy }) => <input id={id} aria-describedby={describedBy} value={label} maxLength={200} onChange={(e) => setLabel(e.target.value)} />}
          </Field>
          <ErrorText error={create.error} prefix="Cannot create the request" />
          <div className="modal-actions">
            <button type="button" className="btn" onClick={onClose}>
              Close
            </button>
            <button type="submit" className="btn btn-primary" disabled={create.isPending || chosen === null}>
              {create.isPending ? 'Sending…' : 'Send commitment request'}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
