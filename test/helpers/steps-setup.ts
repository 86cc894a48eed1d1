/**
 * Global setup of the fast workflow tier (test/steps): a real Temporal dev server and the
 * workflow bundle, nothing else. Activities are stubbed in memory by each test, so no PostgreSQL,
 * no HTTP and no payment provider run.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureTemporalCli } from '../../src/dev/temporal-cli.js';
import { startTemporalWithBundle } from './temporal-server.js';

export default async function setup(project: TestProject) {
  const root = await mkdtemp(path.join(tmpdir(), 'orchestrator-steps-'));
  await chmod(root, 0o755);
  const cliPath = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH || undefined, (line) => console.log(line));
  const { env, bundlePath } = await startTemporalWithBundle(cliPath, root);
  project.provide('temporalAddress', env.address);
  project.provide('temporalCliPath', cliPath);
  project.provide('workflowBundlePath', bundlePath);
  return async () => {
    await env.teardown();
    await rm(root, { recursive: true, force: true });
  };
}
