import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliToEnd, startServe, type CliProcess } from '../support/cli';
import { tempDir } from '../support/fixtures';
import { freePort } from '../support/orthanc';

const run = promisify(execFile);

/** `serve --artim-seconds` and `--max-associations` reach the DICOM listener's guard (PS3.8 9.1.5 ARTIM, a cap on associations). */
describe('safekeep serve: DICOM listener limits from the command line', () => {
  let root: string;
  let serve: CliProcess;
  let port: number;

  beforeAll(async () => {
    root = tempDir();
    port = await freePort();
    serve = await startServe([
      '--data', path.join(root, 'data'), '--no-auth', '--dimse-port', String(port), '--peer', `ECHOSCU@127.0.0.1:${await freePort()}`,
      '--artim-seconds', '2', '--max-associations', '1',
    ]);
  });
  afterAll(async () => {
    serve.child.kill('SIGTERM');
    await serve.exited;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a connection that never sends its A-ASSOCIATE-RQ holds the only association slot until ARTIM closes it (2 s here, 30 s by default)', async () => {
    const idle = net.connect(port, '127.0.0.1');
    await new Promise((r) => idle.once('connect', r));
    const closed = new Promise<void>((r) => idle.once('close', () => r()));
    // While the idle connection holds the one slot, a real SCU is turned away (transient: it may try again).
    const refused = await run('echoscu', ['-aet', 'ECHOSCU', '-aec', 'SAFEKEEP', '127.0.0.1', String(port)]).then(
      () => null,
      (e: { stdout: string; stderr: string }) => `${e.stdout}${e.stderr}`,
    );
    expect(refused).toMatch(/Association Rejected|Association Request Failed/i);
    // Closed by ARTIM well before the default 30 s would (the test's own timeout is 60 s).
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('still open after 15 s: ARTIM flag not applied')), 15_000))]);
    // The slot is free again: the same SCU gets its C-ECHO answered.
    await expect(run('echoscu', ['-aet', 'ECHOSCU', '-aec', 'SAFEKEEP', '127.0.0.1', String(port)])).resolves.toBeDefined();
  });

  it('a limit that is not a positive number is a usage error (exit 2)', async () => {
    const r = await runCliToEnd(['serve', '--data', path.join(root, 'data2'), '--no-auth', '--artim-seconds', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ARTIM/);
  });
});
