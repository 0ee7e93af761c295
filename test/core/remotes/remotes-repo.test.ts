import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RemotesStore } from '../../../src-main/core/store/ports';
import { tempDir } from '../../support/fixtures';
import { openTestStore, testRun, type TestStore } from '../../support/store';

describe('remotes', () => {
  let dir: string;
  let store: TestStore;
  let repo: RemotesStore;
  beforeEach(async () => {
    dir = tempDir();
    store = await openTestStore(dir);
    repo = store.remotes;
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores a DICOMweb remote with defaults and never returns its secret', async () => {
    const v = await repo.save({ kind: 'dicomweb', name: 'PACS', config: { baseUrl: 'https://pacs:8443/dicomweb/', auth: 'bearer' }, secret: 's3cret' }, 1);
    expect(v).toMatchObject({
      kind: 'dicomweb',
      name: 'PACS',
      hasSecret: true,
      config: { baseUrl: 'https://pacs:8443/dicomweb', auth: 'bearer', timeoutSeconds: 60, maxInstancesPerRequest: 1000, concurrency: 4, deadlineHours: 24, insecureSkipVerify: false, caFile: null },
    });
    expect(JSON.stringify(await repo.list())).not.toContain('s3cret');
    expect(JSON.stringify(await repo.get(v.id))).not.toContain('s3cret');
    expect((await repo.withSecret(v.id)).secret).toBe('s3cret');
    // Editing without a secret keeps it; null removes it.
    await repo.save({ kind: 'dicomweb', name: 'PACS 2', config: { baseUrl: 'https://pacs:8443/dicomweb', auth: 'bearer' } }, 2, v.id);
    expect(await repo.withSecret(v.id)).toMatchObject({ name: 'PACS 2', secret: 's3cret' });
    await repo.save({ kind: 'dicomweb', name: 'PACS 2', config: { baseUrl: 'https://pacs:8443/dicomweb' }, secret: null }, 3, v.id);
    expect(await repo.withSecret(v.id)).toMatchObject({ hasSecret: false, secret: null });
  });

  it('refuses invalid input with the field named, and duplicate names', async () => {
    await expect(repo.save({ kind: 'dicomweb', name: 'x', config: { baseUrl: 'ftp://a' } }, 1)).rejects.toThrow(/config\.baseUrl: The base URL must start with http/);
    await expect(repo.save({ kind: 'dicomweb', name: '', config: { baseUrl: 'http://a' } }, 1)).rejects.toThrow(/name: A remote needs a name/);
    await expect(repo.save({ kind: 'dimse', name: 'x', config: { aeTitle: 'WAY_TOO_LONG_AE_TITLE', host: 'h', port: 104 } }, 1)).rejects.toThrow(/config\.aeTitle/);
    await expect(repo.save({ kind: 'dicomweb', name: 'x', config: { baseUrl: 'http://a', concurrency: 0 } }, 1)).rejects.toThrow(/config\.concurrency/);
    await repo.save({ kind: 'dicomweb', name: 'same', config: { baseUrl: 'http://a' } }, 1);
    await expect(repo.save({ kind: 'dicomweb', name: 'same', config: { baseUrl: 'http://b' } }, 1)).rejects.toThrow(/already exists/);
    expect(await repo.list()).toHaveLength(1);
  });

  it('will not delete a remote with requests in flight', async () => {
    const v = await repo.save({ kind: 'dicomweb', name: 'busy', config: { baseUrl: 'http://a' } }, 1);
    await testRun(store, `INSERT INTO outgoing (remote_id, remote_name, transaction_uid, state, form, instance_count, created_at) VALUES (?, 'busy', '1.2.3', 'working', 'flat', 1, 1)`, [v.id]);
    await expect(repo.delete(v.id)).rejects.toThrow(/1 request\(s\) in flight/);
    await testRun(store, `UPDATE outgoing SET state = 'done'`);
    await repo.delete(v.id);
    await expect(repo.get(v.id)).rejects.toThrow(/No remote/);
  });
  it('keeps the last Test; a new address or secret forgets it, a rename does not', async () => {
    const v = await repo.save({ kind: 'dicomweb', name: 'orthanc', config: { baseUrl: 'http://orthanc:8042/dicom-web' } }, 1);
    expect((await repo.get(v.id)).lastTest).toBeNull();
    await repo.recordTest(v.id, { ok: false, message: 'This archive does not offer DICOMweb storage commitment', at: 5 });
    expect((await repo.list())[0]!.lastTest).toEqual({ ok: false, message: 'This archive does not offer DICOMweb storage commitment', at: 5 });
    await repo.save({ kind: 'dicomweb', name: 'Orthanc 1', config: { baseUrl: 'http://orthanc:8042/dicom-web' } }, 6, v.id);
    expect((await repo.get(v.id)).lastTest).toMatchObject({ ok: false, at: 5 });
    await repo.save({ kind: 'dicomweb', name: 'Orthanc 1', config: { baseUrl: 'http://orthanc:8042/dicomweb' } }, 7, v.id);
    expect((await repo.get(v.id)).lastTest).toBeNull();
    await repo.recordTest(v.id, { ok: true, message: 'works', at: 8 });
    await repo.save({ kind: 'dicomweb', name: 'Orthanc 1', config: { baseUrl: 'http://orthanc:8042/dicomweb', auth: 'bearer' }, secret: 'new' }, 9, v.id);
    expect((await repo.get(v.id)).lastTest).toBeNull();
  });
});
