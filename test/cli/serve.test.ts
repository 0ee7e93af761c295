import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommitmentResponse } from '../../src-main/core/codec/response-json';
import { flatRefs, postCommitment, randomUid, unknownInstance } from '../support/commitment';
import { runCliToEnd, spawnCli, startServe } from '../support/cli';
import { makeLibrary, tempDir, type GeneratedInstance } from '../support/fixtures';

describe('safekeep serve / scan (the built command)', () => {
  let root: string;
  let lib: string;
  let instances: GeneratedInstance[];

  beforeAll(() => {
    root = tempDir();
    lib = path.join(root, 'lib');
    instances = makeLibrary(lib, { studies: 2, seriesPerStudy: 1, instancesPerSeries: 3 });
    fs.writeFileSync(path.join(lib, 'notes.txt'), 'hello');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('scans the library, serves a real POST, and stops cleanly on SIGTERM', async () => {
    const data = path.join(root, 'data1');
    const p = await startServe(['--data', data, '--library', lib, '--token', 'pacs=s3cret']);
    expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(p.stdout()).toMatch(/Library: 2 studies, 2 series, 6 instances/);
    const res = await postCommitment(p.url, randomUid(), flatRefs([instances[0]!, unknownInstance()]), { token: 's3cret' });
    expect(res.status).toBe(200);
    const result = parseCommitmentResponse(await res.json());
    expect(result.committed).toHaveLength(1);
    expect(result.failed[0]!.failureReason).toBe(0x0112);
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.stdout()).toMatch(/Received SIGTERM, stopping/);
  });

  it('creates and prints a token for client "local" when none is configured', async () => {
    const p = await startServe(['--data', path.join(root, 'data2'), '--library', lib]);
    const token = p.stdout().match(/created for client "local" \(shown only now\): (\S+)/)![1]!;
    const res = await postCommitment(p.url, randomUid(), flatRefs([instances[1]!]), { token });
    expect(res.status).toBe(200);
    expect((await postCommitment(p.url, randomUid(), flatRefs([instances[1]!]), {})).status).toBe(401);
    p.child.kill('SIGINT');
    expect((await p.exited).code).toBe(0);
  });

  it('exits 2 with a clear message for a port in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await runCliToEnd(['serve', '--data', path.join(root, 'data3'), '--port', String(port), '--no-auth', '--quiet']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('exits 2 for bad arguments', async () => {
    const cases: [string[], RegExp][] = [
      [['serve', '--port', 'abc'], /Invalid port "abc"/],
      [['serve', '--port', '70000'], /Invalid port/],
      [['serve', '--token', 'novalue'], /Invalid --token/],
      [['serve', '--host', '0.0.0.0', '--no-auth'], /--no-auth is only allowed on a loopback address/],
      [['serve', '--frobnicate'], /unknown option/],
      [['scan'], /missing required argument/],
      [['scan', path.join(root, 'missing-folder')], /Cannot read .*missing-folder: ENOENT/],
    ];
    for (const [args, re] of cases) {
      const r = await runCliToEnd([...args, '--data', path.join(root, 'data4')]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(re);
    }
  });

  it('scan prints a summary with skipped files, and JSON with --json', async () => {
    const data = path.join(root, 'data5');
    const text = await runCliToEnd(['scan', lib, '--data', data]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Library: 2 studies, 2 series, 6 instances/);
    expect(text.stdout).toMatch(/notes\.txt: Not a DICOM file/);
    const j = await runCliToEnd(['scan', lib, '--json', '--data', data]);
    const summary = JSON.parse(j.stdout);
    expect(summary).toMatchObject({ studies: 2, series: 2, instances: 6, skipped: 1 });
    expect(summary.scan).toMatchObject({ state: 'done', unchanged: 7, indexed: 0 });
    expect(summary.problems[0]).toMatchObject({ reason: 'not-dicom', reasonText: 'Not a DICOM file' });
  });

  it('prints the real port when given --port 0', async () => {
    const p = spawnCli(['serve', '--port', '0', '--no-auth', '--data', path.join(root, 'data6'), '--quiet']);
    const m = await p.waitFor(/Safekeep listening on http:\/\/127\.0\.0\.1:(\d+)/);
    expect(Number(m[1])).toBeGreaterThan(0);
    p.child.kill('SIGTERM');
    await p.exited;
  });

  it("serves the app with Safekeep's icon as its favicon (SVG, and a PNG for other browsers)", async () => {
    const p = await startServe(['--data', path.join(root, 'data7'), '--no-auth']);
    try {
      const page = await (await fetch(`${p.url}/`)).text();
      const hrefOf = (type: string) => page.match(new RegExp(`<link rel="icon" type="${type.replace('+', '\\+')}"[^>]* href="([^"]+)"`))?.[1];
      for (const [type, file] of [
        ['image/svg+xml', 'resources/safekeep.svg'],
        ['image/png', 'resources/icons/hicolor/32x32/apps/safekeep.png'],
      ] as const) {
        const href = hrefOf(type);
        expect(href, type).toBeTruthy();
        const res = await fetch(new URL(href!, `${p.url}/`));
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toContain(type);
        expect(Buffer.from(await res.arrayBuffer())).toEqual(fs.readFileSync(file));
      }
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });
});
