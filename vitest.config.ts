import { defineConfig } from 'vitest/config';

// Temporal's native bridge and worker threads do not mix: test files run in forked processes.
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          // Workflows on a real Temporal server with activities stubbed in memory: each step's branches, fast.
          name: 'steps',
          include: ['test/steps/**/*.test.ts'],
          globalSetup: ['test/helpers/steps-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          // The whole system (npm start) through kills, stops and restarts under load; writes FAULTS.md.
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          testTimeout: 400_000,
          hookTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/{api,db,workflows,replay,e2e,payments,events,notifications,analytics}/**/*.test.ts'],
          // One real PostgreSQL and one real Temporal dev server for the whole run.
          globalSetup: ['test/helpers/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
