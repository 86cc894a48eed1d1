/**
 * A real Temporal dev server (the CLI binary, through @temporalio/testing) with the project's
 * search attributes, and the project's workflow bundle written to `dir`: what both test tiers
 * that run workflows need. Time skipping is not available offline, so durations stay real.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { customSearchAttributes } from '../../src/contracts/search-attributes.js';
import { workflowsPath } from '../../src/worker/create-worker.js';

export async function startTemporalWithBundle(cliPath: string, dir: string) {
  const [env, bundle] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: cliPath },
        ip: '127.0.0.1',
        searchAttributes: customSearchAttributes,
        // The server logs every throttled update at ERROR; the tests assert outcomes instead.
        log: { format: 'pretty', level: 'never' },
      },
    }),
    bundleWorkflowCode({
      workflowsPath,
      logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
    }),
  ]);
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  await writeFile(bundlePath, bundle.code);
  return { env, bundlePath };
}
