import { useState } from 'react';
import type { Settings } from '../../../../src-shared/contract/handlers';
import { useApiMutation } from '../../data/api-hooks';
import { useToasts } from '../../state/toasts';
import { ErrorText } from '../../ui/ErrorText';
import { Field } from '../../ui/Field';

/** Where the audit trail also goes: a syslog collector (RFC 5424 over UDP or TLS). Applies at the next start. */
export function AuditCollector({ settings }: { settings: Settings }) {
  const [url, setUrl] = useState(settings.auditSyslog?.url ?? '');
  const [caFile, setCaFile] = useState(settings.auditSyslog?.caFile ?? '');
  const toast = useToasts((s) => s.show);
  const save = useApiMutation('settings-update', { invalidates: ['settings-get'], onSuccess: () => toast('ok', 'Syslog collector saved; it applies at the next start') });
  return (
    <form
      className="form-row"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({ auditSyslog: url.trim() ? { url: url.trim(), caFile: caFile.trim() || null } : null });
      }}
    >
      <Field label="Syslog collector" hint="udp://host:514 or tls://host:6514; empty = the file in the data folder only. Applies at the next start.">
        {({ id, describedBy }) => <input id={id} value={url} aria-describedby={describedBy} onChange={(e) => setUrl(e.target.value)} spellCheck={false} />}
      </Field>
      <Field label="Collector CA file" hint="For tls://: the CA certificate (PEM) that signed the collector's certificate.">
        {({ id, describedBy }) => <input id={id} value={caFile} aria-describedby={describedBy} onChange={(e) => setCaFile(e.target.value)} spellCheck={false} />}
      </Field>
      <button type="submit" className="btn" disabled={save.isPending}>
        Save collector
      </button>
      <ErrorText error={save.error} prefix="Cannot save" />
    </form>
  );
}
