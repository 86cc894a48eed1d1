/**
 * stripe-mock, Stripe's official API mock (Go): it validates every request against Stripe's OpenAPI
 * spec and answers with canned objects. Tests use it to prove StripePaymentProvider sends requests
 * real Stripe accepts. No npm or Debian package ships it and these machines reach no release
 * downloads, so the project builds it from the Go module proxy into .tools/bin.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { goBuiltVersion } from './go-build.js';
import { toolsDir } from './temporal-cli.js';

const run = promisify(execFile);

/** The stripe-mock release this project is tested with (Go module tag v0.203.0). */
export const STRIPE_MOCK_VERSION = '0.203.0';

const MODULE = 'github.com/stripe/stripe-mock';
const projectBinary = path.join(toolsDir, 'bin', 'stripe-mock');

const HOW_TO_GET_IT = `Install stripe-mock ${STRIPE_MOCK_VERSION} in one of these ways, then run the command again:
  - npm run tools:stripe-mock                          (this project's installer: go install into .tools/bin)
  - GOBIN="$PWD/.tools/bin" go install ${MODULE}@v${STRIPE_MOCK_VERSION}   (needs Go 1.22+ and the Go module proxy)
  - brew install stripe/stripe-mock/stripe-mock, or a release binary from
    https://github.com/stripe/stripe-mock/releases (needs internet)
Or set STRIPE_MOCK_PATH to an existing stripe-mock binary.`;

/** Whether the binary starts at all (`-version` prints and exits 0; go-built copies say "master"). */
async function runs(binary: string): Promise<boolean> {
  try {
    await run(binary, ['-version'], { timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * The first working stripe-mock: STRIPE_MOCK_PATH, then the project's copy (unless Go says it was
 * built from another version), then PATH.
 */
export async function findStripeMock(
  explicitPath = process.env.STRIPE_MOCK_PATH || undefined,
): Promise<string | undefined> {
  if (explicitPath) {
    if (await runs(explicitPath)) return explicitPath;
    throw new Error(
      `STRIPE_MOCK_PATH=${explicitPath} is not a working stripe-mock (\`${explicitPath} -version\` failed).\n${HOW_TO_GET_IT}`,
    );
  }
  if (existsSync(projectBinary) && (await runs(projectBinary))) {
    const version = await goBuiltVersion(projectBinary, MODULE);
    // A copy from an older pin is rebuilt: its spec decides which requests pass.
    if (version === undefined || version === STRIPE_MOCK_VERSION) return projectBinary;
  }
  return (await runs('stripe-mock')) ? 'stripe-mock' : undefined;
}

/** Builds stripe-mock from the Go module proxy into .tools/bin (about 20 s on 2 cores). */
export async function installStripeMock(log: (line: string) => void): Promise<string> {
  log(`Building stripe-mock ${STRIPE_MOCK_VERSION} with Go into ${path.dirname(projectBinary)} ...`);
  try {
    await run('go', ['install', `${MODULE}@v${STRIPE_MOCK_VERSION}`], {
      timeout: 900_000,
      env: { ...process.env, GOBIN: path.dirname(projectBinary) },
    });
  } catch (err) {
    const detail = (err as { stderr?: string }).stderr?.trim() || (err as Error).message.split('\n')[0];
    throw new Error(`Could not install stripe-mock: go install failed: ${detail}\n${HOW_TO_GET_IT}`);
  }
  if (!(await runs(projectBinary))) {
    throw new Error(`Could not install stripe-mock: built, but ${projectBinary} does not run.\n${HOW_TO_GET_IT}`);
  }
  return projectBinary;
}

/** A working stripe-mock binary, building the project's copy when none is found. */
export async function ensureStripeMock(log: (line: string) => void): Promise<string> {
  return (await findStripeMock()) ?? (await installStripeMock(log));
}

/** A running stripe-mock: `url` is its HTTP API base for StripePaymentProvider's apiBase. */
export interface RunningStripeMock {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts stripe-mock on loopback. Without a port the system picks free ones and stripe-mock reports
 * them ("Listening for HTTP at address: ..."), so no other process can take the port in between.
 * The HTTPS listener is pinned to loopback too: left alone it claims :12112 on every interface.
 */
export function startStripeMock(
  binary: string,
  options: { host?: string; httpPort?: number; timeoutMs?: number } = {},
): Promise<RunningStripeMock> {
  const host = options.host ?? '127.0.0.1';
  const child = spawn(binary, ['-http-addr', `${host}:${options.httpPort ?? ''}`, '-https-addr', `${host}:`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (reason: string) => {
      clearTimeout(timer);
      void stop();
      reject(new Error(`stripe-mock ${reason}:\n${output.trim()}`));
    };
    const timer = setTimeout(
      () => fail(`did not start listening within ${options.timeoutMs ?? 30_000} ms`),
      options.timeoutMs ?? 30_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const address = /Listening for HTTP at address: (\S+)/.exec(output)?.[1];
      if (!address) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      // Drained from now on: a full pipe would block stripe-mock's logging of every request.
      child.stdout.resume();
      child.stderr.resume();
      const port = address.slice(address.lastIndexOf(':') + 1);
      resolve({ url: `http://${host}:${port}`, stop });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => fail(`could not be started (${err.message})`));
    child.once('exit', (code, signal) => fail(`exited before listening (${signal ?? `code ${code}`})`));
  });
}
