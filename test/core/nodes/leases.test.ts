import fs from 'node:fs';
import { describe } from 'vitest';
import { openDb } from '../../../src-main/core/store/db';
import { openPgStore } from '../../../src-main/core/store/pg/store';
import { sqliteStoreOf } from '../../../src-main/core/store/sqlite-store';
import { tempDir } from '../../support/fixtures';
import { createTestDatabase, TEST_STORE } from '../../support/postgres';
import { leaseContract } from './lease-contract';

describe(`leases and the node registry, ${TEST_STORE === 'pg' ? 'PostgreSQL (two pools on one database)' : 'SQLite (two connections to one file)'}`, () => {
  leaseContract(async () => {
    if (TEST_STORE === 'pg') {
      const url = await createTestDatabase();
      const a = await openPgStore(url);
      const b = await openPgStore(url);
      return { a, b, close: async () => (await a.close(), await b.close()) };
    }
    const dir = tempDir();
    const a = sqliteStoreOf(openDb(dir));
    const b = sqliteStoreOf(openDb(dir));
    return {
      a,
      b,
      close: async () => {
        await a.close();
        await b.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});
