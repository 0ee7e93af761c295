import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests that start real peers (Orthanc, child processes) bind their own ephemeral loopback ports.
    fileParallelism: true,
  },
});
