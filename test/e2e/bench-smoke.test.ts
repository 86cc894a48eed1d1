/**
 * `npm run bench -- --smoke`: the whole benchmark suite, tiny, against the real stack, into a
 * temporary directory. Proves every measure runs and produces its figures; says nothing about speed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MeasureRecord } from '../../bench/lib/report.js';

const MEASURES = [
  'cart-latency',
  'cart-throughput',
  'checkout',
  'orders',
  'memory',
  'restart',
  'hot-product',
  'catalog',
];

describe('the benchmark suite in smoke mode', () => {
  let out = '';
  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('runs every measure against the real stack and reports figures for every target', async () => {
    out = await mkdtemp(path.join(tmpdir(), 'bench-smoke-'));
    const committed = readFileSync('BENCHMARKS.md', 'utf8');
    let output = '';
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke', '--out', out], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('exit', resolve);
    });
    expect(code, output).toBe(0);

    for (const name of MEASURES) {
      const file = path.join(out, 'results', `${name}.json`);
      expect(existsSync(file), `${name}: no results\n${output}`).toBe(true);
      const record = JSON.parse(readFileSync(file, 'utf8')) as MeasureRecord;
      expect(record.error, name).toBeUndefined();
      expect(record.smoke).toBe(true);
      const result = record.result!;
      expect(result.targets.length, name).toBeGreaterThan(0);
      for (const target of result.targets) {
        const values = result.figures[target.figure]?.values ?? [];
        expect(values.length, `${name}: ${target.label}`).toBeGreaterThan(0);
        expect(values.every(Number.isFinite), `${name}: ${target.label}`).toBe(true);
      }
    }
    const report = readFileSync(path.join(out, 'BENCHMARKS.md'), 'utf8');
    for (let n = 1; n <= MEASURES.length; n++) expect(report).toContain(`## ${n}. `);
    expect(report).toContain('**smoke mode**');
    // The committed report is only ever rewritten by a full `npm run bench`.
    expect(readFileSync('BENCHMARKS.md', 'utf8')).toBe(committed);
  }, 180_000);
});
