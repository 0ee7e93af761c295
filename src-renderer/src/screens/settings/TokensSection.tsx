import { useState } from 'react';
import { useApi } from '../../api/context';
import { call, useApiMutation, useApiQuery } from '../../data/api-hooks';
import { useQueryClient } from '@tanstack/react-query';
import { handlerKey } from '../../data/keys';
import { useToasts } from '../../state/toasts';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorText } from '../../ui/ErrorText';
import { Field } from '../../ui/Field';
import { formatTime } from '../../ui/format';
import { Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';

/** Access tokens of the origin server: each names a client. The secret is shown once, at creation. */
export function TokensSection({ authEnabled }: { authEnabled: boolean }) {
  const client = useApi();
  const qc = useQueryClient();
  const toast = useToasts((s) => s.show);
  const { data, error } = useApiQuery('tokens-list', {});
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ client: string; secret: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const create = useApiMutation('tokens-create', {
    invalidates: ['tokens-list'],
    onSuccess: (r) => {
      setCreated({ client: r.token.client, secret: r.secret });
      setCopied(false);
      setName('');
    },
  });

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied(true);
    } catch {
      toast('error', 'Copy failed: select the token and copy it by hand');
    }
  };

  return (
    <Section title="Access tokens">
      {!authEnabled && <p className="callout tone-warn">Authentication is off: tokens are not checked until Safekeep starts with authentication.</p>}
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ client: name.trim() });
        }}
      >
        <Field label="Client name" hint="Who will use the token (shown in Incoming), e.g. pacs-east.">
          {({ id, describedBy }) => <input id={id} value={name} aria-describedby={describedBy} onChange={(e) => setName(e.target.value)} maxLength={64} spellCheck={false} />}
        </Field>
        <button type="submit" className="btn btn-primary" disabled={!name.trim() || create.isPending}>
          Create token
        </button>
      </form>
      <ErrorText error={create.error} prefix="Cannot create the token" />
      {created && (
        <div className="callout tone-ok secret-once" role="status">
          <p>
            Token for <strong>{created.client}</strong> — copy it now, it is <strong>shown only once</strong>:
          </p>
          <p>
            <code className="selectable" data-testid="new-token">
              {created.secret}
            </code>{' '}
            <button type="button" className="btn btn-small" onClick={copy}>
              {copied ? 'Copied ✓' : 'Copy'}
            </button>{' '}
            <button type="button" className="btn btn-small" onClick={() => setCreated(null)}>
              Done
            </button>
          </p>
        </div>
      )}
      <ErrorText error={error} prefix="Cannot load the tokens" />
      {data && data.length === 0 && <EmptyState title="No token created in the app">Tokens given on the command line (--token) are not listed.</EmptyState>}
      {data && data.length > 0 && (
        <SimpleTable headers={['Client', 'Token starts with', 'Created', 'State', 'Actions']}>
          {data.map((t) => (
            <tr key={t.id}>
              <th scope="row">{t.client}</th>
              <td className="mono">{t.hint}…</td>
              <td>{formatTime(t.createdAt)}</td>
              <td>
                {t.revokedAt === null ? (
                  <span className="badge tone-ok">
                    <span aria-hidden="true">✓ </span>Active
                  </span>
                ) : (
                  <span className="badge tone-muted">
                    <span aria-hidden="true">⊘ </span>Revoked {formatTime(t.revokedAt)}
                  </span>
                )}
              </td>
              <td>
                {t.revokedAt === null && (
                  <ConfirmButton
                    className="btn btn-small btn-danger"
                    ariaLabel={`Revoke token of ${t.client}`}
                    title={`Revoke the token of “${t.client}”?`}
                    message={<p>{t.client} can no longer send commitment requests or use the app with this token. This cannot be undone.</p>}
                    confirmLabel="Revoke token"
                    onConfirm={async () => {
                      await call(client, 'tokens-revoke', { id: t.id });
                      void qc.invalidateQueries({ queryKey: handlerKey('tokens-list') });
                      toast('info', `Token of ${t.client} revoked`);
                    }}
                  >
                    Revoke…
                  </ConfirmButton>
                )}
              </td>
            </tr>
          ))}
        </SimpleTable>
      )}
    </Section>
  );
}
