import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether a process with this pid exists (signal 0 probes without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a live process, or '' where /proc does not tell. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * Stops a process left behind by an earlier run that was killed without cleaning up (kill -9,
 * a closed terminal). Only a process whose command line contains `mustContain` is touched, so a
 * recycled pid belonging to something else is left alone.
 */
export async function stopLeftover(
  pid: number,
  mustContain: string,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<boolean> {
  if (!isAlive(pid) || !commandLine(pid).includes(mustContain)) return false;
  process.kill(pid, signal);
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  return true;
}
