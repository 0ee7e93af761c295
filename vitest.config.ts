import { defineConfig } from 'vitest/config';

/**
 * Test files that touch the store through its ports (hosts, harnesses, services, the engine, the origin
 * server, reports, "send missing"): run a second time on PostgreSQL (issue 13), in the project "postgres".
 * Files that look inside SQLite itself (its migrations, raw SQL) stay in "sqlite" only.
 */
const ON_BOTH_STORES = [
  'test/core/store/{atomic-ports,verdicts,content-repo,library-adopt}.test.ts',
  'test/core/content/verify-content-orthanc.test.ts',
  'test/core/engine/engine-*.test.ts',
  'test/core/incoming/*.test.ts',
  'test/core/origin/*.test.ts',
  'test/core/report/*.test.ts',
  'test/core/resend/send-missing-*.test.ts',
  'test/core/api/{host-origin-guards,login-throttle,upload}.test.ts',
  'test/core/audit/audit-http.test.ts',
  'test/core/dimse/{bridge,listener-control,orthanc-faults,report-resume,scu-retry}.test.ts',
  'test/core/library/{selection-count,nested-roots,copies,pixel-flags,scanner}.test.ts',
  'test/core/remotes/{client-cert,tls,remotes-repo}.test.ts',
  'test/core/tls/settings-tls.test.ts',
  'test/core/nodes/*.test.ts',
  // The CLI's commands, each on a database of its --data folder (support/cli.ts). Left out: files that open
  // the SQLite file themselves to look inside (restart, dimse-listener, sessions, secrets at rest) and, for time,
  // the serve/DIMSE/output-format files (they exercise the listeners and printing, not the store).
  'test/cli/{commit,archive-restart,verify-content,report,requests,scan}.test.ts',
];
/** Tests of the PostgreSQL store itself (they need the project's cluster). */
const POSTGRES_ONLY = ['test/core/store/pg/**/*.test.ts'];

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests that start real peers (Orthanc, child processes) bind their own ephemeral loopback ports.
    fileParallelism: true,
    projects: [
      {
        extends: true,
        test: { name: 'sqlite', include: ['test/**/*.test.ts', 'test/**/*.test.tsx'], exclude: POSTGRES_ONLY },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: [...ON_BOTH_STORES, ...POSTGRES_ONLY],
          env: { SAFEKEEP_TEST_STORE: 'pg' },
          // One throwaway cluster for the run; every store opened without a database gets its own database in it.
          globalSetup: ['test/support/pg-global.ts'],
          setupFiles: ['test/support/pg-store-setup.ts'],
        },
      },
    ],
  },
});
