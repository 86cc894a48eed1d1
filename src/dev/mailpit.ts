/**
 * Mailpit (Go): a real SMTP server with a web inbox and an HTTP API, where `npm start` and the
 * tests send the customer e-mails. No npm or Debian package ships it and these machines reach no
 * release downloads, so the project builds it from the Go module proxy into .tools/bin, as it does
 * stripe-mock.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';
import { stopLeftover } from './processes.js';
import { goBuiltVersion } from './go-build.js';
import { toolsDir } from './temporal-cli.js';

const run = promisify(execFile);

/** The Mailpit release this project is tested with (Go module tag v1.33.1). */
export const MAILPIT_VERSION = '1.33.1';

const MODULE = 'github.com/axllent/mailpit';
const projectBinary = path.join(toolsDir, 'bin', 'mailpit');

const HOW_TO_GET_IT = `Install Mailpit ${MAILPIT_VERSION} in one of these ways, then run the command again:
  - npm run tools:mailpit                              (this project's installer: go install into .tools/bin)
  - GOBIN="$PWD/.tools/bin" go install ${MODULE}@v${MAILPIT_VERSION}   (needs Go 1.24+ and the Go module proxy)
  - brew install mailpit, or a release binary from https://github.com/axllent/mailpit/releases (needs internet)
Or set MAILPIT_PATH to an existing mailpit binary, or SMTP_URL to an SMTP server of your own.`;

/** Whether the binary starts at all (a go-installed copy's `version` says "mailpit dev"). */
async function runs(binary: string): Promise<boolean> {
  try {
    const { stdout } = await run(binary, ['version', '--no-release-check'], { timeout: 15_000 });
    return /mailpit/i.test(stdout);
  } catch {
    return false;
  }
}

/** The first working Mailpit: MAILPIT_PATH, then the project's copy (unless built from another version), then PATH. */
export async function findMailpit(explicitPath = process.env.MAILPIT_PATH || undefined): Promise<string | undefined> {
  if (explicitPath) {
    if (await runs(explicitPath)) return explicitPath;
    throw new Error(
      `MAILPIT_PATH=${explicitPath} is not a working mailpit (\`${explicitPath} version\` failed).\n${HOW_TO_GET_IT}`,
    );
  }
  if (existsSync(projectBinary) && (await runs(projectBinary))) {
    const version = await goBuiltVersion(projectBinary, MODULE);
    if (version === undefined || version === MAILPIT_VERSION) return projectBinary;
  }
  return (await runs('mailpit')) ? 'mailpit' : undefined;
}

/** Builds Mailpit from the Go module proxy into .tools/bin (about 45 s on 2 cores). */
export async function installMailpit(log: (line: string) => void): Promise<string> {
  log(`Building Mailpit ${MAILPIT_VERSION} with Go into ${path.dirname(projectBinary)} ...`);
  try {
    await run('go', ['install', `${MODULE}@v${MAILPIT_VERSION}`], {
      timeout: 900_000,
      env: { ...process.env, GOBIN: path.dirname(projectBinary) },
    });
  } catch (err) {
    const detail = (err as { stderr?: string }).stderr?.trim() || (err as Error).message.split('\n')[0];
    throw new Error(`Could not install Mailpit: go install failed: ${detail}\n${HOW_TO_GET_IT}`);
  }
  if (!(await runs(projectBinary))) {
    throw new Error(`Could not install Mailpit: built, but ${projectBinary} does not run.\n${HOW_TO_GET_IT}`);
  }
  return projectBinary;
}

/** A working Mailpit binary, building the project's copy when none is found. */
export async function ensureMailpit(log: (line: string) => void): Promise<string> {
  return (await findMailpit()) ?? (await installMailpit(log));
}

export interface RunningMailpit {
  /** For SMTP_URL: smtp://127.0.0.1:<port> (no TLS, no login: a development server). */
  smtpUrl: string;
  /** The web inbox, for people. */
  inboxUrl: string;
  /** The HTTP API base: `${apiUrl}/messages`, `${apiUrl}/message/<ID>`. */
  apiUrl: string;
  smtpPort: number;
  httpPort: number;
  /** Settles when the process exits, with how (`SIGKILL`, `code 1`). */
  exited: Promise<string>;
  stop(): Promise<void>;
}

export interface MailpitOptions {
  binary?: string;
  host?: string;
  /** Free ones when unset. */
  smtpPort?: number;
  httpPort?: number;
  /** A file to keep the inbox in across restarts; a temporary one when unset. */
  database?: string;
  /** Where the pid is kept, so the next start stops a Mailpit an earlier run left behind (kill -9). */
  pidFile?: string;
  /** Mailpit's chaos API (PUT /api/v1/chaos): tests make its SMTP server refuse on demand. */
  chaos?: boolean;
  timeoutMs?: number;
}

/** Whether nothing listens on the port (for preferring Mailpit's usual ports when they are free). */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Whether an SMTP server greets on the port (a connection, not a bind: binding could take the port from it). */
function smtpAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('data', (chunk) => done(chunk.toString('utf8').startsWith('220')));
    socket.once('error', () => done(false));
  });
}

/** Mailpit's usual ports (1025 SMTP, 8025 web) when both are free, others otherwise. */
export async function mailpitPorts(): Promise<{ smtpPort: number; httpPort: number }> {
  if ((await portIsFree(1025)) && (await portIsFree(8025))) return { smtpPort: 1025, httpPort: 8025 };
  return { smtpPort: await freePort(), httpPort: await freePort() };
}

/** Starts Mailpit on loopback and waits until its SMTP server and HTTP API both answer. */
export async function startMailpit(options: MailpitOptions = {}): Promise<RunningMailpit> {
  const binary = options.binary ?? (await findMailpit());
  if (!binary) throw new Error(`Mailpit is not installed.\n${HOW_TO_GET_IT}`);
  const host = options.host ?? '127.0.0.1';
  if (options.pidFile && existsSync(options.pidFile)) {
    const pid = Number(readFileSync(options.pidFile, 'utf8'));
    if (pid > 0) await stopLeftover(pid, 'mailpit');
    await rm(options.pidFile, { force: true });
  }
  const smtpPort = options.smtpPort ?? (await freePort());
  const httpPort = options.httpPort ?? (await freePort());
  if (options.database) await mkdir(path.dirname(options.database), { recursive: true });
  const args = [
    '--smtp',
    `${host}:${smtpPort}`,
    '--listen',
    `${host}:${httpPort}`,
    // Offline machines: no release check, no reverse DNS of each client.
    '--disable-version-check',
    '--smtp-disable-rdns',
    '--quiet',
    ...(options.database ? ['--database', options.database] : []),
    ...(options.chaos ? ['--enable-chaos'] : []),
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let gone = false;
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      gone = true;
      resolve(signal ?? `code ${code}`);
    }),
  );
  child.once('error', () => undefined);
  if (options.pidFile && child.pid) await writeFile(options.pidFile, String(child.pid));

  const stop = async () => {
    if (!gone) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (options.pidFile) await rm(options.pidFile, { force: true });
  };

  const apiUrl = `http://${host}:${httpPort}/api/v1`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (gone) throw new Error(`Mailpit exited before it served (${await exited}):\n${output.trim()}`);
    const ready = await fetch(`http://${host}:${httpPort}/readyz`)
      .then((res) => res.ok)
      .catch(() => false);
    if (ready && (await smtpAnswers(host, smtpPort))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Mailpit did not answer within ${options.timeoutMs ?? 30_000} ms:\n${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    smtpUrl: `smtp://${host}:${smtpPort}`,
    inboxUrl: `http://localhost:${httpPort}/`,
    apiUrl,
    smtpPort,
    httpPort,
    exited,
    stop,
  };
}

/**
 * Mailpit as `npm start` runs it: ports chosen once (its usual ones when free), so a restart after
 * a crash keeps the worker's SMTP_URL right; the inbox kept under the data dir; a copy left running
 * by an earlier run that was killed is stopped first.
 */
export async function devMailpit(
  dataDir: string,
  log: (line: string) => void,
): Promise<{ start: () => Promise<RunningMailpit> }> {
  const binary = await ensureMailpit(log);
  const pidFile = path.join(dataDir, 'mailpit.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (pid > 0) await stopLeftover(pid, 'mailpit');
    await rm(pidFile, { force: true });
  }
  const ports = await mailpitPorts();
  log(`starting Mailpit (SMTP on 127.0.0.1:${ports.smtpPort}, inbox in ${path.join(dataDir, 'mailpit.db')}) ...`);
  return { start: () => startMailpit({ binary, ...ports, pidFile, database: path.join(dataDir, 'mailpit.db') }) };
}
