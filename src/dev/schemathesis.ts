/**
 * Schemathesis (PyPI), the independent API fuzzer the test suite runs against /docs/json: installed
 * on demand into its own virtual environment under .tools/, so no system Python package changes.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const SCHEMATHESIS_VERSION = '4.32.5';
const venv = fileURLToPath(new URL('../../.tools/schemathesis', import.meta.url));
export const schemathesisBinary = path.join(venv, 'bin', 'schemathesis');

/** The schemathesis executable, installing it first when it is missing or another version. */
export async function ensureSchemathesis(log: (line: string) => void = () => undefined): Promise<string> {
  if (existsSync(schemathesisBinary)) {
    const { stdout } = await run(schemathesisBinary, ['--version']).catch(() => ({ stdout: '' }));
    if (stdout.includes(SCHEMATHESIS_VERSION)) return schemathesisBinary;
  }
  log(`Installing Schemathesis ${SCHEMATHESIS_VERSION} from PyPI into ${venv} ...`);
  try {
    await run('python3', ['-m', 'venv', '--clear', venv]);
    await run(
      path.join(venv, 'bin', 'python'),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`],
      { maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (err) {
    throw new Error(
      `could not install Schemathesis ${SCHEMATHESIS_VERSION} (python3 -m venv, then pip install): ${(err as Error).message.split('\n')[0]}`,
    );
  }
  return schemathesisBinary;
}
