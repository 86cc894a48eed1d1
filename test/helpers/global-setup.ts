/**
 * Once per test run: a real PostgreSQL (embedded, on a free port, migrated and seeded into a
 * template database each test file clones) and a real Temporal dev server (the CLI binary, through
 * @temporalio/testing), plus one workflow bundle shared by every test worker, and stripe-mock
 * (Stripe's API mock, which checks requests against Stripe's OpenAPI spec).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { seedCatalog } from '../../prisma/seed.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { createPrisma } from '../../src/db/prisma.js';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres.js';
import { ensureStripeMock, startStripeMock } from '../../src/dev/stripe-mock.js';
import { ensureTemporalCli } from '../../src/dev/temporal-cli.js';
import { freePort } from '../../src/dev/ports.js';
import { startTemporalWithBundle } from './temporal-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the server's maintenance database, for CREATE DATABASE ... TEMPLATE. */
    postgresAdminUrl: string;
    templateDatabase: string;
    temporalAddress: string;
    temporalCliPath: string;
    workflowBundlePath: string;
    /** HTTP API base of stripe-mock, for StripePaymentProvider's apiBase. */
    stripeMockUrl: string;
  }
}

export const TEMPLATE_DATABASE = 'orchestrator_template';

export default async function setup(project: TestProject) {
  const started = Date.now();
  const root = await mkdtemp(path.join(tmpdir(), 'orchestrator-test-'));
  // Postgres runs as its own user where the tests run as root: it must reach its directory.
  await chmod(root, 0o755);

  const [postgres, cliPath, stripeMock] = await Promise.all([
    freePort().then((port) =>
      startEmbeddedPostgres({
        dir: path.join(root, 'pg'),
        port,
        user: 'postgres',
        password: 'postgres',
        database: TEMPLATE_DATABASE,
        logFile: path.join(root, 'postgres.log'),
      }),
    ),
    ensureTemporalCli(process.env.TEMPORAL_CLI_PATH || undefined, (line) => console.log(line)),
    // Built once from the Go module proxy when missing; it then starts in well under a second.
    ensureStripeMock((line) => console.log(line)).then((binary) => startStripeMock(binary)),
  ]);

  const [{ env, bundlePath }] = await Promise.all([
    startTemporalWithBundle(cliPath, root),
    (async () => {
      await migrateDatabase(postgres.url);
      const prisma = createPrisma(postgres.url, 2);
      await seedCatalog(prisma);
      await prisma.$disconnect();
    })(),
  ]);

  const adminUrl = new URL(postgres.url);
  adminUrl.pathname = '/postgres';
  project.provide('postgresAdminUrl', adminUrl.toString());
  project.provide('templateDatabase', TEMPLATE_DATABASE);
  project.provide('temporalAddress', env.address);
  project.provide('temporalCliPath', cliPath);
  project.provide('workflowBundlePath', bundlePath);
  project.provide('stripeMockUrl', stripeMock.url);
  console.log(
    `[global-setup] Postgres ${postgres.url}, Temporal ${env.address}, stripe-mock ${stripeMock.url}, ready in ${Date.now() - started} ms`,
  );

  return async () => {
    await env.teardown();
    await stripeMock.stop();
    await postgres.stop();
    // Clones may linger if a test file crashed; they go with the data directory.
    await rm(root, { recursive: true, force: true });
  };
}
