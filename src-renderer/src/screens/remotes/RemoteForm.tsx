import { useState, type ReactNode } from 'react';
import type { RemoteView } from '../../../../src-shared/remotes';
import { useApiMutation } from '../../data/api-hooks';
import { useToasts } from '../../state/toasts';
import { ErrorText } from '../../ui/ErrorText';
import { Field } from '../../ui/Field';
import { DimseListenerStatus } from '../shared/DimseListenerStatus';
import { draftOf, draftToInput, emptyDraft, type DicomwebDraft, type DimseDraft, type DraftErrors, type RemoteDraft } from './remote-draft';

/** Add or edit a remote archive. Secrets are write-only: the form says whether one is set, never what it is. */
export function RemoteForm({ remote, kind, onDone }: { remote: RemoteView | null; kind: RemoteDraft['kind']; onDone(saved: RemoteView | null): void }) {
  const [draft, setDraft] = useState<RemoteDraft>(() => (remote ? draftOf(remote) : emptyDraft(kind)));
  const [errors, setErrors] = useState<DraftErrors>({});
  const toast = useToasts((s) => s.show);
  const save = useApiMutation('remotes-save', {
    invalidates: ['remotes-list'],
    onSuccess: (v) => {
      toast('ok', `Remote “${v.name}” saved`);
      onDone(v);
    },
  });
  const update = (patch: Partial<DicomwebDraft> | Partial<DimseDraft>) => setDraft((d) => ({ ...d, ...patch }) as RemoteDraft);
  const existing = remote ? { hasSecret: remote.hasSecret } : null;

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const { input, errors: errs } = draftToInput(draft, existing);
    setErrors(errs);
    if (!input) return;
    save.mutate({ ...(remote ? { id: remote.id } : {}), input });
  };

  const text = (field: string, label: string, o: { hint?: string; type?: string; placeholder?: string; required?: boolean } = {}) => (
    <Field label={label} hint={o.hint} error={errors[field]}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          type={o.type ?? 'text'}
          value={(draft as unknown as Record<string, string>)[field] ?? ''}
          placeholder={o.placeholder}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          aria-required={o.required}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => update({ [field]: e.target.value })}
        />
      )}
    </Field>
  );

  const title = remote ? `Edit ${remote.name}` : draft.kind === 'dicomweb' ? 'Add a DICOMweb remote' : 'Add a DIMSE remote';
  return (
    <form className="remote-form panel" onSubmit={submit} aria-label={title} noValidate>
      <h2>{title}</h2>
      <div className="form-grid">
        {text('name', 'Name', { required: true, placeholder: 'Main archive' })}
        {draft.kind === 'dicomweb' ? (
          <>
            {text('baseUrl', 'Base URL', { required: true, placeholder: 'https://archive:8080/dicomweb', hint: 'The DICOMweb service root; requests go to …/commitment-requests/{Transaction UID}.' })}
            <Field label="Authentication">
              {({ id }) => (
                <select id={id} value={draft.auth} onChange={(e) => update({ auth: e.target.value as DicomwebDraft['auth'] })}>
                  <option value="none">None</option>
                  <option value="bearer">Bearer token</option>
                  <option value="basic">Basic (user name and password)</option>
                </select>
              )}
            </Field>
            {draft.auth === 'basic' && text('username', 'User name', { required: true })}
            {draft.auth !== 'none' && <SecretField draft={draft} hasSecret={remote?.hasSecret ?? false} error={errors.secret} update={update} />}
            {text('stowBaseUrl', 'STOW-RS base URL (optional)', { placeholder: 'the base URL', hint: 'Where “Send missing” stores instances (…/studies).' })}
            {text('qidoBaseUrl', 'QIDO-RS base URL (optional)', { placeholder: 'the base URL', hint: 'Where “Compare” reads the archive’s own listing (…/studies/{study}/instances) and “Verify content” retrieves its copies (WADO-RS).' })}
            {text('caFile', 'CA certificate file (optional)', { placeholder: '/etc/ssl/archive-ca.pem', hint: 'A PEM file to trust for this archive, besides the system’s certificates.' })}
            {text('certFile', 'Client certificate file (optional)', { placeholder: '/etc/safekeep/client.pem', hint: 'For an archive that asks for a client certificate (hospital PKI); a PEM file.' })}
            {text('keyFile', 'Client private key file', { placeholder: '/etc/safekeep/client.key', hint: 'The PEM private key of the client certificate.' })}
            <div className={`field checkbox-field ${draft.insecureSkipVerify ? 'is-unsafe' : ''}`}>
              <label>
                <input type="checkbox" checked={draft.insecureSkipVerify} onChange={(e) => update({ insecureSkipVerify: e.target.checked })} /> Skip TLS certificate
                verification <span className="badge tone-bad">UNSAFE</span>
              </label>
              <p className="field-hint">Anyone on the network path could pose as this archive and confirm instances it does not keep. For tests only.</p>
            </div>
          </>
        ) : (
          <>
            {text('aeTitle', 'Called AE title', { required: true, placeholder: 'ARCHIVE' })}
            {text('host', 'Host', { required: true, placeholder: 'archive.example.org' })}
            {text('port', 'Port', { required: true, type: 'number' })}
            {text('callingAeTitle', 'Calling AE title', { hint: 'Safekeep’s own AE title on associations to this archive (the archive must know it).' })}
            {text('storageAeTitle', 'Storage AE title (optional)', { placeholder: 'the called AE title', hint: 'Where “Send missing” stores instances (C-STORE), on the same host and port.' })}
            <div className="field checkbox-field form-wide">
              <label>
                <input type="checkbox" checked={draft.tls} onChange={(e) => update({ tls: e.target.checked })} /> DICOM TLS (TLS 1.2 or later, BCP 195)
              </label>
              <p className="field-hint">Every association to this archive is encrypted and its certificate checked against the CA file.</p>
            </div>
            {draft.tls && (
              <>
                {text('tlsCaFile', 'Archive CA certificate file', { required: true, placeholder: '/etc/safekeep/pacs-ca.pem' })}
                {text('tlsCertFile', 'Client certificate file (optional)', { placeholder: '/etc/safekeep/client.pem', hint: 'When the archive requires one.' })}
                {text('tlsKeyFile', 'Client private key file', { placeholder: '/etc/safekeep/client.key' })}
              </>
            )}
            <div className="form-wide">
              <DimseListenerStatus archive={{ host: draft.host.trim(), callingAeTitle: draft.callingAeTitle.trim() }} detailed />
            </div>
          </>
        )}
        {text('timeoutSeconds', 'Timeout (seconds)', { type: 'number' })}
        {text('maxInstancesPerRequest', 'Max instances per request', { type: 'number', hint: 'Bigger selections are split into several requests.' })}
        {text('concurrency', 'Concurrent requests', { type: 'number' })}
        {text('deadlineHours', 'Deadline (hours)', { type: 'number', hint: draft.kind === 'dicomweb' ? 'A request still Working after this is marked timed out.' : 'How long to wait for the N-EVENT-REPORT.' })}
      </div>
      <ErrorText error={save.error} prefix="Cannot save" />
      <div className="form-actions">
        <button type="button" className="btn" onClick={() => onDone(null)}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save remote'}
        </button>
      </div>
    </form>
  );
}

/** The write-only secret: "Secret set" with Replace/Remove for a stored one, else a password field. */
function SecretField({ draft, hasSecret, error, update }: { draft: DicomwebDraft; hasSecret: boolean; error: string | undefined; update(p: Partial<DicomwebDraft>): void }) {
  const label = draft.auth === 'bearer' ? 'Bearer token' : 'Password';
  if (hasSecret && draft.secretAction === 'keep') {
    return (
      <StoredSecret label={label} error={error}>
        <span className="badge tone-ok">
          <span aria-hidden="true">● </span>Secret set
        </span>{' '}
        <span className="muted">(not shown)</span>
        <button type="button" className="btn btn-small" onClick={() => update({ secretAction: 'replace', secret: '' })}>
          Replace…
        </button>
        <button type="button" className="btn btn-small" onClick={() => update({ secretAction: 'remove', secret: '' })}>
          Remove
        </button>
      </StoredSecret>
    );
  }
  if (hasSecret && draft.secretAction === 'remove') {
    return (
      <StoredSecret label={label} error={error}>
        <span className="badge tone-warn">
          <span aria-hidden="true">⚠ </span>Removed when you save
        </span>
        <button type="button" className="btn btn-small" onClick={() => update({ secretAction: 'keep' })}>
          Undo
        </button>
      </StoredSecret>
    );
  }
  return (
    <Field label={hasSecret ? `New ${label.toLowerCase()}` : label} error={error} hint={hasSecret ? 'Replaces the stored one when you save.' : 'Stored on this workstation; never shown again.'}>
      {({ id, describedBy, invalid }) => (
        <div className="secret-input">
          <input
            id={id}
            type="password"
            autoComplete="new-password"
            value={draft.secret}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            onChange={(e) => update({ secret: e.target.value })}
          />
          {hasSecret && (
            <button type="button" className="btn btn-small" onClick={() => update({ secretAction: 'keep', secret: '' })}>
              Keep the current one
            </button>
          )}
        </div>
      )}
    </Field>
  );
}

/** What happens to the stored secret (kept, or removed at the save), and the buttons to change that. */
function StoredSecret({ label, error, children }: { label: string; error: string | undefined; children: ReactNode }) {
  return (
    <div className={`field ${error ? 'has-error' : ''}`}>
      <span className="field-label">{label}</span>
      <p className="secret-set" data-testid="secret-state">
        {children}
      </p>
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}
