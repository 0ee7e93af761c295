import { useState } from 'react';
import type { Settings } from '../../../../src-shared/contract/handlers';
import { useApiMutation } from '../../data/api-hooks';
import { useToasts } from '../../state/toasts';
import { ErrorText } from '../../ui/ErrorText';
import { Field } from '../../ui/Field';
import { Section } from '../../ui/Section';

/** Where the origin server (and browser mode) listens. Applies at the next start. */
export function ServerSettings({ settings }: { settings: Settings }) {
  const [host, setHost] = useState(settings.server.host);
  const [port, setPort] = useState(String(settings.server.port));
  const [allowed, setAllowed] = useState(settings.server.allowedHosts.join(', '));
  const [portError, setPortError] = useState<string | null>(null);
  const toast = useToasts((s) => s.show);
  const save = useApiMutation('settings-update', { invalidates: ['settings-get'], onSuccess: () => toast('ok', 'Server settings saved; they apply at the next start') });
  const pending = settings.pendingRestart.includes('server');

  return (
    <Section title="Server">
      <p>
        {settings.server.url ? (
          <>
            Listening on <span className="mono selectable">{settings.server.url}</span>
          </>
        ) : (
          'Not listening'
        )}
        {' · '}
        {settings.server.authEnabled ? 'Clients need an access token' : <strong className="text-bad">Authentication is off (loopback only)</strong>}
      </p>
      {pending && (
        <p className="callout tone-warn" role="status">
          <span aria-hidden="true">⚠ </span>Changed: applies at the next start of Safekeep.
        </p>
      )}
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          const n = Number(port);
          if (!Number.isInteger(n) || n < 0 || n > 65535) return setPortError('A port is a whole number from 0 to 65535');
          setPortError(null);
          save.mutate({ server: { host: host.trim(), port: n, allowedHosts: allowed.split(/[\s,]+/).filter(Boolean) } });
        }}
      >
        <Field label="Host" hint="127.0.0.1 = this computer only; 0.0.0.0 = every network interface.">
          {({ id, describedBy }) => <input id={id} value={host} aria-describedby={describedBy} onChange={(e) => setHost(e.target.value)} spellCheck={false} />}
        </Field>
        <Field label="Port" error={portError} hint="Applies at next start">
          {({ id, describedBy, invalid }) => <input id={id} type="number" value={port} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => setPort(e.target.value)} />}
        </Field>
        <Field label="Allowed host names" hint="Names clients may use to reach Safekeep besides loopback and the host above, e.g. safekeep.example.org or *.example.org (comma-separated). Applies at once.">
          {({ id, describedBy }) => <input id={id} value={allowed} aria-describedby={describedBy} onChange={(e) => setAllowed(e.target.value)} spellCheck={false} />}
        </Field>
        <button type="submit" className="btn btn-primary" disabled={save.isPending || !host.trim()}>
          Save server settings
        </button>
      </form>
      <ErrorText error={save.error} prefix="Cannot save" />
    </Section>
  );
}
