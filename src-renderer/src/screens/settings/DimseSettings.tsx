import { useState } from 'react';
import type { Settings } from '../../../../src-shared/contract/handlers';
import { AE_TITLE } from '../../../../src-shared/remotes';
import { useApiMutation } from '../../data/api-hooks';
import { useToasts } from '../../state/toasts';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorText } from '../../ui/ErrorText';
import { Field } from '../../ui/Field';
import { Section } from '../../ui/Section';
import { SimpleTable } from '../../ui/SimpleTable';
import { DimseListenerStatus } from '../shared/DimseListenerStatus';
import { SaveActions } from './SaveActions';

type Peer = Settings['dimse']['peers'][number];

/**
 * The DIMSE side: this workstation's AE title, listen address and port (where archives send their
 * reports; the listener restarts on a change), the report timeout, and the peers allowed to ask it.
 */
export function DimseSettings({ settings }: { settings: Settings }) {
  const [aeTitle, setAeTitle] = useState(settings.dimse.aeTitle);
  const [host, setHost] = useState(settings.dimse.host);
  const [port, setPort] = useState(String(settings.dimse.port));
  const [reportTimeout, setReportTimeout] = useState(String(settings.reportTimeoutMinutes));
  const [peers, setPeers] = useState<Peer[]>(settings.dimse.peers);
  const [newPeer, setNewPeer] = useState({ aeTitle: '', host: '', port: '104' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const toast = useToasts((s) => s.show);
  const save = useApiMutation('settings-update', { invalidates: ['settings-get'], onSuccess: () => toast('ok', 'DIMSE settings saved') });

  const addPeer = () => {
    const errs: Record<string, string> = {};
    const ae = AE_TITLE.safeParse(newPeer.aeTitle);
    if (!ae.success) errs.peerAe = ae.error.issues[0]!.message;
    if (!newPeer.host.trim()) errs.peerHost = 'Enter the host';
    const p = Number(newPeer.port);
    if (!Number.isInteger(p) || p < 1 || p > 65535) errs.peerPort = 'A port is 1 to 65535';
    if (peers.some((x) => x.aeTitle === newPeer.aeTitle)) errs.peerAe = `${newPeer.aeTitle} is already a peer`;
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setPeers([...peers, { aeTitle: newPeer.aeTitle, host: newPeer.host.trim(), port: p }]);
    setNewPeer({ aeTitle: '', host: '', port: '104' });
  };

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const ae = AE_TITLE.safeParse(aeTitle);
    if (!ae.success) errs.aeTitle = ae.error.issues[0]!.message;
    const p = Number(port);
    if (!Number.isInteger(p) || p < 0 || p > 65535) errs.port = 'A port is 0 to 65535';
    if (!host.trim()) errs.host = 'Enter a listen address, e.g. 127.0.0.1 or 0.0.0.0';
    const minutes = Number(reportTimeout);
    if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 7 * 24 * 60) errs.reportTimeout = 'Minutes, more than 0 and at most a week';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    save.mutate({ dimse: { aeTitle, host: host.trim(), port: p, peers }, reportTimeoutMinutes: minutes });
  };

  return (
    <Section title="DIMSE">
      <DimseListenerStatus />
      <form onSubmit={submit}>
        <div className="form-row">
          <Field label="AE title" error={errors.aeTitle}>
            {({ id, describedBy, invalid }) => <input id={id} value={aeTitle} maxLength={16} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => setAeTitle(e.target.value)} />}
          </Field>
          <Field label="Listen address" error={errors.host} hint="127.0.0.1: only archives on this machine can send reports; 0.0.0.0: every network interface">
            {({ id, describedBy, invalid }) => <input id={id} value={host} spellCheck={false} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => setHost(e.target.value)} />}
          </Field>
          <Field label="Port" error={errors.port} hint="The listener restarts when you save">
            {({ id, describedBy, invalid }) => <input id={id} type="number" value={port} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => setPort(e.target.value)} />}
          </Field>
          <Field label="Report timeout (minutes)" error={errors.reportTimeout} hint="After this, a request without N-EVENT-REPORT says so (it keeps waiting until its deadline)">
            {({ id, describedBy, invalid }) => (
              <input id={id} type="number" value={reportTimeout} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => setReportTimeout(e.target.value)} />
            )}
          </Field>
        </div>
        <h3>Peers</h3>
        {peers.length === 0 ? (
          <EmptyState title="No DIMSE peer">Add the AE titles allowed to send commitment requests to this workstation.</EmptyState>
        ) : (
          <SimpleTable headers={['AE title', 'Host', 'Port', 'Actions']}>
            {peers.map((p) => (
              <tr key={p.aeTitle}>
                <th scope="row" className="mono">
                  {p.aeTitle}
                </th>
                <td>{p.host}</td>
                <td>{p.port}</td>
                <td>
                  <button type="button" className="btn btn-small btn-danger" aria-label={`Remove peer ${p.aeTitle}`} onClick={() => setPeers(peers.filter((x) => x !== p))}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </SimpleTable>
        )}
        <div className="form-row" role="group" aria-label="New peer">
          <Field label="Peer AE title" error={errors.peerAe}>
            {({ id, describedBy, invalid }) => (
              <input id={id} value={newPeer.aeTitle} maxLength={16} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => setNewPeer({ ...newPeer, aeTitle: e.target.value })} />
            )}
          </Field>
          <Field label="Peer host" error={errors.peerHost}>
            {({ id, describedBy, invalid }) => <input id={id} value={newPeer.host} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => setNewPeer({ ...newPeer, host: e.target.value })} />}
          </Field>
          <Field label="Peer port" error={errors.peerPort}>
            {({ id, describedBy, invalid }) => (
              <input id={id} type="number" value={newPeer.port} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => setNewPeer({ ...newPeer, port: e.target.value })} />
            )}
          </Field>
          <button type="button" className="btn" onClick={addPeer}>
            Add peer
          </button>
        </div>
        <p className="field-hint">Peer removals and additions are stored when you save.</p>
        <SaveActions label="Save DIMSE settings" pending={save.isPending} />
      </form>
      <ErrorText error={save.error} prefix="Cannot save" />
    </Section>
  );
}
