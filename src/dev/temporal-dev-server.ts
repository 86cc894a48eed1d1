import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { searchAttributeCliArgs } from '../contracts/search-attributes.js';
import { isAlive, stopLeftover } from './processes.js';

export interface DevServerOptions {
  cliPath: string;
  ip: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** SQLite file: workflows survive a restart of the dev server. */
  dbFile: string;
  logFile: string;
  pidFile: string;
  /** The API's codec endpoint: the Web UI decodes encrypted payloads there for a signed-in operator. */
  codecEndpoint?: string;
  /** More `start-dev` flags (e.g. `--metrics-port`, `--sqlite-pragma`): the benchmarks pass some. */
  extraArgs?: string[];
}

export interface RunningDevServer {
  address: string;
  stop(): Promise<void>;
  /** Settles when the server exits, however it does (stopped, killed, crashed), saying how. */
  exited: Promise<string>;
}

/** Waits until the frontend answers a health check, or throws after `timeoutMs`. */
export async function waitForTemporal(
  address: string,
  timeoutMs: number,
  alive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && alive()) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.withDeadline(Date.now() + 2_000, () => connection.healthService.check({}));
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await sleep(250);
    }
  }
  throw new Error(
    `Temporal at ${address} did not become reachable: ${(lastError as Error | undefined)?.message ?? 'process exited'}`,
  );
}

/**
 * Runs `temporal server start-dev`: a full Temporal server and Web UI in one process, on SQLite.
 * Registers the project's search attributes at start (repeating them on restart is harmless).
 */
export async function startTemporalDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const { cliPath, ip, port, uiPort, namespace, dbFile, logFile, pidFile, codecEndpoint, extraArgs = [] } = options;
  await mkdir(path.dirname(dbFile), { recursive: true });

  // A dev server left running by an earlier run that was killed would hold the port and the file.
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (pid > 0) await stopLeftover(pid, 'start-dev');
    await rm(pidFile, { force: true });
  }

  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--namespace',
    namespace,
    '--db-filename',
    dbFile,
    '--log-level',
    'warn',
    ...searchAttributeCliArgs().flatMap((attr) => ['--search-attribute', attr]),
    ...(codecEndpoint ? ['--ui-codec-endpoint', codecEndpoint] : []),
    ...extraArgs,
  ];
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  await writeFile(pidFile, String(child.pid));
  let exited = false;
  const gone = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      resolve(signal ?? `code ${code}`);
    }),
  );

  const address = `${ip}:${port}`;
  try {
    await waitForTemporal(address, 60_000, () => !exited);
  } catch (err) {
    child.kill('SIGKILL');
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-15).join('\n');
    throw new Error(`${(err as Error).message}\nTemporal dev server log (${logFile}):\n${tail}`);
  }

  return {
    address,
    exited: gone,
    async stop() {
      if (!exited && child.pid !== undefined && isAlive(child.pid)) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await gone;
        clearTimeout(timer);
      }
      log.end();
      await rm(pidFile, { force: true });
    },
  };
}
