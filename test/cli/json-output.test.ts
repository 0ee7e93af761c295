import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliToEnd, SAFEKEEP_BIN } from '../support/cli';
import { answerFor, startFaultServer } from '../support/fault-server';
import { makeLibrary, tempDir } from '../support/fixtures';
import { orthancWithLibrary, type OrthancHandle } from '../support/orthanc';

/** stdout holds exactly one JSON document: parses as a whole, nothing before or after it. */
function onlyJson(stdout: string): unknown {
  expect(stdout.trimStart().startsWith('{'), stdout.slice(0, 200)).toBe(true);
  return JSON.parse(stdout);
}

/** Runs the built command through a real shell pipe into a reader that starts reading only after a second. */
function throughSlowPipe(args: string[]): Promise<{ code: number; text: string }> {
  const quoted = [process.execPath, SAFEKEEP_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', `${quoted} | (sleep 1; cat); exit \${PIPESTATUS[0]}`], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ code: err ? Number(err.code) : 0, text: stdout });
    });
  });
}

describe('--json prints exactly one JSON document on stdout; library logs never go there', () => {
  let root: string;
  let lib: string;
  let orthanc: OrthancHandle;
  let safekeepPort: number;
  const data = () => path.join(root, 'data');

  beforeAll(async () => {
    root = tempDir();
    ({ lib, orthanc, safekeepPort } = await orthancWithLibrary(root, { studies: 1, seriesPerStudy: 2, instancesPerSeries: 3 }, 5));
  }, 60_000);
  afterAll(async () => {
    await orthanc?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const dimseCommit = (extra: string[]) =>
    runCliToEnd(['commit', lib, '--to', `dicom://${orthanc.aeTitle}@127.0.0.1:${orthanc.dicomPort}`, '--dimse-port', String(safekeepPort), '--data', data(), ...extra]);

  it('commit --json to a DIMSE archive (Orthanc): one document, no dcmjs-dimse PDU lines anywhere at the default level', async () => {
    const r = await dimseCommit(['--json']);
    expect(r.code).toBe(1); // one instance is not in Orthanc
    const j = onlyJson(r.stdout) as { totals: { instances: number; committed: number; failed: number }; requests: { transactionUid: string }[] };
    expect(j.totals).toMatchObject({ instances: 6, committed: 5, failed: 1 });
    expect(r.stderr).not.toMatch(/Association|PDU|INFO/);
  });

  it('--log-level info sends the library chatter to stderr (or --log-file), still never to stdout', async () => {
    const r = await dimseCommit(['--json', '--log-level', 'info']);
    onlyJson(r.stdout);
    expect(r.stderr).toMatch(/INFO \[dcmjs-dimse\] .*Association request/);
    const logFile = path.join(root, 'safekeep.log');
    const f = await runCliToEnd(['--log-level', 'debug', '--log-file', logFile, 'commit', lib, '--to', `dicom://${orthanc.aeTitle}@127.0.0.1:${orthanc.dicomPort}`, '--dimse-port', String(safekeepPort), '--data', data(), '--json']);
    onlyJson(f.stdout);
    expect(f.stderr).not.toMatch(/dcmjs-dimse/);
    expect(fs.readFileSync(logFile, 'utf8')).toMatch(/INFO \[dcmjs-dimse\] .*Association accept/);
    // The level can also come from the environment.
    const env = await runCliToEnd(['status', '--json', '--data', data()], { SAFEKEEP_LOG_LEVEL: 'loud' });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/Invalid SAFEKEEP_LOG_LEVEL "loud": use one of trace, debug, info, warn, error, silent/);
    const flag = await runCliToEnd(['status', '--log-level', 'chatty', '--data', data()]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/Invalid --log-level "chatty"/);
  });

  it('status, scan and resume --json are one document each; report writes only its one line', async () => {
    const status = await runCliToEnd(['status', '--json', '--data', data()]);
    expect(status.code).toBe(0);
    expect((onlyJson(status.stdout) as { total: number }).total).toBeGreaterThanOrEqual(3);
    const scan = await runCliToEnd(['scan', lib, '--json', '--data', data()]);
    expect((onlyJson(scan.stdout) as { instances: number }).instances).toBe(6);
    const resume = await runCliToEnd(['resume', '--json', '--data', data()]);
    expect(resume.code).toBe(0);
    expect(onlyJson(resume.stdout)).toMatchObject({ totals: { requests: 0 }, requests: [] });
    const report = await runCliToEnd(['report', '--out', path.join(root, 'r.csv'), '--data', data()]);
    expect(report.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('resend --failed-only --json to the DIMSE archive: Safekeep listens for the report again; one document, exit 1 as the instance is still missing', async () => {
    const r = await runCliToEnd(['resend', '--job', '1', '--failed-only', '--json', '--dimse-port', String(safekeepPort), '--data', data()]);
    expect(r.code).toBe(1);
    expect(onlyJson(r.stdout)).toMatchObject({ jobId: 1, totals: { requests: 1, instances: 1, committed: 0, failed: 1 } });
    expect(r.stderr).toBe('');
  });

  it('more than 64 KiB through a pipe to a slow reader arrives whole, and the exit code is kept', async () => {
    // 300 instances, 2 per request: 150 requests (status --json ≈ 120 KB) and one request of 300 instances.
    const big = path.join(root, 'big');
    const bigInstances = makeLibrary(big, { studies: 1, seriesPerStudy: 3, instancesPerSeries: 100 });
    const fault = await startFaultServer((req, { posted }) => (req.method === 'POST' ? answerFor(posted.get(req.uid)!) : { status: 404 }), {
      known: new Set(bigInstances.map((i) => i.sopInstanceUid)),
    });
    try {
      const bigData = path.join(root, 'big-data');
      const many = await runCliToEnd(['commit', big, '--to', fault.url, '--flat', '--per-request', '2', '--data', bigData, '--quiet']);
      expect(many.code).toBe(0);
      const one = await runCliToEnd(['commit', big, '--to', fault.url, '--flat', '--data', path.join(root, 'big-one'), '--json']);
      const uid = (onlyJson(one.stdout) as { requests: { transactionUid: string }[] }).requests[0]!.transactionUid;

      const list = await throughSlowPipe(['status', '--json', '--data', bigData]);
      expect(list.code).toBe(0);
      expect(list.text.length).toBeGreaterThan(100_000);
      const j = JSON.parse(list.text) as { total: number; requests: unknown[] };
      expect(j.total).toBe(150);
      expect(j.requests).toHaveLength(150);

      const detail = await throughSlowPipe(['status', uid, '--json', '--data', path.join(root, 'big-one')]);
      expect(detail.text.length).toBeGreaterThan(65_536);
      expect((JSON.parse(detail.text) as { instances: { sopInstanceUid: string }[] }).instances.map((i) => i.sopInstanceUid).sort()).toEqual(
        bigInstances.map((i) => i.sopInstanceUid).sort(),
      );

      // A failing command's exit code survives the wait for the pipe.
      const missing = await throughSlowPipe(['status', '2.25.1', '--data', bigData]);
      expect(missing.code).toBe(2);

      // And to a file.
      const file = path.join(root, 'status.json');
      await new Promise<void>((resolve, reject) =>
        execFile('bash', ['-c', `'${process.execPath}' '${SAFEKEEP_BIN}' status --json --data '${bigData}' > '${file}'`], (err) => (err ? reject(err) : resolve())),
      );
      expect((JSON.parse(fs.readFileSync(file, 'utf8')) as { requests: unknown[] }).requests).toHaveLength(150);
    } finally {
      await fault.close();
    }
  });
});
