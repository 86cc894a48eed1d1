import { patched } from '@temporalio/workflow';

/**
 * A workflow type's release baseline, asked for once as a run starts. A run that starts on code
 * from that release on records this one marker and takes the new branch of every patch it covers
 * without asking for them. A run from before it (no such marker in its history) asks for each patch
 * as it did, and replays as it was written. Every patch marker costs its workflow task a command and
 * an upsert of TemporalChangeVersion, which the SDK adds for each patch with no switch: before this,
 * a new order recorded four of each on its way to picking, and a checkout two in its own task.
 * A patch added after a baseline is asked for on its own (it is not in `covers`) until the next one.
 */
export function releaseBaseline(baseline: string, covers: readonly string[]): (patchId: string) => boolean {
  const onBaseline = patched(baseline);
  return (patchId) => (onBaseline && covers.includes(patchId)) || patched(patchId);
}
