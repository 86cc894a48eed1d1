import { defineUpdate, proxyActivities, setHandler, condition } from '@temporalio/workflow';
import type { baselineActivities } from './baseline.activities.js';

/** Baselines for the benchmarks: what an update costs with nothing of ours in it. */
export const bumpUpdate = defineUpdate<number, [number]>('bump');
export const bumpViaActivityUpdate = defineUpdate<number, [number]>('bumpViaActivity');

const { echo } = proxyActivities<typeof baselineActivities>({ startToCloseTimeout: '10 seconds' });

/** A counter: one update returns at once, the other after one no-op activity. */
export async function baselineWorkflow(): Promise<void> {
  let count = 0;
  setHandler(bumpUpdate, (by) => (count += by));
  setHandler(bumpViaActivityUpdate, async (by) => (count += await echo(by)));
  await condition(() => false);
}

/** `steps` no-op activities one after another: a workflow with an order's shape and none of its I/O. */
export async function chainWorkflow(steps: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < steps; i++) total += await echo(1);
  return total;
}

/** Returns at once: what starting a workflow costs. */
export async function emptyWorkflow(): Promise<void> {}
