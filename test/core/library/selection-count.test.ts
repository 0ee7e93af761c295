import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHost, type Host } from '../../../src-main/core/host/host';
import type { Selection } from '../../../src-shared/outgoing';
import { makeLibrary, tempDir, type GeneratedInstance } from '../../support/fixtures';

/** The Verify dialog's count: the same instances that a job for the selection would ask about. */
describe('library-count-selection', () => {
  let root: string;
  let host: Host;
  let instances: GeneratedInstance[];

  beforeAll(async () => {
    root = tempDir();
    instances = makeLibrary(path.join(root, 'lib'), { studies: 3, seriesPerStudy: 2, instancesPerSeries: 4 });
    host = await openHost({ dataDir: path.join(root, 'data') });
    await host.call('library-scan', { paths: [path.join(root, 'lib')] });
  });
  afterAll(async () => {
    await host.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('counts what the selection would send, without reading the rows', async () => {
    const count = (a: { selection: Selection }) => host.call('library-count-selection', a);
    const cases: [Selection, number][] = [
      [{ studies: [instances[0]!.studyUid] }, 8],
      [{ series: [instances[0]!.seriesUid], instances: [instances[0]!.sopInstanceUid, instances[20]!.sopInstanceUid] }, 5],
      [{ paths: [path.join(root, 'lib', 'study2')] }, 8],
      [{ paths: [path.join(root, 'lib')] }, 24],
      [{ studies: ['1.2.3.4.5'] }, 0],
      [{}, 0],
    ];
    for (const [selection, n] of cases) {
      expect(await count({ selection }), JSON.stringify(selection)).toEqual({ instances: n });
      expect(await host.core.store.library.select(selection)).toHaveLength(n);
    }
  });
});
