import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCliToEnd } from '../support/cli';
import { makeLibrary, tempDir } from '../support/fixtures';

const root = tempDir();
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const SECRET = 'pw-s3cret-9431';

it('never prints or logs the password of a URL given on the command line', async () => {
  const library = path.join(root, 'library');
  fs.mkdirSync(library);
  makeLibrary(library, { studies: 1, seriesPerStudy: 1, instancesPerSeries: 2 });
  const logFile = path.join(root, 'safekeep.log');
  const data = ['--data', path.join(root, 'data'), '--log-level', 'debug', '--log-file', logFile];

  // An archive that refuses the connection: the error names the archive's URL.
  const refused = await runCliToEnd(['commit', '--to', `https://alice:${SECRET}@127.0.0.1:1/dicomweb`, '--quiet', ...data, library]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/127\.0\.0\.1:1/);
  // A URL the command cannot parse is printed back, without its password.
  const invalid = await runCliToEnd(['commit', '--to', `https://alice:${SECRET}@[bad/dicomweb`, ...data, library]);
  expect(invalid.code).toBe(2);
  expect(invalid.stderr).toContain('https://alice:***@[bad/dicomweb');

  const added = await runCliToEnd(['remote', 'add', 'vna', '--url', `http://bob:${SECRET}@127.0.0.1:1/dicomweb`, ...data]);
  expect(added.code).toBe(0);
  const list = await runCliToEnd(['remote', 'list', ...data]);
  expect(list.stdout).toContain('http://bob:***@127.0.0.1:1/dicomweb');
  const listJson = await runCliToEnd(['remote', 'list', '--json', ...data]);
  const tested = await runCliToEnd(['remote', 'test', 'vna', ...data]);
  expect(tested.code).toBe(2);

  const everything = [refused, invalid, added, list, listJson, tested].map((r) => r.stdout + r.stderr).join('\n') + fs.readFileSync(logFile, 'utf8');
  expect(everything).not.toContain(SECRET);
  // dicom://AET@host keeps its AE title (user info without a password is no secret).
  const dimse = await runCliToEnd(['commit', '--to', 'dicom://ARCHIVE@[bad', ...data, library]);
  expect(dimse.stderr).toContain('dicom://ARCHIVE@[bad');
});
