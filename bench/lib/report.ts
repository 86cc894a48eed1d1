/**
 * BENCHMARKS.md, regenerated whole from the measures' raw results (`<results>/<name>.json`): the
 * machine, each figure's median, min and max over its runs, and each target met or not. A measure
 * run alone rewrites its own JSON and the file is rebuilt from all of them. The hand-written
 * "Reading the numbers" of each measure is carried over from the file being replaced.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Measure, MeasureResult, Target } from './measure.js';
import { median, round } from './stats.js';

export interface MeasureRecord {
  name: string;
  number: number;
  title: string;
  question: string;
  measuredAt: string;
  seconds: number;
  environment: Environment;
  smoke: boolean;
  runs: number;
  /** The machine's 1-minute load average as the measure began and ended (other work shows here). */
  load?: { atStart: number; atEnd: number };
  result?: MeasureResult;
  error?: string;
}

export interface Environment {
  machine: string;
  temporal: string;
  postgres: string;
  loadBefore: string;
}

const fmt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : String(round(x)));

export function targetMet(result: MeasureResult, t: Target): boolean | undefined {
  const values = result.figures[t.figure]?.values ?? [];
  if (values.length === 0) return undefined;
  // e.g. a ratio to a baseline that sustained nothing
  const m = median(values);
  return t.op === '<=' ? m <= t.bound : m >= t.bound;
}

function readings(file: string): Map<string, string> {
  const found = new Map<string, string>();
  if (!existsSync(file)) return found;
  const re = /<!-- reading (\S+) -->([\s\S]*?)<!-- \/reading -->/g;
  for (const m of readFileSync(file, 'utf8').matchAll(re)) found.set(m[1]!, m[2]!.trim());
  return found;
}

function section(measure: Measure, record: MeasureRecord | undefined, reading: string | undefined): string[] {
  const lines = [
    `## ${measure.number}. ${measure.title} (\`npm run bench -- ${measure.name}\`)`,
    '',
    measure.question,
    '',
  ];
  if (!record) lines.push('Not measured yet.', '');
  else if (record.error)
    lines.push(
      `**Did not complete** (${record.measuredAt.slice(0, 16).replace('T', ' ')} UTC): \`${record.error.split('\n')[0]}\``,
      '',
    );
  else {
    const r = record.result!;
    lines.push(
      `Measured ${record.measuredAt.slice(0, 16).replace('T', ' ')} UTC in ${Math.round(record.seconds)} s, ${record.runs} run${record.runs === 1 ? '' : 's'}${record.smoke ? ' (**smoke mode**: tiny sizes, says nothing about speed)' : ''}${record.load ? `, load average ${record.load.atStart.toFixed(1)} → ${record.load.atEnd.toFixed(1)}` : ''}. ${r.setup}`,
      '',
      '| figure | median | min | max | unit |',
      '| --- | --- | --- | --- | --- |',
      ...Object.values(r.figures).map(
        (f) =>
          `| ${f.label} | ${fmt(median(f.values))} | ${fmt(Math.min(...f.values))} | ${fmt(Math.max(...f.values))} | ${f.unit} |`,
      ),
      '',
      '| target | median | |',
      '| --- | --- | --- |',
      ...r.targets.map((t) => {
        const met = targetMet(r, t);
        const values = r.figures[t.figure]?.values ?? [];
        return `| ${t.label} | ${fmt(values.length ? median(values) : undefined)} | ${met === undefined ? 'no figure' : met ? 'met' : '**not met**'} |`;
      }),
      '',
      ...(r.notes ?? []).flatMap((n) => [n, '']),
    );
  }
  lines.push(
    'Reading the numbers:',
    '',
    `<!-- reading ${measure.name} -->`,
    '',
    reading ?? '(to be written from a full run)',
    '',
    '<!-- /reading -->',
    '',
  );
  return lines;
}

/** Writes `<name>.json` for each new record, then rebuilds `file` from every measure's JSON. */
export function writeReport(opts: {
  file: string;
  resultsDir: string;
  measures: Measure[];
  records: MeasureRecord[];
  suiteSeconds?: number;
}): void {
  for (const record of opts.records)
    writeFileSync(path.join(opts.resultsDir, `${record.name}.json`), `${JSON.stringify(record, null, 2)}\n`);
  const all = new Map<string, MeasureRecord>();
  for (const m of opts.measures) {
    const json = path.join(opts.resultsDir, `${m.name}.json`);
    if (existsSync(json)) all.set(m.name, JSON.parse(readFileSync(json, 'utf8')) as MeasureRecord);
  }
  const kept = readings(opts.file);
  const latest = [...all.values()].sort((a, b) => b.measuredAt.localeCompare(a.measuredAt))[0];
  const env = latest?.environment;
  const summary = opts.measures.flatMap((m) => {
    const rec = all.get(m.name);
    if (!rec?.result)
      return [`| ${m.number} | ${m.title} | – | – | ${rec?.error ? '**did not complete**' : 'not measured'} |`];
    return rec.result.targets.map((t) => {
      const met = targetMet(rec.result!, t);
      const values = rec.result!.figures[t.figure]?.values ?? [];
      return `| ${m.number} | ${m.title} | ${t.label} | ${fmt(values.length ? median(values) : undefined)} | ${met === undefined ? 'no figure' : met ? 'met' : '**not met**'} |`;
    });
  });
  const text = [
    '# Benchmarks',
    '',
    "`npm run bench` regenerates this file: it starts the real stack (embedded PostgreSQL, a Temporal dev server on its SQLite file, the worker and the API each in its own process, as `npm start` runs them), drives it from an open-loop load generator in another process (requests sent on schedule whether or not earlier ones answered; latency from each request's due time), and measures every figure next to a baseline taken in the same run, interleaved. Each figure is the median of several runs (`--runs`, 3 by default) with their min and max; targets are met or not on the median. `npm run bench -- <name>` runs one measure and rebuilds this file from every measure's latest raw results in `bench/results/`. `npm run bench -- --smoke` runs everything tiny (the test suite does, to prove the suite runs); `--profile DIR` has the worker and the API write CPU profiles (read them with `node --import tsx bench/profile-summary.ts DIR/*.cpuprofile`); `--report-only` rebuilds this file without measuring.",
    '',
    env
      ? `Last run on ${env.machine}; ${env.temporal}; ${env.postgres}; load average ${env.loadBefore} before it started.${opts.suiteSeconds ? ` The whole suite took ${Math.round(opts.suiteSeconds / 60)} minutes.` : ''}`
      : 'Not run yet.',
    '',
    '| # | measure | target | median | |',
    '| --- | --- | --- | --- | --- |',
    ...summary,
    '',
    ...opts.measures.flatMap((m) => section(m, all.get(m.name), kept.get(m.name))),
  ].join('\n');
  writeFileSync(opts.file, text);
  try {
    execFileSync(process.execPath, [
      'node_modules/prettier/bin/prettier.cjs',
      '--write',
      '--log-level',
      'warn',
      opts.file,
      opts.resultsDir,
    ]);
  } catch {
    // Formatting is a nicety here; the content is what matters.
  }
}
