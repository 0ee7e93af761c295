/**
 * setupFiles of the `postgres` project: every store a test opens without naming a database (openHost, the
 * harnesses) is a PostgreSQL database of the run's cluster instead of SQLite in the data folder, one database
 * per data folder (a host reopened on the same folder finds its data again). Nothing else changes.
 */
import { afterAll, vi } from 'vitest';
import { closeTestDatabases, createTestDatabase } from './postgres';

vi.mock(import('../../src-main/core/store/open-store'), async (original) => {
  const real = await original();
  const byDataDir = new Map<string, Promise<string>>();
  return {
    ...real,
    openStore: async (location) => {
      if (location.database) return real.openStore(location);
      let url = byDataDir.get(location.dataDir);
      if (!url) byDataDir.set(location.dataDir, (url = createTestDatabase()));
      return real.openStore({ ...location, database: await url });
    },
  };
});

// The admin connection that creates databases would keep this test file's worker alive.
afterAll(closeTestDatabases);
