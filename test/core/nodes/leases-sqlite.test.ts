import fs from 'node:fs';
import { describe } from 'vitest';
import { openDb } from '../../../src-main/core/store/db';
import { sqliteStoreOf } from '../../../src-main/core/store/sqlite-store';
import { tempDir } from '../../support/fixtures';
import { leaseContract } from './lease-contract';

describe('leases and the node registry, SQLite (two connections to one file)', () => {
  leaseContract(async () => {
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
