import { useState } from 'react';
import type { Settings } from '../../../../src-shared/contract/handlers';
import { useApiMutation } from '../../data/api-hooks';
import { useToasts } from '../../state/toasts';
import { ErrorText } from '../../ui/ErrorText';
import { Field } from '../../ui/Field';
import { Section } from '../../ui/Section';
import { SaveActions } from './SaveActions';

/** A policy chooser: the options say what each policy does ("Forward to … committed when it commits"). */
function PolicySelect({ id, describedBy, value, policies, onChange }: { id: string; describedBy?: string; value: string; policies: Settings['policies']; onChange(v: string): void }) {
  return (
    <select id={id} value={value} aria-describedby={describedBy} onChange={(e) => onChange(e.target.value)}>
      {policies.map((p) => (
        <option key={p.id} value={p.id}>
          {p.id === 'library' ? 'Library' : p.id}: {p.description}
        </option>
      ))}
    </select>
  );
}

/**
 * How this workstation answers the commitment requests it receives: the policy of the
 * DICOMweb origin server and of the DIMSE SCP, how long results are kept, the sync window.
 */
export function CommitmentSettings({ settings }: { settings: Settings }) {
  const [policy, setPolicy] = useState(settings.policy);
  const [dimsePolicy, setDimsePolicy] = useState(settings.dimsePolicy);
  const [retention, setRetention] = useState(String(settings.retentionDays));
  const [sync, setSync] = useState(String(settings.syncWindowSeconds));
  const [errors, setErrors] = useState<{ retention?: string; sync?: string }>({});
  const toast = useToasts((s) => s.show);
  const save = useApiMutation('settings-update', { invalidates: ['settings-get'], onSuccess: () => toast('ok', 'Commitment settings saved') });

  return (
    <Section title="Commitment service">
      <form
        className="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          const r = Number(retention);
          const s = Number(sync);
          const errs: typeof errors = {};
          if (!(r > 0 && r <= 3650)) errs.retention = 'Between 1 and 3650 days';
          if (!(s >= 0 && s <= 600)) errs.sync = 'Between 0 and 600 seconds';
          setErrors(errs);
          if (Object.keys(errs).length) return;
          save.mutate({ policy, dimsePolicy, retentionDays: r, syncWindowSeconds: s });
        }}
      >
        <Field label="DICOMweb commitment policy" hint="How the origin server decides for requests it receives over DICOMweb.">
          {({ id, describedBy }) => <PolicySelect id={id} describedBy={describedBy} value={policy} policies={settings.policies} onChange={setPolicy} />}
        </Field>
        <Field label="DIMSE commitment policy" hint="How the DIMSE SCP decides for N-ACTION requests.">
          {({ id, describedBy }) => <PolicySelect id={id} describedBy={describedBy} value={dimsePolicy} policies={settings.policies} onChange={setDimsePolicy} />}
        </Field>
        <Field label="Keep results (days)" error={errors.retention} hint="How long a finished transaction’s result can be fetched.">
          {({ id, describedBy, invalid }) => <input id={id} type="number" value={retention} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => setRetention(e.target.value)} />}
        </Field>
        <Field label="Sync window (seconds)" error={errors.sync} hint="Answer 200 with the result when done within this time, else 202 (Working).">
          {({ id, describedBy, invalid }) => <input id={id} type="number" value={sync} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => setSync(e.target.value)} />}
        </Field>
        <SaveActions label="Save commitment settings" pending={save.isPending} />
      </form>
      <ErrorText error={save.error} prefix="Cannot save" />
    </Section>
  );
}
