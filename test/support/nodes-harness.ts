import fs from 'node:fs';
import path from 'node:path';
import { openHost, type Host } from '../../src-main/core/host/host';
import type { CoreOptions } from '../../src-main/core/host/options';
import type { DicomwebRemoteConfig } from '../../src-shared/remotes';
import { makeLibrary, tempDir, type GeneratedInstance } from './fixtures';
import { getCommitment } from './commitment';
import { createTestDatabase, TEST_STORE } from './postgres';

/** Several Safekeep nodes on one store: here one SQLite file (one data folder), each host with its own node id. */
export interface SharedStore {
  root: string;
  dataDir: string;
  libraryDir: string;
  instances: GeneratedInstance[];
  /** The shared PostgreSQL database (project "postgres"), or null: SQLite in `dataDir`. */
  database: string | null;
  /** The environment a `safekeep` child process needs to open the same store. */
  env: NodeJS.ProcessEnv;
  /**
   * A node on the shared store, opened (not started): its id and short lease (heartbeat: a third of it). It
   * indexes the generated library the first time it opens, unless `scan: false` (a node that does not see it).
   */
  node(id: string, o?: Partial<CoreOptions>, at?: { scan?: boolean }): Promise<Host>;
  close(): Promise<void>;
}

export const TEST_LEASE_MS = 900;

/** A shared data folder with a generated library, scanned by each node when it first opens (the library is per node). */
export async function sharedStore(library = { studies: 2, seriesPerStudy: 2, instancesPerSeries: 3 }): Promise<SharedStore> {
  const root = tempDir('safekeep-nodes-');
  const dataDir = path.join(root, 'data');
  const libraryDir = path.join(root, 'library');
  fs.mkdirSync(libraryDir);
  const instances = makeLibrary(libraryDir, library);
  const hosts: Host[] = [];
  const database = TEST_STORE === 'pg' ? await createTestDatabase() : null;
  const scanned = new Set<string>();
  // The library is per node: each node indexes the generated folder the first time it opens (it sees it).
  const node = async (id: string, o: Partial<CoreOptions> = {}, at: { scan?: boolean } = {}) => {
    const h = await openHost({ dataDir, authEnabled: false, database, node: { id, leaseMs: TEST_LEASE_MS }, ...o });
    hosts.push(h);
    if (at.scan !== false && !scanned.has(id)) {
      scanned.add(id);
      await h.call('library-scan', { paths: [libraryDir] });
    }
    return h;
  };
  return {
    root,
    dataDir,
    libraryDir,
    instances,
    database,
    env: database ? { SAFEKEEP_DATABASE_URL: database } : {},
    node,
    close: async () => {
      for (const h of hosts) await h.stop().catch(() => undefined);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A DICOMweb remote saved in the shared store (every node sees it). */
export async function addDicomwebRemote(host: Host, baseUrl: string, config: Partial<DicomwebRemoteConfig> = {}): Promise<number> {
  const r = await host.call('remotes-save', {
    input: { kind: 'dicomweb', name: 'peer', config: { baseUrl, timeoutSeconds: 5, ...config } as DicomwebRemoteConfig, secret: null },
  });
  return r.id;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The final answer of a Result Check on `url`, asked until it is final: committed count, failure reasons. */
export async function finalResult(url: string, uid: string): Promise<{ committed: number; failed: { reason: number }[] }> {
  for (;;) {
    const r = await getCommitment(url, uid);
    if (r.status === 200) {
      const body = (await r.json()) as Record<string, { Value?: Record<string, { Value?: unknown[] }>[] }>;
      // 00081199 Referenced SOP Sequence (committed), 00081198 Failed SOP Sequence (with 00081197 Failure Reason).
      const failed = (body['00081198']?.Value ?? []).map((i) => ({ reason: Number(i['00081197']?.Value?.[0]) }));
      return { committed: body['00081199']?.Value?.length ?? 0, failed };
    }
    await delay(50);
  }
}
