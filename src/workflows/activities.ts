import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';

export type Activities = ReturnType<typeof createActivities>;

/** Each activity, taking first the one-line summary the Web UI shows for that call. */
export type SummarizedActivities = {
  [K in keyof Activities]: (summary: string, ...args: Parameters<Activities[K]>) => ReturnType<Activities[K]>;
};

/**
 * Activities whose every call carries a readable summary ("Hold 2 × TEA-001", "Capture 39.98
 * USD"), so an operator reading an order's history in the Web UI sees what each step did, not
 * only its function name. Summaries are metadata: changing one never breaks replay.
 */
export function summarizedActivities(options: ActivityOptions): SummarizedActivities {
  const proxy = proxyActivities<Activities>(options);
  return new Proxy({} as SummarizedActivities, {
    get(_target, name) {
      const activity = proxy[name as keyof Activities];
      return (summary: string, ...args: unknown[]) =>
        activity.executeWithOptions({ ...options, summary }, args as never);
    },
  });
}
