/**
 * DIMSE Storage Commitment, 10,000 instances:
 *  1. N-ACTION -> N-EVENT-REPORT through Safekeep's SCP, side by side with Orthanc's SCP on the same instances;
 *  2. the DICOMweb -> DIMSE proxy (POST to Safekeep, forwarded to Orthanc) against the direct DIMSE path to Orthanc.
 *   npm run build && npx tsx bench/dimse.ts [--files 10000]
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildCommitmentRequest } from '../src-main/core/codec/request-json';
import { DimseListener } from '../src-main/core/dimse/listener';
import { setDimseLibraryLogLevel } from '../src-main/core/dimse/lib';
import { sendCommitmentRequest } from '../src-main/core/dimse/scu';
import type { CommitmentReport } from '../src-main/core/dimse/types';
import { flatRefs, getCommitment, postCommitment, randomUid } from '../test/support/commitment';
import { runCliToEnd, startServe } from '../test/support/cli';
import { freePort, startOrthanc } from '../test/support/orthanc';
import { benchLibrary } from './library';
import { arg, CACHE_DIR, fmt, table } from './support';

setDimseLibraryLogLevel('silent');
const files = arg('files', 10_000);
const { dir, instances } = benchLibrary(files, 2048, 100);
const refs = instances.map((i) => ({ sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid }));
const work = fs.mkdtempSync(path.join(CACHE_DIR, 'dimse-'));

// The bench is the SCU (AE BENCH): it sends N-ACTIONs and receives the reports on its own listener.
const reports = new Map<string, (r: CommitmentReport) => void>();
const scuListener = new DimseListener({
  aeTitle: 'BENCH',
  host: '127.0.0.1',
  port: 0,
  handlers: {
    admit: () => null,
    onNAction: async () => 0x0110,
    onEventReport: async (r) => {
      reports.get(r.transactionUid)?.(r);
      return 0;
    },
  },
});
const { port: benchPort } = await scuListener.start();
const safekeepDimsePort = await freePort();
const orthanc = await startOrthanc({
  modalities: { bench: ['BENCH', '127.0.0.1', benchPort], safekeep: ['SAFEKEEP', '127.0.0.1', safekeepDimsePort] },
  config: { StorageCommitmentReportsSize: 1000 },
});

async function commitVia(called: { aeTitle: string; port: number }): Promise<{ ms: number; committed: number }> {
  const uid = randomUid();
  const got = new Promise<CommitmentReport>((resolve) => reports.set(uid, resolve));
  const t = performance.now();
  const { status } = await sendCommitmentRequest({
    callingAeTitle: 'BENCH',
    called: { aeTitle: called.aeTitle, host: '127.0.0.1', port: called.port },
    timeoutMs: 600_000,
    transactionUid: uid,
    instances: refs,
    waitForReportMs: 0,
    onReport: async (r) => {
      reports.get(r.transactionUid)?.(r);
      return 0;
    },
  });
  if (status !== 0) throw new Error(`N-ACTION-RSP ${status.toString(16)} from ${called.aeTitle}`);
  const report = await got;
  return { ms: performance.now() - t, committed: report.committed.length };
}

let serve: Awaited<ReturnType<typeof startServe>> | undefined;
try {
  // Through Orthanc's REST API, 8 at a time: storescu takes ~90 ms per instance here (one association, in turn).
  console.log(`Storing ${files} instances into Orthanc (REST, 8 in parallel) ...`);
  const ts = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < instances.length) {
        const i = instances[next++]!;
        const res = await fetch(`${orthanc.url}/instances`, { method: 'POST', body: fs.readFileSync(i.path) });
        if (!res.ok) throw new Error(`Orthanc refused ${i.path}: ${res.status}`);
        await res.arrayBuffer();
      }
    }),
  );
  console.log(`  stored in ${fmt((performance.now() - ts) / 1000)} s`);

  const data = path.join(work, 'safekeep');
  await runCliToEnd(['remote', 'add', 'orthanc', '--dicom', `${orthanc.aeTitle}@127.0.0.1:${orthanc.dicomPort}`, '--ae-title', 'SAFEKEEP', '--per-request', String(files), '--data', data]);
  serve = await startServe([
    '--data', data, '--library', dir, '--token', 'bench=bench-secret', '--dimse-port', String(safekeepDimsePort), '--ae-title', 'SAFEKEEP',
    '--peer', `BENCH@127.0.0.1:${benchPort}`, '--policy', 'forward:orthanc',
  ]);

  const rows: (string | number)[][] = [['path', 'run', 'N-ACTION -> N-EVENT-REPORT (s)', 'committed']];
  const sk: number[] = [];
  const or: number[] = [];
  // One run each: Orthanc 1.10 takes minutes per 10,000-instance commitment on this machine.
  for (let run = 1; run <= 1; run++) {
    const s = await commitVia({ aeTitle: 'SAFEKEEP', port: safekeepDimsePort });
    const o = await commitVia({ aeTitle: orthanc.aeTitle, port: orthanc.dicomPort });
    sk.push(s.ms);
    or.push(o.ms);
    rows.push(['Safekeep SCP (library policy)', run, fmt(s.ms / 1000, 2), s.committed]);
    rows.push(['Orthanc 1.10 SCP', run, fmt(o.ms / 1000, 2), o.committed]);
  }

  // DICOMweb -> Safekeep -> Orthanc, against the direct DIMSE path measured above.
  const proxy: number[] = [];
  for (let run = 1; run <= 1; run++) {
    const uid = randomUid();
    const t = performance.now();
    let res = await postCommitment(serve.url, uid, flatRefs(refs), { token: 'bench-secret', body: JSON.stringify(buildCommitmentRequest(flatRefs(refs))) });
    while (res.status === 202) {
      await new Promise((r) => setTimeout(r, 50)); // polls faster than Retry-After on purpose: to time the proxy, not the wait
      res = await getCommitment(serve.url, uid, { token: 'bench-secret' });
    }
    const body = await res.text();
    if (res.status !== 200) throw new Error(`proxy answered ${res.status}: ${body.slice(0, 300)}`);
    const ms = performance.now() - t;
    proxy.push(ms);
    rows.push(['DICOMweb -> Safekeep proxy -> Orthanc', run, fmt(ms / 1000, 2), (JSON.parse(body)['00081199']?.Value ?? []).length]);
  }
  const best = (xs: number[]) => Math.min(...xs);
  console.log(`\nStorage Commitment of ${files} instances over DIMSE, loopback\n`);
  console.log(table(rows));
  console.log(`\nSafekeep SCP vs Orthanc SCP : ${fmt(best(or) / best(sk), 2)}x faster`);
  console.log(`DICOMweb -> DIMSE proxy overhead over the direct DIMSE path to Orthanc : ${fmt((best(proxy) / best(or) - 1) * 100, 1)} %`);
} finally {
  serve?.child.kill('SIGTERM');
  await serve?.exited;
  await orthanc.stop();
  await scuListener.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
