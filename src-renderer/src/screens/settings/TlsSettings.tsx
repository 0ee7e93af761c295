import { useState } from 'react';
import type { Settings } from '../../../../src-shared/contract/handlers';
import { ServerTlsSchema } from '../../../../src-shared/tls';
import { useApiMutation } from '../../data/api-hooks';
import { useToasts } from '../../state/toasts';
import { ErrorText } from '../../ui/ErrorText';
import { Field } from '../../ui/Field';
import { Section } from '../../ui/Section';

type Files = { certFile: string; keyFile: string; caFile: string };

/**
 * Safekeep's certificate for every listener (HTTPS for the origin server and the app, DICOM TLS for the
 * listener): PEM file paths on the machine running Safekeep. Applies at the next start.
 */
export function TlsSettings({ settings }: { settings: Settings }) {
  const { stored, inUse } = settings.tls;
  const [files, setFiles] = useState<Files>({ certFile: stored?.certFile ?? '', keyFile: stored?.keyFile ?? '', caFile: stored?.caFile ?? '' });
  const [errors, setErrors] = useState<Partial<Files>>({});
  const toast = useToasts((s) => s.show);
  const save = useApiMutation('settings-update', { invalidates: ['settings-get'], onSuccess: () => toast('ok', 'TLS settings saved; they apply at the next start') });

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const parsed = ServerTlsSchema.safeParse({ certFile: files.certFile, keyFile: files.keyFile, caFile: files.caFile.trim() || null });
    if (!parsed.success) {
      setErrors(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), 'Enter the path of a PEM file'])));
      return;
    }
    setErrors({});
    save.mutate({ tls: parsed.data });
  };
  const input = (field: keyof Files, label: string, hint: string) => (
    <Field label={label} hint={hint} error={errors[field]}>
      {({ id, describedBy, invalid }) => (
        <input id={id} value={files[field]} aria-describedby={describedBy} aria-invalid={invalid} spellCheck={false} onChange={(e) => setFiles((f) => ({ ...f, [field]: e.target.value }))} />
      )}
    </Field>
  );

  return (
    <Section title="TLS">
      <p data-testid="tls-in-use">
        {inUse ? (
          <>
            This run: HTTPS and DICOM TLS only (TLS 1.2 or later, BCP 195), certificate <span className="mono selectable">{inUse.certFile}</span>
            {inUse.caFile ? <> · client certificates signed by <span className="mono selectable">{inUse.caFile}</span> required</> : ' · no client certificates asked'}
          </>
        ) : (
          'This run: plain HTTP and DICOM (no TLS)'
        )}
      </p>
      {settings.pendingRestart.includes('tls') && (
        <p className="callout tone-warn" role="status">
          <span aria-hidden="true">⚠ </span>Changed: applies at the next start of Safekeep.
        </p>
      )}
      <form className="form-grid" onSubmit={submit} noValidate aria-label="TLS settings">
        {input('certFile', 'Certificate file', 'Safekeep’s certificate (PEM), for HTTPS and DICOM TLS.')}
        {input('keyFile', 'Private key file', 'The PEM private key of the certificate.')}
        {input('caFile', 'Client CA file (optional)', 'When set, clients (browsers, DICOMweb and DICOM peers) must present a certificate signed by this CA.')}
        <div className="form-actions form-wide">
          {stored && (
            <button type="button" className="btn" disabled={save.isPending} onClick={() => save.mutate({ tls: null })}>
              Turn TLS off
            </button>
          )}
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            Save TLS settings
          </button>
        </div>
      </form>
      <ErrorText error={save.error} prefix="Cannot save" />
    </Section>
  );
}
