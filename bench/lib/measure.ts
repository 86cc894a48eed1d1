/** What one measure of the suite is, and what it hands back to bench/run.ts. */
import type { Stack } from './stack.js';

export interface Context {
  stack: Stack;
  /** Tiny sizes and short windows: proves the suite runs, says nothing about speed. */
  smoke: boolean;
  /** How many times each figure is taken (the report shows their median, min and max). */
  runs: number;
  log(line: string): void;
  /** Figures one measure finds that another reuses in the same suite run (e.g. the max rate). */
  shared: Map<string, unknown>;
}

/** One figure, taken once per run. */
export interface Figure {
  label: string;
  unit: string;
  values: number[];
}

export interface Target {
  /** Which figure (its key in `figures`) the target is about. */
  figure: string;
  op: '<=' | '>=';
  bound: number;
  /** The target as the issue states it, e.g. "p50 ≤ 1.3× a bare update". */
  label: string;
}

export interface MeasureResult {
  /** In the order the report shows them. */
  figures: Record<string, Figure>;
  targets: Target[];
  /** Sizes, rates and anything else a reader needs to repeat the figure. */
  setup: string;
  notes?: string[];
  raw?: unknown;
}

export interface Measure {
  /** `npm run bench -- <name>`. */
  name: string;
  number: number;
  title: string;
  /** What the measure answers, for the report. */
  question: string;
  run(ctx: Context): Promise<MeasureResult>;
}

/** Figures to fill run by run: `add('p50', value)` appends to that figure. */
export function figures(definitions: Record<string, [label: string, unit: string]>) {
  const all: Record<string, Figure> = {};
  for (const [key, [label, unit]] of Object.entries(definitions)) all[key] = { label, unit, values: [] };
  return {
    all,
    add(key: string, value: number) {
      const figure = all[key];
      if (!figure) throw new Error(`no figure ${key}`);
      // A window with no answers has no percentile: the figure is missing for that run, not zero.
      if (Number.isFinite(value)) figure.values.push(value);
    },
  };
}
