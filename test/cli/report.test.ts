import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliToEnd, startServe } from '../support/cli';
import { makeLibrary, tempDir, type GeneratedInstance } from '../support/fixtures';
import { freePort, startOrthanc, storeWithStorescu, type OrthancHandle } from '../support/orthanc';

type Row = Record<string, string>;

/**
 * `safekeep report` against a real Orthanc (DIMSE storage commitment SCP): verify a library of which
 * Orthanc lacks two instances, store them, resend the failed, and read the verdicts, the job report
 * and the safe-to-delete list.
 */
describe('safekeep report: verdicts and the safe-to-delete list (Orthanc)', () => {
  let root: string;
  let lib: string;
  let data: string;
  let instances: GeneratedInstance[];
  let missing: GeneratedInstance[];
  let orthanc: OrthancHandle;
  let port: number;
  let to: string;
  /** The app's job report after the resend (through serve's API). */
  let jobTotals: unknown;

  const api = async <T,>(url: string, name: string, body: unknown): Promise<T> => {
    const res = await fetch(`${url}/api/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-safekeep-request': '1' }, body: JSON.stringify(body) });
    const j = (await res.json()) as { ok: boolean; value: T; error?: unknown };
    if (!j.ok) throw new Error(`${name}: ${JSON.stringify(j.error)}`);
    return j.value;
  };
  const csv = (text: string) => parse(text, { columns: true }) as Row[];

  beforeAll(async () => {
    root = tempDir();
    lib = path.join(root, 'lib');
    data = path.join(root, 'data');
    instances = makeLibrary(lib, { studies: 2, seriesPerStudy: 1, instancesPerSeries: 3 });
    missing = [instances[1]!, instances[4]!];
    port = await freePort();
    orthanc = await startOrthanc({ modalities: { safekeep: ['SAFEKEEP', '127.0.0.1', port] } });
    await storeWithStorescu(instances.filter((i) => !missing.includes(i)).map((i) => i.path), { aeTitle: orthanc.aeTitle, port: orthanc.dicomPort });
    to = `dicom://${orthanc.aeTitle}@127.0.0.1:${orthanc.dicomPort}`;

    const commit = await runCliToEnd(['commit', lib, '--to', to, '--ae-title', 'SAFEKEEP', '--dimse-port', String(port), '--data', data, '--quiet']);
    expect(commit.stdout).toMatch(/Committed 4 of 6 instance\(s\) in 2 request\(s\); 2 failed/);
    expect(commit.code).toBe(1);

    // The missing ones go to Orthanc; then "Resend 1 not committed" for each request of the job, through the app's API.
    await storeWithStorescu(missing.map((i) => i.path), { aeTitle: orthanc.aeTitle, port: orthanc.dicomPort });
    const server = await startServe(['--data', data, '--no-auth', '--dimse-port', String(port), '--ae-title', 'SAFEKEEP']);
    try {
      const { rows } = await api<{ rows: { id: number; failedCount: number }[] }>(server.url, 'outgoing-list', { jobId: 1 });
      const resent = [];
      for (const r of rows.filter((x) => x.failedCount > 0)) resent.push((await api<{ id: number }>(server.url, 'outgoing-resend-failed', { id: r.id })).id);
      expect(resent).toHaveLength(2);
      for (const id of resent) {
        for (;;) {
          const r = await api<{ state: string }>(server.url, 'outgoing-get', { id });
          if (r.state === 'done') break;
          await new Promise((x) => setTimeout(x, 100));
        }
      }
      jobTotals = (await api<{ totals: unknown }>(server.url, 'report-summary', { jobId: 1 })).totals;
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 120_000);
  afterAll(async () => {
    await orthanc?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('without --job or --transaction: the verdicts on stdout, exactly one row per instance, all committed', async () => {
    const r = await runCliToEnd(['report', '--data', data]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const rows = csv(r.stdout);
    expect(rows.map((x) => x.sop_instance_uid).sort()).toEqual(instances.map((i) => i.sopInstanceUid).sort());
    expect(rows.every((x) => x.outcome === 'committed' && x.remote === `cli: ${to}`)).toBe(true);
    const resentRow = rows.find((x) => x.sop_instance_uid === missing[0]!.sopInstanceUid)!;
    expect(resentRow).toMatchObject({ patient_id: 'PID1', study_date: '20260101', file_path: missing[0]!.path, job_label: `6 instance(s) to cli: ${to}` });
    // Named by URL or by name, the same archive.
    for (const remote of [to, `cli: ${to}`]) {
      const again = await runCliToEnd(['report', '--remote', remote, '--data', data]);
      expect(again.stdout, remote).toBe(r.stdout);
    }
  });

  it('the job report adds up (each instance once, the resent ones committed); --job and --transaction keep the rows as sent', async () => {
    expect(jobTotals).toEqual({ instances: 6, committed: 6, failed: 0, pending: 0, neverAsked: null });
    const out = path.join(root, 'job.csv');
    const r = await runCliToEnd(['report', '--job', '1', '--out', out, '--data', data]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Wrote 8 row\(s\) to .*job\.csv \(SHA-256 [0-9a-f]{64}\)\n$/);
    const rows = csv(fs.readFileSync(out, 'utf8'));
    // Four requests: two per study, the second resending the one Orthanc lacked at first.
    expect(new Set(rows.map((x) => x.transaction_uid)).size).toBe(4);
    for (const m of missing) expect(rows.filter((x) => x.sop_instance_uid === m.sopInstanceUid).map((x) => x.outcome)).toEqual(['failed', 'committed']);
    expect(rows.every((x) => x.job_label === `6 instance(s) to cli: ${to}`)).toBe(true);

    const first = rows.find((x) => x.sop_instance_uid === instances[0]!.sopInstanceUid)!.transaction_uid!;
    const one = await runCliToEnd(['report', '--transaction', first, '--data', data]);
    const history = csv(one.stdout);
    // The first request of study 1, as sent: its instance that Orthanc lacked then is failed there.
    expect(history).toHaveLength(3);
    expect(history.find((x) => x.sop_instance_uid === missing[0]!.sopInstanceUid)).toMatchObject({ outcome: 'failed', failure_reason: '0112H', patient_id: 'PID1' });
  });

  it('--safe-to-delete: committed and unchanged files only; a file touched after verification and a deleted one are counted on stderr', async () => {
    const touched = instances[0]!.path;
    const gone = instances[5]!.path;
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(touched, later, later); // same size, another modification time
    fs.rmSync(gone);
    const r = await runCliToEnd(['report', '--safe-to-delete', '--remote', to, '--data', data]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(instances.filter((i) => i.path !== touched && i.path !== gone).map((i) => i.path).sort());
    expect(r.stderr).toMatch(/Safe to delete: 4 file\(s\) committed by "cli: dicom:.*" \(ORTHANC@127\.0\.0\.1:\d+\) and unchanged since verified/);
    expect(r.stderr).toMatch(/left out: 1 × committed, but the file changed since it was verified/);
    expect(r.stderr).toMatch(/left out: 1 × committed, but the file is not there any more/);

    const file = path.join(root, 'safe.txt');
    const w = await runCliToEnd(['report', '--safe-to-delete', '--out', file, '--data', data]);
    expect(w.stdout).toMatch(/Safe to delete: 4 file\(s\).*written to .*safe\.txt/);
    expect(fs.readFileSync(file, 'utf8')).toBe(r.stdout);
  });

  it('usage errors (exit 2): an unknown remote lists the known ones', async () => {
    const r = await runCliToEnd(['report', '--remote', 'nope', '--data', data]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown remote "nope": known archives: "cli: dicom:\/\/ORTHANC@127\.0\.0\.1:\d+" \(ORTHANC@127\.0\.0\.1:\d+\)/);
    const both = await runCliToEnd(['report', '--safe-to-delete', '--job', '1', '--data', data]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--safe-to-delete is about an archive/);
    const noJob = await runCliToEnd(['report', '--job', '9', '--data', data]);
    expect(noJob.code).toBe(2);
    expect(noJob.stderr).toMatch(/No job 9/);
  });
});
