import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliToEnd, spawnCli, startServe, type CliProcess } from '../support/cli';
import { answerFor, startFaultServer } from '../support/fault-server';
import { makeLibrary, tempDir, type GeneratedInstance } from '../support/fixtures';

describe('safekeep commit / status / report / resume (the built command)', () => {
  let root: string;
  let lib: string;
  let instances: GeneratedInstance[];
  let server: CliProcess & { url: string };
  const missing = new Set<string>();

  beforeAll(async () => {
    root = tempDir();
    lib = path.join(root, 'lib');
    instances = makeLibrary(lib, { studies: 2, seriesPerStudy: 1, instancesPerSeries: 4 });
    // The archive has every instance but two.
    const archive = path.join(root, 'archive');
    fs.mkdirSync(archive);
    instances.forEach((i, k) => {
      if (k === 1 || k === 6) missing.add(i.sopInstanceUid);
      else fs.copyFileSync(i.path, path.join(archive, `f${k}.dcm`));
    });
    server = await startServe(['--data', path.join(root, 'archive-data'), '--library', archive, '--token', 'cli=cli-secret']);
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    fs.rmSync(root, { recursive: true, force: true });
  });

  const to = () => `${server.url}/dicomweb`;

  it('exit 1 when some instances fail; the CSV report has one row per instance with the outcome and reason', async () => {
    const data = path.join(root, 'c1');
    const report = path.join(root, 'report1.csv');
    const r = await runCliToEnd(['commit', lib, '--to', to(), '--token', 'cli-secret', '--report', report, '--data', data, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Committed 6 of 8 instance\(s\) in 2 request\(s\); 2 failed; 0 not verified/);
    expect(r.stdout).toMatch(/failed: 2 × 0112H No such object instance/);
    const rows = parse(fs.readFileSync(report, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(8);
    for (const i of instances) {
      const row = rows.find((x) => x.sop_instance_uid === i.sopInstanceUid)!;
      expect(row).toMatchObject({ study_instance_uid: i.studyUid, series_instance_uid: i.seriesUid, sop_class_uid: i.sopClassUid, file_path: i.path, request_state: 'done' });
      if (missing.has(i.sopInstanceUid)) expect(row).toMatchObject({ outcome: 'failed', failure_reason: '0112H', failure_meaning: 'No such object instance' });
      else expect(row).toMatchObject({ outcome: 'committed', failure_reason: '' });
      expect(row.transaction_uid).toMatch(/^2\.25\.\d+$/);
    }

    // status lists both requests; status UID shows the instances.
    const status = await runCliToEnd(['status', '--data', data]);
    expect(status.code).toBe(0);
    const uids = [...status.stdout.matchAll(/(2\.25\.\d+)/g)].map((m) => m[1]!);
    expect(uids).toHaveLength(2);
    const one = await runCliToEnd(['status', uids[0]!, '--data', data]);
    expect(one.stdout).toMatch(/done/);
    expect(one.stdout.split('\n').filter((l) => /^\s+(committed|failed)\s/.test(l))).toHaveLength(4);

    // report --out gives the verdicts: the same rows (one per instance), in study order.
    const again = path.join(root, 'report1b.csv');
    const rep = await runCliToEnd(['report', '--out', again, '--data', data]);
    expect(rep.stdout).toMatch(/Wrote 8 row\(s\) to .* \(SHA-256 [0-9a-f]{64}\)/);
    const bySop = (a: Record<string, string>, b: Record<string, string>) => (a.sop_instance_uid! < b.sop_instance_uid! ? -1 : 1);
    expect((parse(fs.readFileSync(again, 'utf8'), { columns: true }) as Record<string, string>[]).sort(bySop)).toEqual([...rows].sort(bySop));
    // --remote by the DICOMweb base URL given to commit (with or without a trailing slash): the same verdicts, on stdout.
    for (const remote of [to(), `${to()}/`]) {
      const byUrl = await runCliToEnd(['report', '--remote', remote, '--data', data]);
      expect(byUrl.code, remote).toBe(0);
      expect(byUrl.stdout, remote).toBe(fs.readFileSync(again, 'utf8'));
    }
  });

  it('exit 0 when every instance is committed, with --json', async () => {
    const good = path.join(root, 'good');
    fs.mkdirSync(good);
    instances.filter((i) => !missing.has(i.sopInstanceUid)).forEach((i, k) => fs.copyFileSync(i.path, path.join(good, `g${k}.dcm`)));
    const all = await runCliToEnd(['commit', good, '--to', to(), '--token', 'cli-secret', '--json', '--flat', '--data', path.join(root, 'c4')]);
    expect(all.code).toBe(0);
    const j = JSON.parse(all.stdout);
    expect(j.totals).toMatchObject({ instances: 6, committed: 6, failed: 0, pending: 0, requests: 1 });
    expect(j.requests.every((x: { state: string }) => x.state === 'done')).toBe(true);
  });

  it('exit 2 for usage and connection errors, before anything is sent', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const cases: [string[], RegExp][] = [
      [['commit', lib, '--to', `http://127.0.0.1:${port}/dicomweb`], /Cannot use .*Connection refused/],
      [['commit', lib, '--to', to(), '--token', 'nope'], /refused the credentials/],
      [['commit', lib, '--to', 'ftp://x'], /Unsupported --to/],
      [['commit', lib, '--to', 'not a url'], /Invalid --to/],
      [['commit', lib, '--to', to(), '--token', 'a', '--basic', 'u:p'], /either --token or --basic/],
      [['commit', lib, '--to', to(), '--per-request', '0'], /Invalid --per-request/],
      [['commit', lib], /required option '--to <url>'/],
      [['commit', path.join(root, 'nothing-here'), '--to', to(), '--token', 'cli-secret'], /Cannot read .*nothing-here/],
      [['status', '2.25.1', '--data', path.join(root, 'c1')], /No outgoing request with Transaction UID 2\.25\.1/],
    ];
    for (const [args, re] of cases) {
      const extra = args[0] === 'commit' ? ['--quiet', '--data', path.join(root, 'c5')] : [];
      const r = await runCliToEnd([...args, ...extra]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(re);
    }
  });

  it('survives SIGKILL mid-way: "resume" finishes without re-posting what the archive accepted', async () => {
    let release = false;
    let stalledOne = false;
    const fault = await startFaultServer((req, { posted }) => {
      if (req.method === 'POST' && !stalledOne) {
        stalledOne = true;
        return { stall: true }; // accepted by the archive, but the answer never reaches the client
      }
      if (req.method === 'POST') return { status: 202, headers: { 'retry-after': '1' } };
      if (req.method === 'GET' && !posted.has(req.uid)) return { status: 404 };
      return release ? answerFor(posted.get(req.uid)!) : { status: 202, headers: { 'retry-after': '1' } };
    }, { known: new Set(instances.map((i) => i.sopInstanceUid)) });
    try {
      const data = path.join(root, 'kill');
      const first = spawnCli(['commit', lib, '--to', fault.url, '--per-request', '3', '--data', data, '--quiet']);
      // 8 instances in 2 studies, 3 per request: 4 requests. Wait until the archive got all 4 POSTs.
      while (fault.seen.filter((s) => s.method === 'POST').length < 4) await new Promise((r) => setTimeout(r, 50));
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      release = true;
      const report = path.join(root, 'kill.csv');
      const second = await runCliToEnd(['resume', '--data', data, '--report', report, '--quiet']);
      expect(second.stdout).toMatch(/Resuming 4 request\(s\)/);
      expect(second.code).toBe(0);
      const posts = fault.seen.filter((s) => s.method === 'POST').map((s) => s.uid);
      expect(posts).toHaveLength(4);
      expect(new Set(posts).size).toBe(4); // every transaction posted exactly once
      const rows = parse(fs.readFileSync(report, 'utf8'), { columns: true }) as Record<string, string>[];
      expect(rows).toHaveLength(8);
      expect(rows.every((r) => r.outcome === 'committed' && posts.includes(r.transaction_uid!))).toBe(true);
    } finally {
      await fault.close();
    }
  });
});
