import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommitmentResponse } from '../../src-main/core/codec/response-json';
import { flatRefs, getCommitment, postCommitment, randomUid, unknownInstance } from '../support/commitment';
import { startServe } from '../support/cli';
import { makeLibrary, tempDir, type GeneratedInstance } from '../support/fixtures';

const token = { token: 'restart-secret' };

describe('origin server restart after SIGKILL', () => {
  let root: string;
  let lib: string;
  let data: string;
  let instances: GeneratedInstance[];

  beforeAll(() => {
    root = tempDir();
    lib = path.join(root, 'lib');
    data = path.join(root, 'data');
    instances = makeLibrary(lib, { studies: 4, seriesPerStudy: 5, instancesPerSeries: 100 });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('resumes a Working transaction and loses no accepted transaction', async () => {
    const args = ['--data', data, '--library', lib, '--token', 'ua=restart-secret', '--sync-window', '0'];
    const first = await startServe(args);

    // A finished transaction before the crash.
    const doneUid = randomUid();
    const doneRes = await postCommitment(first.url, doneUid, flatRefs(instances.slice(0, 2)), token);
    expect([200, 202]).toContain(doneRes.status); // a tiny request may finish within even a zero window
    let doneBody: unknown;
    for (;;) {
      const g = await getCommitment(first.url, doneUid, token);
      if (g.status === 200) {
        doneBody = await g.json();
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }

    // A large one, killed while Working: every real file is re-read, so this takes a while.
    const bigUid = randomUid();
    const unknown = Array.from({ length: 20_000 }, () => unknownInstance());
    const refs = flatRefs([...instances, ...unknown]);
    const res = await postCommitment(first.url, bigUid, refs, token);
    expect(res.status).toBe(202);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    // What the crash left behind: accepted and stored, not finished.
    const db = new Database(path.join(data, 'safekeep.sqlite'), { readonly: true });
    const left = db.prepare(`SELECT state, instance_count AS n, committed_count + failed_count AS decided FROM incoming WHERE transaction_uid = ?`).get(bigUid) as any;
    db.close();
    expect(left).toMatchObject({ state: 'working', n: refs.length });
    expect(left.decided).toBeLessThan(refs.length);

    const second = await startServe(args);
    try {
      expect(second.stdout()).toMatch(/Resumed 1 commitment request/);
      let final: Response;
      for (;;) {
        final = await getCommitment(second.url, bigUid, token);
        if (final.status !== 202) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(final.status).toBe(200);
      const result = parseCommitmentResponse(await final.json());
      expect(result.committed.map((i) => i.sopInstanceUid).sort()).toEqual(instances.map((i) => i.sopInstanceUid).sort());
      expect(result.failed).toHaveLength(unknown.length);
      expect(result.failed.every((f) => f.failureReason === 0x0112)).toBe(true);
      // The transaction finished before the crash answers exactly as before.
      const again = await getCommitment(second.url, doneUid, token);
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual(doneBody);
      // And both UIDs stay in use.
      expect((await postCommitment(second.url, bigUid, flatRefs([instances[0]!]), token)).status).toBe(409);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
