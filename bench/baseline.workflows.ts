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
