/** Percentiles and medians for the suite's figures. */

/** The p-th percentile (nearest rank) of samples; NaN for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const median = (values: readonly number[]) => percentile(values, 50);

/** Rounds for a report: 3 significant digits, at most 2 decimals. */
export function round(x: number): number {
  if (!Number.isFinite(x)) return x;
  const digits = Math.max(0, Math.min(2, 2 - Math.floor(Math.log10(Math.abs(x) || 1))));
  return Number(x.toFixed(digits));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
