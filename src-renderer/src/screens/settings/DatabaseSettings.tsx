import { useState } from 'react';
import type { Settings } from '../../../../src-shared/contract/handlers';
import { useApiMutation } from '../../data/api-hooks';
import { useToasts } from '../../state/toasts';
import { ErrorText } from '../../ui/ErrorText';
import { Field } from '../../ui/Field';
import { Section } from '../../ui/Section';

const SOURCE: Record<Settings['database']['source'], string> = {
  option: 'the --database option',
  environment: 'SAFEKEEP_DATABASE_URL',
  'data-folder': 'the data folder',
  default: 'the default',
};

/**
 * The store: SQLite in the data folder, or a PostgreSQL database shared by several Safekeep nodes. Kept beside
 * the data folder (database.json, its password sealed), since it cannot live in the database; applies at the next start.
 */
export function DatabaseSettings({ settings }: { settings: Settings }) {
  const { inUse, source, stored } = settings.database;
  // The stored URL comes back with its password hidden: the field starts empty, a URL typed replaces it whole.
  const [url, setUrl] = useState('');
  // Leaving SQLite: this workstation's history can come along (copied at the next start, into an empty database).
  const [importHistory, setImportHistory] = useState(true);
  const leavingSqlite = inUse === null && url.trim() !== '';
  const { importAtStart, lastImport } = settings.database;
  const toast = useToasts((s) => s.show);
  const save = useApiMutation('settings-database', {
    invalidates: ['settings-get'],
    onSuccess: () => {
      setUrl('');
      toast('ok', 'Database saved; it applies at the next start (restart Safekeep)');
    },
  });
  return (
    <Section title="Database">
      <p data-testid="database-in-use">
        This run: {inUse ? <span className="mono selectable">{inUse}</span> : 'SQLite in the data folder'} (from {SOURCE[source]})
      </p>
      <p className="muted" data-testid="database-stored">
        Next start: {stored ? <span className="mono selectable">{stored}</span> : 'SQLite in the data folder'}
        {source === 'option' || source === 'environment' ? ` — unless ${SOURCE[source]} names another` : ''}
      </p>
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ url: url.trim() || null, ...(leavingSqlite && importHistory ? { importHistory: true } : {}) });
        }}
      >
        <Field label="PostgreSQL URL" hint="postgres://user:password@host:5432/database, shared by every node; empty = SQLite in the data folder. Applies at the next start.">
          {({ id, describedBy }) => (
            <input id={id} value={url} type="password" autoComplete="off" aria-describedby={describedBy} onChange={(e) => setUrl(e.target.value)} spellCheck={false} />
          )}
        </Field>
        {leavingSqlite && (
          <label className="inline-field" data-testid="database-import-history">
            <input type="checkbox" checked={importHistory} onChange={(e) => setImportHistory(e.target.checked)} />
            Bring this workstation's history (jobs, verdicts, library, remotes) into the database at the next start; it
            must be empty then
          </label>
        )}
        <button type="submit" className="btn" disabled={save.isPending}>
          {url.trim() ? 'Save database' : 'Use SQLite'}
        </button>
        <ErrorText error={save.error} prefix="Cannot save" />
      </form>
      {settings.pendingRestart.includes('database') && (
        <p role="status">
          Restart Safekeep to use the database saved{importAtStart ? "; this workstation's history is copied into it then" : ''}.
        </p>
      )}
      {lastImport && (
        <p className={lastImport.error ? 'tone-bad' : 'muted'} data-testid="database-last-import">
          {lastImport.error
            ? `The history was not copied into the database (${new Date(lastImport.at).toLocaleString()}): ${lastImport.error}`
            : `History copied into the database at ${new Date(lastImport.at).toLocaleString()}: ${lastImport.rows} rows`}
        </p>
      )}
    </Section>
  );
}
