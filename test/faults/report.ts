/** FAULTS.md: what each fault did to the system, in figures. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import * as prettier from 'prettier';
import type { Sample } from './clients.js';
import { FAULT_DURATIONS } from './stack.js';

export interface FaultFigures {
  fault: string;
  /** What was sent while it happened. */
  load: string;
  accepted: number;
  delivered: number;
  cancelled: number;
  stuck: number;
  lost: number;
  violations: string[];
  samples: Sample[];
  /** Seconds from the fault until a new order was accepted and reached `reserved`; null where it does not apply. */
  recoverySeconds: number | null;
  notes: string;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function clientsSaw(samples: Sample[]): string {
  const counts = new Map<string, number>();
  for (const s of samples) counts.set(String(s.status), (counts.get(String(s.status)) ?? 0) + 1);
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const codes = [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, n]) => `${code}×${n}`)
    .join(' ');
  return `${codes}; p50 ${percentile(ms, 50)} ms, p99 ${percentile(ms, 99)} ms, max ${ms.at(-1) ?? 0} ms`;
}

/** Written as the repository's formatter would write it, so a committed FAULTS.md passes `prettier --check`. */
export async function writeFaultsReport(
  file: string,
  figures: FaultFigures[],
  startedAt: Date,
  command: string,
): Promise<void> {
  const rows = figures.map(
    (f) =>
      `| ${f.fault} | ${f.load} | ${f.accepted} | ${f.delivered + f.cancelled} (${f.delivered} delivered, ${f.cancelled} cancelled) | ${f.stuck} | **${f.lost}** | ${f.violations.length} | ${clientsSaw(f.samples)} | ${f.recoverySeconds === null ? '–' : `${f.recoverySeconds} s`} |`,
  );
  const details = figures.map(
    (f) => `- **${f.fault}**: ${f.notes}${f.violations.length > 0 ? `\n  Violations: ${f.violations.join('; ')}` : ''}`,
  );
  mkdirSync(path.dirname(file), { recursive: true });
  const markdown = `# Faults

What the whole system (\`npm start\`: embedded PostgreSQL, a Temporal dev server, the worker and the
API under the supervisor) does when its parts fail under load. Written by \`${command}\`
(test/faults/), which drives the real stack through each fault with shoppers who retry as a careful
front end does (a 503, a 429 or a dropped connection is sent again after Retry-After, with the same
Idempotency-Key or the same cart), then waits for every accepted order to end and checks every
stock and money invariant (\`npm run check:invariants\`).

Run ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} cores
(${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version},
with ${Object.entries(FAULT_DURATIONS)
    .map(([k, v]) => `\`${k}=${v}\``)
    .join(', ')}.

- **accepted**: orders (or carts) the system answered 202 (200) for. **ended**: delivered or
  cancelled with a reason. **stuck**: accepted and neither, when the suite stopped waiting. **lost**:
  accepted and unknown afterwards; must be 0. **invariants**: violations of any check.
- **clients saw**: every request's status (\`network\`: the connection was refused or dropped) and
  answer times, retries included.
- **recovery**: from the fault to a new order accepted and holding its stock.

| fault | load | accepted | ended | stuck | lost | invariants | clients saw | recovery |
| --- | --- | ---: | --- | ---: | ---: | ---: | --- | ---: |
${rows.join('\n')}

${details.join('\n')}
`;
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(markdown, { ...options, filepath: file }));
}
