/** Child processes of the suite: each part of the stack and the load generator run on their own. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface NodeProcess {
  child: ChildProcess;
  pid: number;
  /** The last lines it printed (stdout and stderr), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Runs a TypeScript entry point in its own Node process with an IPC channel, and waits for its
 * `{ type: 'ready' }` message (what the worker, the API and the suite's own helpers send).
 */
export async function startNodeProcess(
  entry: string,
  env: Record<string, string | undefined>,
  nodeArgs: string[] = [],
): Promise<NodeProcess & { ready: Record<string, unknown> }> {
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-8_000);
  };
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.on('message', (m: { type?: string }) => m?.type === 'ready' && resolve(m));
    child.once('exit', (code, signal) =>
      reject(new Error(`${entry} exited (${signal ?? code}) before it was ready:\n${out}`)),
    );
  });
  return {
    child,
    pid: child.pid!,
    ready,
    output: () => out,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident memory of a process in bytes (Linux: /proc/<pid>/status, VmRSS). */
export async function residentBytes(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}
