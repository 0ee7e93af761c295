import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliToEnd, startServe } from '../support/cli';
import { tempDir } from '../support/fixtures';

describe('safekeep remote add / list / test / remove', () => {
  const root = tempDir();
  const data = ['--data', path.join(root, 'data')];
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('manages remotes and never prints a secret', async () => {
    const archive = await startServe(['--data', path.join(root, 'archive'), '--token', 'me=the-secret']);
    try {
      expect((await runCliToEnd(['remote', 'add', 'vna', '--url', `${archive.url}/dicomweb`, '--token', 'the-secret', ...data])).stdout).toMatch(/Added remote "vna" \(id 1, dicomweb\)/);
      expect((await runCliToEnd(['remote', 'add', 'pacs', '--dicom', 'PACS@127.0.0.1:104', '--ae-title', 'SK', ...data])).stdout).toMatch(/Added remote "pacs" \(id 2, dimse\)/);
      const list = await runCliToEnd(['remote', 'list', ...data]);
      expect(list.stdout).toMatch(/vna\s+DICOMweb http:\/\/127\.0\.0\.1:\d+\/dicomweb\s+auth bearer \(secret set\)/);
      expect(list.stdout).toMatch(/pacs\s+DIMSE PACS@127\.0\.0\.1:104\s+as SK/);
      expect(list.stdout + (await runCliToEnd(['remote', 'list', '--json', ...data])).stdout).not.toContain('the-secret');

      const ok = await runCliToEnd(['remote', 'test', 'vna', ...data]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^OK \(\d+ ms\): The commitment service at .* works/);
      expect((await runCliToEnd(['remote', 'add', 'vna', '--url', `${archive.url}/dicomweb`, '--token', 'wrong', ...data])).stdout).toMatch(/Updated remote "vna"/);
      const refused = await runCliToEnd(['remote', 'test', 'vna', ...data]);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toMatch(/FAILED .*refused the credentials/);

      expect((await runCliToEnd(['remote', 'remove', 'pacs', ...data])).stdout).toMatch(/Removed remote "pacs"/);
      const gone = await runCliToEnd(['remote', 'remove', 'pacs', ...data]);
      expect(gone.code).toBe(2);
      expect(gone.stderr).toMatch(/No remote named "pacs"/);
      const both = await runCliToEnd(['remote', 'add', 'x', '--url', 'http://a/dicomweb', '--dicom', 'A@b:1', ...data]);
      expect(both.code).toBe(2);
      expect(both.stderr).toMatch(/either --url .* or --dicom/);
    } finally {
      archive.child.kill('SIGTERM');
      await archive.exited;
    }
  });
});
