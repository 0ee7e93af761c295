/**
 * vitest globalSetup of the `postgres` project: one throwaway PostgreSQL cluster for the whole run (initdb +
 * pg_ctl on a temp folder, loopback only); every test file makes its own databases in it (support/postgres.ts).
 */
import type { TestProject } from 'vitest/node';
import { startPostgres, type PgCluster } from './postgres';

let cluster: PgCluster | undefined;

export async function setup(project: TestProject): Promise<void> {
  cluster = await startPostgres();
  project.provide('pgAdminUrl', cluster.url('postgres'));
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared cluster's `postgres` database, as its superuser. */
    pgAdminUrl: string;
  }
}
