import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CORPUS_PAYLOAD_KEYS } from '../../src/replay/corpus-key.js';
import { TEST_PAYLOAD_KEYS } from '../helpers/keys.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** `npm run replay -- ...args` as a process of its own: its exit code and output. */
export function runReplayCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/replay.ts', ...args],
      {
        cwd: root,
        // Only what the test gives: no TEMPORAL_ADDRESS or WORKFLOW_BUNDLE_PATH from the caller's shell.
        // PAYLOAD_KEYS: the test stacks' key and the corpus's, so both kinds of history decrypt.
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          NODE_ENV: 'test',
          PAYLOAD_KEYS: `${TEST_PAYLOAD_KEYS},${CORPUS_PAYLOAD_KEYS}`,
          ...env,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
